#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ARP and advertisements that try to fool a carp group.
#
#    a (10.0.0.1, advskew 0)   b (10.0.0.2, advskew 100)   c (10.0.0.3)
#            eth0                      eth0                    eth0
#              \________________ br0 (ns sw) __________________/
#
# a and b share 10.0.0.100 with vhid 1; c is the client and the attacker,
# sending hand-made frames with arp_craft.py and carp_send.py and watching
# the wire with frame_capture.py.  Some cases add hosts of their own.
#
#  - every ARP reply for the address carries the virtual MAC, also to a
#    unicast request (a Linux client's NUD probe), and a client's entry
#    stays on the virtual MAC across many probes;
#  - carp0 itself resolves neighbours and sends from the virtual MAC, but
#    only while MASTER;
#  - malformed or misdirected ARP requests get no answer;
#  - advertisements for foreign vhids are counted, not logged; the log
#    rate limit is per namespace; advertisements leave from the parent's
#    address in the subnet of the virtual address; crafted advertisements
#    with a valid HMAC but a flaw change nobody's state and are counted.
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100
VMAC=00:00:5e:00:01:01
C_IP=10.0.0.3
DROPS="badif badttl hdrops badsum badver badlen badauth badvhid disallowed"
LAST_LOG_MS=0

TMPD=$(mktemp -d /tmp/carp-hostile.XXXXXX)
trap 'cleanup_all_ns; rm -rf "$TMPD"' EXIT

setup()
{
	lan_create || return 1
	setup_ns a b c || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24 &&
	lan_attach "$c" $C_IP/24 || return 1
	A_MAC=$(mac_of "$a" eth0) B_MAC=$(mac_of "$b" eth0) C_MAC=$(mac_of "$c" eth0)
	C_PORT="p-$c" C_PORT=${C_PORT:0:15}	# as lan_attach names it
}

mac_of() { ip -n "$1" -br link show dev "$2" | awk '{ print $3 }'; }

# carp_up NS ADVSKEW: carp0 vhid 1 on eth0 with the VIP, up.
carp_up()
{
	ip -n "$1" link add link eth0 name carp0 type carp vhid 1 advskew "$2" \
		pass secret || return 1
	ip -n "$1" addr add $VIP/24 dev carp0
	ip -n "$1" link set carp0 up
}

# converge: a MASTER, b BACKUP; rebuilt only when that is not the case.
converge()
{
	if [ "$(carp_state "$a" carp0)/$(carp_state "$b" carp0)" = MASTER/BACKUP ]; then
		return 0
	fi
	ip -n "$a" link del carp0 2>/dev/null
	ip -n "$b" link del carp0 2>/dev/null
	carp_up "$a" 0 && carp_up "$b" 100 || return 1
	wait_state "$b" carp0 BACKUP 5 && wait_state "$a" carp0 MASTER 10
}

# capture_start NS IFACE NAME: frame_capture.py into $TMPD/NAME, in the
# background, once it listens.
capture_start()
{
	local ns=$1 dev=$2 name=$3 i

	rm -f "$TMPD/$name" "$TMPD/$name.stop"
	ip netns exec "$ns" python3 "$SELFTEST_DIR/frame_capture.py" "$dev" \
		"$TMPD/$name.stop" 120 > "$TMPD/$name" 2>&1 &
	eval "CAP_$name=$!"
	for ((i = 0; i < 200; i++)); do
		grep -q '^ready' "$TMPD/$name" && return 0
		sleep 0.05
	done
	fail "capture $name did not start: $(cat "$TMPD/$name")"
}

capture_stop()
{
	local pid

	touch "$TMPD/$1.stop"
	eval "pid=\$CAP_$1"
	wait "$pid" 2>/dev/null
}

# kmsg_mark: put a unique line into the kernel log and print it.
kmsg_mark()
{
	local mark="carp_arp_hostile-$$-$RANDOM$RANDOM"

	echo "$mark" > /dev/kmsg
	echo "$mark"
}

# kmsg_since MARK: the kernel log after MARK.
kmsg_since() { dmesg | sed -n "/$1/,\$p" | sed 1d; }

# counts NS [NAME]: "DROPS VALUE", the drop reasons of NS's
# /proc/net/carp_stats added up and counter NAME, in one read.
counts()
{
	ip netns exec "$1" awk -v d=" $DROPS " -v n="${2:-none}" \
		'index(d, " " $1 " ") { s += $2 } $1 == n { v = $2 } END { print s + 0, v + 0 }' \
		/proc/net/carp_stats
}

# stats NS: "name=value ..." of the drop counters, for messages.
stats()
{
	ip netns exec "$1" awk -v d=" $DROPS " 'index(d, " " $1 " ") { printf "%s=%s ", $1, $2 }' \
		/proc/net/carp_stats
}

# replies_of OUT NAME: what arp_craft.py saw for probe NAME.
replies_of() { awk -v n="$1" '$1 == n { $1 = ""; sub(/^ /, ""); print }' <<<"$2"; }

# --- ARP replies carry the virtual MAC -------------------------------------

test_reply_mac()
{
	local out

	converge || return 1
	ip -n "$c" neigh flush dev eth0
	# Each probe from a sender address of its own, to tell replies apart.
	out=$(ip netns exec "$c" python3 "$SELFTEST_DIR/arp_craft.py" eth0 $VIP 1 \
		bcast,spa=10.0.0.41 ucast-vmac,spa=10.0.0.42,dst=$VMAC \
		ucast-a,spa=10.0.0.43,dst="$A_MAC" ucast-b,spa=10.0.0.44,dst="$B_MAC")
	log "replies (sender-hw/ethernet-src): $(tr '\n' ';' <<<"$out")"
	# One answer, from the MASTER, with the virtual MAC in both places.
	check_eq "$(replies_of bcast "$out")" "1 $VMAC/$VMAC" "broadcast request" &&
	check_eq "$(replies_of ucast-vmac "$out")" "1 $VMAC/$VMAC" \
		"unicast request to the virtual MAC (a NUD probe)" || return 1
	# Sent to the MASTER's own MAC: if answered, then for the virtual MAC.
	case "$(replies_of ucast-a "$out")" in
	0 | "1 $VMAC/$VMAC") ;;
	*) fail "unicast request to a's MAC: $(replies_of ucast-a "$out")"; return 1 ;;
	esac
	# The BACKUP never answers, whatever MAC the request is sent to.
	check_eq "$(replies_of ucast-b "$out")" 0 "unicast request to the BACKUP's MAC"
}

# neigh_watch SECONDS: poll c's entry for the VIP, fail at once if it is
# ever at another MAC than the virtual one; the states seen go to
# $TMPD/states.
neigh_watch()
{
	local end line

	: > "$TMPD/states"
	end=$(($(now_ms) + $1 * 1000))
	while [ "$(now_ms)" -lt $end ]; do
		line=$(ip -n "$c" neigh show $VIP dev eth0)
		case $line in
		*"lladdr $VMAC "*) ;;
		*lladdr*) fail "c's entry moved off the virtual MAC: $line"; return 1 ;;
		esac
		awk '{ print $NF }' <<<"$line" >> "$TMPD/states"
		sleep 0.05
	done
}

restore_ntable()
{
	ip -n "$c" ntable change name arp_cache dev eth0 base_reachable 30000 \
		retrans 1000 delay_probe 5000 locktime 1000
}

test_nud_probes()
{
	local i line pid rc=0

	converge || return 1
	ip -n "$c" neigh flush dev eth0
	# Quick probes; locktime 0 so that any answer is taken at once.
	ip -n "$c" ntable change name arp_cache dev eth0 delay_probe 100 retrans 300 \
		locktime 0 || { fail "ip ntable change"; return 1; }
	ip netns exec "$c" ping -c 2 -W 2 $VIP > /dev/null || {
		fail "c cannot ping $VIP"; restore_ntable; return 1; }
	check_eq "$(neigh_mac "$c" $VIP)" $VMAC "c's entry after ping" || {
		restore_ntable; return 1; }
	# STALE, one packet: DELAY, then a unicast probe to the virtual MAC,
	# whose answer makes the entry REACHABLE again.
	for i in 1 2 3 4; do
		ip -n "$c" neigh change $VIP lladdr $VMAC dev eth0 nud stale
		ip netns exec "$c" ping -c 1 -W 2 $VIP > /dev/null || {
			fail "ping $i"; rc=1; break; }
		neigh_watch 1 || { rc=1; break; }
		line=$(ip -n "$c" neigh show $VIP dev eth0)
		log "probe round $i: $(uniq "$TMPD/states" | tr '\n' ' ')-> $line"
		case $line in
		*"lladdr $VMAC REACHABLE"*) ;;
		*) fail "probe round $i: entry is '$line', not REACHABLE at $VMAC"; rc=1; break ;;
		esac
	done
	if [ $rc -eq 0 ]; then
		# Then let it age by itself under steady traffic for a while:
		# REACHABLE for 0.2-0.6 s, STALE, DELAY at the next ping, PROBE,
		# answered.  c's probes are counted on its switch port.
		ip -n "$c" ntable change name arp_cache dev eth0 base_reachable 400
		capture_start "$sw" "$C_PORT" cap_nud || { restore_ntable; return 1; }
		ip netns exec "$c" ping -i 0.2 -c 30 -W 1 $VIP > "$TMPD/nudping" 2>&1 &
		pid=$!
		# A REACHABLE entry keeps the timer it got; restart it.
		ip -n "$c" neigh change $VIP lladdr $VMAC dev eth0 nud stale
		neigh_watch 6 || rc=1
		wait $pid || { fail "no answer to c's pings"; rc=1; }
		capture_stop cap_nud
		i=$(grep -c "^eth $C_MAC $VMAC arp op=1 .* tpa=$VIP" "$TMPD/cap_nud")
		log "aging: $i unicast probes; states seen: $(uniq -c "$TMPD/states" |
			awk '{ printf "%s(%s) ", $2, $1 }')"
		[ $rc -ne 0 ] || [ "$i" -ge 2 ] || { fail "only $i probes while aging"; rc=1; }
		[ $rc -ne 0 ] || check_eq "$(neigh_mac "$c" $VIP)" $VMAC "c's entry at the end" ||
			rc=1
	fi
	restore_ntable
	return $rc
}

# --- carp0 as a device of its own ------------------------------------------

tx_dropped()
{
	ip netns exec "$1" cat /sys/class/net/"$2"/statistics/tx_dropped
}

test_carp0_neigh()
{
	local rc=0 line bad before after

	converge || return 1
	ip -n "$a" neigh flush dev carp0
	ip -n "$c" neigh flush dev eth0

	# A BACKUP's carp0 sends nothing at all: dropped and counted.  First,
	# while c has no reason to talk to the address: from the virtual MAC
	# only the MASTER's advertisements may be on the wire.
	before=$(tx_dropped "$b" carp0)
	capture_start "$c" eth0 cap_b || return 1
	ip netns exec "$b" ping -I carp0 -c 2 -i 0.5 -W 1 -p b2b2b2b2 $C_IP > /dev/null 2>&1 &&
		{ fail "b (BACKUP) reached $C_IP through carp0"; rc=1; }
	sleep 0.5
	capture_stop cap_b
	after=$(tx_dropped "$b" carp0)
	if bad=$(grep "^eth $VMAC " "$TMPD/cap_b" | grep -v ' carp vhid=1$'); then
		fail "frames from the virtual MAC while b sent through its BACKUP carp0: $bad"
		rc=1
	fi
	grep -q 'pat=b2b2b2b2' "$TMPD/cap_b" && { fail "b's echo request reached the wire"; rc=1; }
	log "b: carp0 tx_dropped $before -> $after"
	[ "$after" -gt "$before" ] || { fail "b's carp0 did not count tx_dropped"; rc=1; }
	check_eq "$(carp_state "$b" carp0)" BACKUP "b after sending" || rc=1

	# The MASTER's carp0 resolves c and reaches it, from the virtual MAC.
	capture_start "$c" eth0 cap_a || return 1
	ip netns exec "$a" ping -I carp0 -c 3 -i 0.5 -W 2 -p a1a1a1a1 $C_IP > "$TMPD/ping_a" 2>&1 ||
		{ fail "a: ping -I carp0 $C_IP: $(grep -E 'loss|rror' "$TMPD/ping_a")"; rc=1; }
	capture_stop cap_a
	line=$(ip -n "$a" neigh show $C_IP dev carp0)
	log "a: neighbour on carp0: $line"
	if ! grep -Eq "lladdr $C_MAC (REACHABLE|STALE|DELAY)" <<<"$line"; then
		fail "a: carp0 has no usable entry for $C_IP at $C_MAC"
		rc=1
	fi
	grep 'icmp type=8 pat=a1a1a1a1' "$TMPD/cap_a" | head -n 3 | sed 's/^/# seen: /'
	if ! grep -q 'icmp type=8 pat=a1a1a1a1' "$TMPD/cap_a"; then
		fail "c saw none of a's echo requests"
		rc=1
	elif bad=$(grep 'icmp type=8 pat=a1a1a1a1' "$TMPD/cap_a" | grep -v "^eth $VMAC "); then
		fail "echo requests from carp0 with another source MAC: $bad"
		rc=1
	fi
	return $rc
}

# --- malformed ARP requests --------------------------------------------------

test_hostile_requests()
{
	local out name n rc=0

	converge || return 1
	# c's own kernel stays quiet (no NUD probe of its own in between); the
	# probes that are not about the sender IP come from 10.0.0.3x, one
	# each, so that every reply is told apart by its target address.
	ip -n "$c" neigh flush dev eth0
	ip -n "$a" link set eth0 promisc on
	out=$(ip netns exec "$c" python3 "$SELFTEST_DIR/arp_craft.py" eth0 $VIP 0.8 \
		vlan77,spa=10.0.0.31,vlan=77 \
		sip-broadcast,spa=255.255.255.255 \
		sip-multicast,spa=224.0.0.5 \
		sip-loopback,spa=127.0.0.1 \
		sha-broadcast,spa=10.0.0.32,sha=ff:ff:ff:ff:ff:ff \
		sha-multicast,spa=10.0.0.33,sha=01:00:5e:00:00:05 \
		sha-zero,spa=10.0.0.34,sha=00:00:00:00:00:00 \
		to-other-host,spa=10.0.0.35,dst=02:00:00:00:99:99 \
		well-formed,spa=10.0.0.36)
	ip -n "$a" link set eth0 promisc off
	while read -r name n _; do
		log "$name: $n replies"
	done <<<"$out"
	for name in vlan77 sip-broadcast sip-multicast sip-loopback sha-broadcast \
		    sha-multicast sha-zero to-other-host; do
		n=$(replies_of $name "$out")
		[ "$n" = 0 ] || { fail "$name answered: $n"; rc=1; }
	done
	check_eq "$(replies_of well-formed "$out")" "1 $VMAC/$VMAC" \
		"the well-formed request" || rc=1
	return $rc
}

# The address is local to the whole host (weak host model): no interface
# but carp may answer for it.  An IEEE 802 hardware type request (which
# arp_process() takes on Ethernet), a second NIC of b on the same LAN, and
# a host whose carp device is still unbound.
test_only_carp_answers()
{
	local out rc=0

	converge || return 1
	ip -n "$c" neigh flush dev eth0
	ip link add eth1 netns "$b" type veth peer name p-b1 netns "$sw" || return 1
	ip -n "$sw" link set p-b1 master br0 up
	ip -n "$b" addr add 10.0.0.22/24 dev eth1
	ip -n "$b" link set eth1 up
	setup_ns d || return 1
	lan_attach "$d" 10.0.0.4/24 || return 1
	ip -n "$d" link add name carp0 type carp vhid 9 || return 1
	ip -n "$d" link set carp0 up
	ip -n "$d" addr add 192.0.2.50/32 dev carp0
	sleep 1		# the new ports forward, b's eth1 has its address
	out=$(ip netns exec "$c" python3 "$SELFTEST_DIR/arp_craft.py" eth0 $VIP 0.8 \
		hrd6,spa=10.0.0.51,hrd=6 \
		plain,spa=10.0.0.52 \
		unbound,spa=10.0.0.53,tpa=192.0.2.50)
	log "$(tr '\n' ';' <<<"$out")"
	check_eq "$(replies_of hrd6 "$out")" "1 $VMAC/$VMAC" \
		"hardware type 6 request" || rc=1
	check_eq "$(replies_of plain "$out")" "1 $VMAC/$VMAC" \
		"request with b's second NIC on the LAN" || rc=1
	check_eq "$(replies_of unbound "$out")" "0" \
		"request for the address of an unbound carp device" || rc=1
	ip -n "$b" link del eth1
	ip netns del "$d"
	return $rc
}

# --- advertisements ------------------------------------------------------

# wait_running NS: carp0 in NS has left INIT.
wait_running()
{
	local i

	for ((i = 0; i < 100; i++)); do
		case $(carp_state "$1" carp0) in BACKUP | MASTER) return 0 ;; esac
		sleep 0.05
	done
	fail "$1 carp0 stays $(carp_state "$1" carp0)"
}

test_badvhid_quiet()
{
	local mark before after i lines

	converge || return 1
	before=$(carp_stat "$a" badvhid)
	mark=$(kmsg_mark)
	ip netns exec "$c" python3 "$SELFTEST_DIR/carp_send.py" eth0 $C_IP 77 secret \
		10.0.0.177 count=20 || return 1
	for ((i = 0; i < 40; i++)); do
		after=$(carp_stat "$a" badvhid)
		[ "$after" -ge $((before + 20)) ] && break
		sleep 0.1
	done
	sleep 0.3
	after=$(carp_stat "$a" badvhid)
	lines=$(kmsg_since "$mark" | grep -c 'vhid 77')
	[ "$lines" -eq 0 ] || LAST_LOG_MS=$(now_ms)
	log "a: badvhid $before -> $after, kernel log lines about vhid 77: $lines"
	[ $((after - before)) -ge 20 ] && [ $((after - before)) -le 22 ] ||
		fail "badvhid rose by $((after - before)), not 20" || return 1
	[ "$lines" -eq 0 ] ||
		fail "$lines log lines for a vhid a does not run: $(kmsg_since "$mark" |
			grep -m 2 'vhid 77')"
}

test_log_ratelimit_per_ns()
{
	local mark x0 r0 x1 r1 i out lines rc=0

	setup_ns rls rlx rlr || return 1
	ip link add xpar0 netns "$rlx" type veth peer name s-x netns "$rls" &&
	ip link add rpar0 netns "$rlr" type veth peer name s-r netns "$rls" || return 1
	ip -n "$rls" addr add 10.9.0.2/24 dev s-x && ip -n "$rls" addr add 10.9.1.2/24 dev s-r
	ip -n "$rlx" addr add 10.9.0.1/24 dev xpar0 && ip -n "$rlr" addr add 10.9.1.1/24 dev rpar0
	for i in "$rls s-x" "$rls s-r" "$rlx xpar0" "$rlr rpar0"; do
		ip -n ${i% *} link set ${i#* } up
	done
	ip -n "$rlx" link add link xpar0 name carp0 type carp vhid 1 pass x &&
	ip -n "$rlr" link add link rpar0 name carp0 type carp vhid 1 pass r || return 1
	ip -n "$rlx" addr add 10.9.0.100/24 dev carp0 &&
	ip -n "$rlr" addr add 10.9.1.100/24 dev carp0
	ip -n "$rlx" link set carp0 up && ip -n "$rlr" link set carp0 up
	ip netns exec "$rlx" sysctl -qw net.carp.log=7
	ip netns exec "$rlr" sysctl -qw net.carp.log=1
	for i in "$rlx" "$rlr"; do
		wait_running "$i" || return 1
	done
	x0=$(carp_stat "$rlx" badttl) r0=$(carp_stat "$rlr" badttl)
	# Lines logged just before (a buggy badvhid case) must not be what
	# fills a shared budget: net_ratelimit() allows 10 per 5 s.
	while [ $(($(now_ms) - LAST_LOG_MS)) -lt 5500 ]; do sleep 0.2; done
	mark=$(kmsg_mark)
	# Thousands of bad packets in x (log=7), then one in r (log=1).
	out=$(ip netns exec "$rls" python3 "$SELFTEST_DIR/carp_flood.py" s-x 10.9.0.2 3000 \
		s-r 10.9.1.2) || return 1
	for ((i = 0; i < 30; i++)); do
		[ "$(carp_stat "$rlr" badttl)" -gt "$r0" ] && break
		sleep 0.1
	done
	sleep 0.3
	x1=$(carp_stat "$rlx" badttl) r1=$(carp_stat "$rlr" badttl)
	kmsg_since "$mark" > "$TMPD/rl-log"
	lines=$(grep -Ec 'xpar0|10\.9\.0\.2' "$TMPD/rl-log")
	log "$out; x: badttl +$((x1 - x0)), $lines log lines; r: badttl +$((r1 - r0))"
	[ $((x1 - x0)) -ge 2000 ] || { fail "the flood did not reach x"; rc=1; }
	[ "$lines" -ge 1 ] || { fail "x (log=7) logged none of the flood"; rc=1; }
	check_eq $((r1 - r0)) 1 "r's badttl" || rc=1
	if ! grep -E 'rpar0|10\.9\.1\.2' "$TMPD/rl-log" | grep -qi ttl; then
		fail "r's one bad-TTL advertisement was not logged (x's flood used the budget)"
		grep -i suppressed "$TMPD/rl-log" | sed 's/^/# /'
		rc=1
	fi
	for i in $rls $rlx $rlr; do ip netns del "$i"; done
	return $rc
}

test_advert_source()
{
	local line bad rc=0 d_mac i

	setup_ns d || return 1
	# 192.168.77.1 first: the parent's first address is not in the subnet
	# of the virtual address.
	lan_attach "$d" 192.168.77.1/24 || return 1
	ip -n "$d" addr add 10.0.0.4/24 dev eth0
	d_mac=$(mac_of "$d" eth0)
	ip -n "$d" link add link eth0 name carp0 type carp vhid 2 pass secret || return 1
	ip -n "$d" addr add 10.0.0.102/24 dev carp0
	ip -n "$d" link set carp0 up
	wait_state "$d" carp0 MASTER 10 || return 1
	ip netns exec "$c" ping -c 1 -W 2 10.0.0.102 > /dev/null ||
		{ fail "c cannot ping 10.0.0.102"; ip netns del "$d"; return 1; }
	# d must resolve c afresh to answer the next ping.
	ip -n "$d" neigh flush dev eth0
	capture_start "$c" eth0 cap_src || return 1
	ip netns exec "$c" ping -c 2 -W 2 10.0.0.102 > /dev/null ||
		{ fail "ping 10.0.0.102"; rc=1; }
	for ((i = 0; i < 60; i++)); do
		grep -q 'carp vhid=2' "$TMPD/cap_src" && break
		sleep 0.1
	done
	capture_stop cap_src
	line=$(grep -m 1 'carp vhid=2' "$TMPD/cap_src")
	log "advertisement: ${line:-none}"
	if [ -z "$line" ]; then
		fail "no advertisement of vhid 2 seen"
		rc=1
	elif bad=$(grep 'carp vhid=2' "$TMPD/cap_src" | grep -v ' src=10\.0\.0\.4 '); then
		fail "advertisements not from 10.0.0.4: $(head -n 1 <<<"$bad")"
		rc=1
	fi
	line=$(grep "^eth $d_mac .* arp op=1 .* tpa=$C_IP" "$TMPD/cap_src")
	log "d's ARP requests for c: ${line:-none}"
	if [ -z "$line" ]; then
		fail "d's parent sent no ARP request for $C_IP"
		rc=1
	elif bad=$(grep -v ' spa=10\.0\.0\.4 ' <<<"$line"); then
		fail "ARP request for c not from 10.0.0.4: $(head -n 1 <<<"$bad")"
		rc=1
	fi
	ip netns del "$d"
	return $rc
}

# crafted KIND COUNTER OPTIONS...: three copies of a stealing advertisement
# (advskew 0, a's own, makes a MASTER yield) and three bow-outs (make b
# take over), valid HMAC, one flaw; both must count them under COUNTER
# ("any": some drop reason) and keep their state.
crafted()
{
	local kind=$1 counter=$2 sa0 sb0 ca0 cb0 sa sb ca cb p0 end
	shift 2

	read -r sa0 ca0 <<<"$(counts "$a" "$counter")"
	read -r sb0 cb0 <<<"$(counts "$b" "$counter")"
	p0="$(carp_stat "$a" preempt)/$(carp_stat "$b" preempt)"
	ip netns exec "$c" python3 "$SELFTEST_DIR/carp_send.py" eth0 $C_IP 1 secret $VIP \
		advbase=1 advskew=0 count=3 "$@" &&
	ip netns exec "$c" python3 "$SELFTEST_DIR/carp_send.py" eth0 $C_IP 1 secret $VIP \
		advbase=255 advskew=255 count=3 "$@" || return 1
	end=$(($(now_ms) + 3000))
	while [ "$(now_ms)" -lt $end ]; do
		read -r sa ca <<<"$(counts "$a" "$counter")"
		read -r sb cb <<<"$(counts "$b" "$counter")"
		[ "$sa" -ge $((sa0 + 6)) ] && [ "$sb" -ge $((sb0 + 6)) ] && break
		sleep 0.1
	done
	sleep 0.2
	read -r sa ca <<<"$(counts "$a" "$counter")"
	read -r sb cb <<<"$(counts "$b" "$counter")"
	log "$kind: a drops +$((sa - sa0)), b drops +$((sb - sb0)); a: $(stats "$a")"
	# Any change of state, even one undone since, became MASTER somewhere.
	check_eq "$(carp_stat "$a" preempt)/$(carp_stat "$b" preempt)" "$p0" \
		"transitions to MASTER (a/b) during $kind advertisements" &&
	check_eq "$(carp_state "$a" carp0)/$(carp_state "$b" carp0)" MASTER/BACKUP \
		"a/b after $kind advertisements" || return 1
	check_eq $((sa - sa0))/$((sb - sb0)) 6/6 "dropped $kind advertisements (a/b)" ||
		return 1
	[ "$counter" = any ] && return 0
	check_eq $((ca - ca0))/$((cb - cb0)) 6/6 "$counter for $kind (a/b)"
}

test_crafted_adverts()
{
	local sa0 sb0 ia0 ib0 sa sb ia ib

	converge || return 1
	# Control: a flawless slower advertisement arrives, is authentic (no
	# badauth: the HMAC of carp_send.py is right) and harmless.
	read -r sa0 ia0 <<<"$(counts "$a" ipackets)"
	read -r sb0 ib0 <<<"$(counts "$b" ipackets)"
	ip netns exec "$c" python3 "$SELFTEST_DIR/carp_send.py" eth0 $C_IP 1 secret $VIP \
		advbase=1 advskew=200 || return 1
	sleep 0.5
	read -r sa ia <<<"$(counts "$a" ipackets)"
	read -r sb ib <<<"$(counts "$b" ipackets)"
	[ "$ia" -gt "$ia0" ] && [ "$ib" -gt "$ib0" ] ||
		fail "the control advertisement did not arrive" || return 1
	check_eq "$sa/$sb" "$sa0/$sb0" "drops for a valid advertisement (control; a/b)" ||
		return 1
	crafted "bad TTL" badttl ttl=64 &&
	crafted "bad checksum" badsum badsum=1 &&
	crafted "bad version" badver version=1 &&
	crafted "truncated" badlen length=20 || return 1
	# IP options are skipped, as on the BSDs: an authentic advertisement
	# with a Router Alert option is accepted like any other (and harmless
	# here, being slower than a's).
	read -r sa0 ia0 <<<"$(counts "$a" ipackets)"
	ip netns exec "$c" python3 "$SELFTEST_DIR/carp_send.py" eth0 $C_IP 1 secret $VIP \
		advbase=1 advskew=200 ipopt=1 || return 1
	sleep 0.5
	read -r sa ia <<<"$(counts "$a" ipackets)"
	[ "$ia" -gt "$ia0" ] && [ "$sa" -eq "$sa0" ] ||
		fail "advertisement with IP options: ipackets $ia0 -> $ia, drops $sa0 -> $sa" ||
		return 1
	sleep 1.5
	check_eq "$(carp_state "$a" carp0)/$(carp_state "$b" carp0)" MASTER/BACKUP \
		"a/b at the end"
}

# run_timed NAME FUNCTION: run_test, then how long the case took.
run_timed()
{
	local t0 ms

	t0=$(now_ms)
	run_test "$1" "$2"
	ms=$(($(now_ms) - t0))
	log "$2 took $((ms / 1000)).$((ms % 1000 / 100)) s"
}

require_carp
setup || exit $ksft_fail
ktap_plan 9
run_timed "ARP replies carry the virtual MAC, also to unicast requests" test_reply_mac
run_timed "a client's entry stays on the virtual MAC through NUD probes" test_nud_probes
run_timed "carp0 resolves neighbours and sends from the virtual MAC only as MASTER" test_carp0_neigh
run_timed "malformed or misdirected ARP requests get no answer" test_hostile_requests
run_timed "no interface but carp answers for a virtual address" test_only_carp_answers
run_timed "advertisements for a foreign vhid are counted, not logged" test_badvhid_quiet
run_timed "the log rate limit is per namespace" test_log_ratelimit_per_ns
run_timed "advertisements and ARP from the parent's address in the VIP's subnet" test_advert_source
run_timed "crafted advertisements with a valid HMAC and one flaw are dropped" test_crafted_adverts
ktap_finish
