#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Random and mutated CARP frames on the wire, at a sustained rate, against
# a MASTER and a BACKUP: every frame is accounted for by the counters, none
# changes a state, the kernel log stays clean.
#
#    a (10.0.0.1)            b (10.0.0.2)            x (10.0.0.66)
#    carp0 vhid 1 skew 0     carp0 vhid 1 skew 100   carp_wirefuzz.py
#    carp1 vhid 3, down      carp1 vhid 4, down      (AF_PACKET)
#    vlan5 10.0.5.1          vlan5 10.0.5.2
#      eth0                    eth0                    eth0
#        \_____________________ br0 (ns sw) _____________/
#
# x sends, from a fixed seed, frames of every kind carp_wirefuzz.py knows:
# valid advertisements that by the election rules change nothing, ones
# with a bad HMAC, TTL, checksum, version, length or vhid (with a valid
# HMAC but for the fault) or several of these, IP header faults and bad IP
# options, unknown VLANs and foreign MACs, complete, incomplete and
# overlapping fragment sets; to the group, to all hosts, as broadcasts, to
# each host's own address, the virtual address and MAC, and over VLAN 5
# (a VLAN device without carp: badif); and frames that are not
# advertisements (UDP, an EtherType nobody handles) to the virtual MAC of
# vhid 1, of a carp device that is down (carp1) and of vhids nobody runs.
# br0 floods the virtual MAC of vhid 1 (no learning on a's port), so b,
# the BACKUP, gets all that a gets there and counts each as a drop of its
# carp0 (rx_otherhost_dropped: the frame is for the MASTER).  First for
# WIREFUZZ_SECONDS * 5/6 with net.carp.allow 1, then for the rest with
# allow 0 on a (disallowed).
#
# How every frame is accounted for.  carp_wirefuzz.py applies a model of
# the receive path (see its header) to the bytes of each frame it sends
# and prints, per receiver, the increase it causes of every counter read
# here: /proc/net/carp_stats, the carp0 counters in sysfs, the Ip, IpExt
# and Udp lines of /proc/net/snmp and netstat, and the link counters of
# eth0, vlan5, carp0 and carp1 (rx_otherhost_dropped comes from
# IFLA_STATS64).  The counters of a, b, x (tx) and the bridge ports (tx
# drops) are read before and after; each difference must be exactly what
# the model says.
#
# Other traffic must be known exactly for that.  IPv6 is off everywhere,
# x's address has a permanent neighbour entry on a and b (no ARP for the
# ICMP errors they send it), the bridge does not snoop IGMP (it would drop
# frames with bad IP headers itself) and has static entries for the
# unicast MACs, forwarding is off and reverse path filtering 0.  What
# remains is a's own advertisements, which b receives and accepts: as many
# as a's carp0 opackets counter grew by.  Both snapshots are taken right
# after one of them reached b (and twice, until two reads agree), so none
# is in flight; before the first, the LAN is watched until only
# advertisements move the counters (the IGMP reports of the joins are
# over).  a stops listening (allow 0) only once it got every frame of the
# first phase and its counters stand still.  Fragments left incomplete
# expire after net.ipv4.ipfrag_time, set to 2 s, before the last snapshot;
# ipfrag_max_dist is 0 (no per-source fragment limit).
#
# States: carp_events.py in a and b reports every state change (there must
# be none), a masters watch (lib.sh) looks for two MASTERs, and the preempt
# counters (transitions to MASTER) are among those compared.  The kernel
# log after the start must hold no splat and no state change (log 2).
#
# And model-free, per receiver: the frames it got (eth0 rx_packets less
# a's advertisements) equal what was sent to it, and equal the sum of the
# counters that give each frame's fate: carp's ipackets (accepted or a
# drop reason), InHdrErrors, InTruncatedPkts, InAddrErrors,
# rx_otherhost_dropped (of eth0, carp0 and carp1), UDP's NoPorts, eth0's
# rx_dropped (no handler) and the fragments reassembly took in (ReasmReqds
# less ReasmOKs).
#
# Environment: WIREFUZZ_SECONDS (default 60), WIREFUZZ_RATE (frames per
# second, default 300), WIREFUZZ_SEED (default 112; "random" for a new one,
# printed either way).
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100
FUZZ_SECONDS=${WIREFUZZ_SECONDS:-60}
FUZZ_RATE=${WIREFUZZ_RATE:-300}
FUZZ_SEED=${WIREFUZZ_SEED:-112}
[ "$FUZZ_SEED" != random ] || FUZZ_SEED=$((RANDOM * 32768 + RANDOM))
FRAG_TIME=2
FOREIGN_A=02:00:00:00:0a:01+00:00:5e:00:01:07
FOREIGN_B=02:00:00:00:0b:01+00:00:5e:00:01:08
DOWN_A=3	# the vhids of the carp1 devices, which stay down
DOWN_B=4
SPLAT_RE='WARNING:|BUG:|Oops|Call Trace|Kernel panic|general protection|UBSAN:|KASAN:'
SPLAT_RE+='|KFENCE:|rcu: INFO:|soft lockup|circular locking|recursive locking'
SPLAT_RE+='|inconsistent lock state|suspicious RCU usage|ODEBUG:|ref_tracker:|refcount_t:'

TMPD=$(mktemp -d /tmp/carp-wirefuzz.XXXXXX)
SNAP_PID=
trap 'cleanup_all_ns; [ -z "$SNAP_PID" ] || kill "$SNAP_PID" 2>/dev/null; rm -rf "$TMPD"' EXIT

# sysctls NS NAME=VALUE...
sysctls() { local ns=$1; shift; ip netns exec "$ns" sysctl -qw "$@"; }

# mac NS DEV
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }

# port NS: the bridge port lan_attach made for NS.
port() { local p="p-$1"; echo "${p:0:15}"; }

setup()
{
	local ns i

	lan_create || return 1
	setup_ns a b x || return 1
	# No IPv6 anywhere: its neighbour discovery would be traffic we
	# cannot account for.  br0 exists already.
	if [ -d /proc/sys/net/ipv6 ]; then
		for ns in "$sw" "$a" "$b" "$x"; do
			sysctls "$ns" net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1 || return 1
		done
		sysctls "$sw" net.ipv6.conf.br0.disable_ipv6=1
	fi
	# A bridge that snoops IGMP checks every IPv4 header and drops the
	# bad ones before they reach anyone: br0 is a plain switch.
	ip -n "$sw" link set br0 type bridge mcast_snooping 0 || return 1
	for ns in "$a" "$b"; do
		sysctls "$ns" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.ip_forward=0 net.ipv4.ipfrag_time=$FRAG_TIME \
			net.ipv4.ipfrag_max_dist=0 net.carp.allow=1 net.carp.preempt=0 \
			net.carp.log=2 || return 1
	done
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24 &&
	lan_attach "$x" 10.0.0.66/24 || return 1
	XMAC=$(mac "$x" eth0)
	i=1
	for ns in "$a" "$b"; do
		ip -n "$ns" link add link eth0 name vlan5 type vlan id 5 &&
		ip -n "$ns" addr add 10.0.5.$i/24 dev vlan5 &&
		ip -n "$ns" link set vlan5 up || return 1
		ip -n "$ns" neigh replace 10.0.0.66 lladdr "$XMAC" dev eth0 nud permanent ||
			return 1
		i=$((i + 1))
	done
	AMAC=$(mac "$a" eth0) BMAC=$(mac "$b" eth0)
	# Every unicast MAC x sends to reaches exactly one port, but the
	# virtual MAC of vhid 1: a's port does not learn, br0 floods it to a
	# and b.
	ip -n "$sw" link set "$(port "$a")" type bridge_slave learning off &&
	bridge -n "$sw" fdb replace "$AMAC" dev "$(port "$a")" master static &&
	bridge -n "$sw" fdb replace "$BMAC" dev "$(port "$b")" master static &&
	bridge -n "$sw" fdb replace "00:00:5e:00:01:0$DOWN_A" dev "$(port "$a")" master static &&
	bridge -n "$sw" fdb replace "00:00:5e:00:01:0$DOWN_B" dev "$(port "$b")" master static ||
		return 1
	for i in ${FOREIGN_A//+/ }; do
		bridge -n "$sw" fdb replace "$i" dev "$(port "$a")" master static || return 1
	done
	for i in ${FOREIGN_B//+/ }; do
		bridge -n "$sw" fdb replace "$i" dev "$(port "$b")" master static || return 1
	done
	ip -n "$a" link add link eth0 name carp0 type carp vhid 1 advskew 0 pass secret &&
	ip -n "$b" link add link eth0 name carp0 type carp vhid 1 advskew 100 pass secret &&
	ip -n "$a" link add link eth0 name carp1 type carp vhid $DOWN_A pass secret &&
	ip -n "$b" link add link eth0 name carp1 type carp vhid $DOWN_B pass secret ||
		return 1
	for ns in "$a" "$b"; do
		ip -n "$ns" addr add $VIP/32 dev carp0 && ip -n "$ns" link set carp0 up || return 1
	done
	wait_state "$a" carp0 MASTER 10 && wait_state "$b" carp0 BACKUP 5
}

# holder NS: a process in NS's namespaces (network, and the mount namespace
# "ip netns exec" makes, with NS's sysfs), for the snapshot server to read
# through /proc/PID; prints its PID once it is there.
holder()
{
	local ns=$1 pid i netns

	netns=$(stat -L -c %i "/run/netns/$ns") || return 1
	ip netns exec "$ns" sleep 100000 > /dev/null 2>&1 &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		if [ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] &&
		   [ "$(stat -L -c %i /proc/$pid/ns/net)" = "$netns" ]; then
			echo "$pid"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# snap_start: carp_wirefuzz.py serve, for the hosts in HOSTS, as coprocess
# SNAP: python starts slowly under emulation, once is enough.
snap_start()
{
	local reply=

	coproc SNAP { exec python3 -S "$SELFTEST_DIR/carp_wirefuzz.py" serve "${HOSTS[@]}" 2>&1; }
	read -r -t 60 reply <&"${SNAP[0]}"
	[ "$reply" = ready ] || fail "the snapshot server did not start: $reply"
}

# snap FILE [settle=HOST] [sync=B,A]: the counters of every host into FILE
# (see carp_wirefuzz.py serve).
snap()
{
	local reply=

	echo "$*" >&"${SNAP[1]}" || { fail "the snapshot server is gone"; return 1; }
	read -r -t 120 reply <&"${SNAP[0]}"
	[ "$reply" = ok ] || fail "snapshot $1: ${reply:-no answer}"
}

# load ARRAY FILE: "HOST COUNTER VALUE" lines into ARRAY[HOST.COUNTER].
load()
{
	local -n arr=$1
	local host key val

	while read -r host key val; do
		arr[$host.$key]=$val
	done < "$2"
}

# expected ARRAY SUMMARY...: the generator's "expect" lines, added up.
expected()
{
	local -n arr=$1
	local f tag host key val
	shift

	for f in "$@"; do
		while read -r tag host key val; do
			[ "$tag" = expect ] || continue
			arr[$host.$key]=$(( ${arr[$host.$key]:-0} + val ))
		done < "$f"
	done
}

# compare BEFORE AFTER [SUMMARY...]: every counter of the snapshots moved
# exactly as the summaries (the fuzz) and a's advertisements (BG, set here)
# say.  With COMPARE_TABLE=1, print the counters that moved.
compare()
{
	local before=$1 after=$2 key d e rc=0 same=
	local -A B A E
	shift 2

	load B "$before" && load A "$after" || return 1
	expected E "$@"
	BG=$(( A[a.dev.opackets] - B[a.dev.opackets] ))
	for key in a.dev.opackets a.carp.opackets b.carp.ipackets b.dev.ipackets \
		   b.ip.InReceives b.ip.InDelivers b.ipext.InMcastPkts b.link.eth0.rx_packets; do
		E[$key]=$(( ${E[$key]:-0} + BG ))
	done
	for key in $(printf '%s\n' "${!A[@]}" | sort); do
		d=$(( A[$key] - ${B[$key]:-0} )) e=${E[$key]:-0}
		if [ "${COMPARE_TABLE:-0}" = 1 ] && [ "$d$e" != 00 ]; then
			printf '# %-34s %10s %10s\n' "$key" "$e" "$d"
		elif [ "$d$e" = 00 ]; then
			same+=" $key"
		fi
		if [ "$d" != "$e" ]; then
			MISMATCH+=("$key: expected $e, measured $d ($(printf '%+d' $((d - e))))")
			rc=1
		fi
	done
	for key in "${!E[@]}"; do
		[ -n "${A[$key]+set}" ] || { MISMATCH+=("$key: expected, not read"); rc=1; }
	done
	[ "${COMPARE_TABLE:-0}" != 1 ] || log "expected and measured unchanged:$same"
	return $rc
}

# ledger BEFORE AFTER HOST SENT BG: the frames HOST got add up to the
# counters of their fates, and to what was sent to it.
ledger()
{
	local host=$3 sent=$4 bg=$5 k frames carp ip oh coh other frag drops=0 r rc=0
	local -A B A

	load B "$1" && load A "$2" || return 1
	# delta COUNTER: its increase on HOST.
	delta() { echo $(( A[$host.$1] - B[$host.$1] )); }
	frames=$(( $(delta link.eth0.rx_packets) - bg ))
	carp=$(( $(delta carp.ipackets) - bg ))
	ip=$(( $(delta ip.InHdrErrors) + $(delta ipext.InTruncatedPkts) +
	       $(delta ip.InAddrErrors) ))
	oh=$(delta link.eth0.rx_otherhost_dropped)
	coh=$(( $(delta link.carp0.rx_otherhost_dropped) +
		$(delta link.carp1.rx_otherhost_dropped) ))
	other=$(( $(delta udp.NoPorts) + $(delta link.eth0.rx_dropped) ))
	frag=$(( $(delta ip.ReasmReqds) - $(delta ip.ReasmOKs) ))
	r=
	for k in disallowed badif badlen badver badttl badsum badvhid badauth hdrops; do
		drops=$(( drops + $(delta carp.$k) ))
		r+=" $k $(delta carp.$k)"
	done
	log "$host: $frames frames = $carp to carp + $ip dropped by IP + $oh otherhost" \
	    "+ $coh carp otherhost + $other to no one (UDP, EtherType)" \
	    "+ $frag fragments reassembled or dropped"
	log "$host: carp: $((carp - drops)) accepted,$r"
	[ "$frames" = "$sent" ] || fail "$host got $frames frames, $sent were sent to it" || rc=1
	r=$((carp + ip + oh + coh + other + frag))
	[ "$r" = "$frames" ] || fail "$host: the fates add up to $r, not $frames" || rc=1
	return $rc
}

# quiet: wait until nothing but a's advertisements moves any counter.
quiet()
{
	local i

	for ((i = 0; i < 10; i++)); do
		snap "$TMPD/q0" sync=b,a && sleep 2 && snap "$TMPD/q1" sync=b,a || return 1
		MISMATCH=()
		if compare "$TMPD/q0" "$TMPD/q1"; then
			cp "$TMPD/q1" "$TMPD/before"
			return 0
		fi
		log "the LAN is not quiet yet: ${MISMATCH[*]}"
	done
	fail "the LAN never became quiet"
}

# fuzz NAME SEED SECONDS: run the generator on x; its summary in $TMPD/NAME.
fuzz()
{
	local name=$1 seed=$2 secs=$3 allow_a=${4:-1}

	ip netns exec "$x" python3 -S "$SELFTEST_DIR/carp_wirefuzz.py" send eth0 "$seed" \
		"$secs" "$FUZZ_RATE" vip=$VIP vhid=1 pass=secret src=10.0.0.66 \
		bcast=10.0.0.255 tx=x \
		rx=a,MASTER,1,0,$AMAC,10.0.0.1,10.0.5.1,$FOREIGN_A,$allow_a,$DOWN_A \
		rx=b,BACKUP,1,100,$BMAC,10.0.0.2,10.0.5.2,$FOREIGN_B,1,$DOWN_B \
		> "$TMPD/$name" 2> "$TMPD/$name.err" ||
		fail "generator: $(cat "$TMPD/$name.err")" || return 1
	log "$name: seed $seed: $(sed -n 's/^frames //p' "$TMPD/$name") frames" \
	    "in $(sed -n 's/^seconds //p' "$TMPD/$name") s," \
	    "$(sed -n 's/^rate //p' "$TMPD/$name")/s (asked: $FUZZ_RATE/s)"
}

# sums WORD SUMMARY...: "NAME N" lines of WORD, added up over the summaries.
sums()
{
	local word=$1
	shift
	awk -v w="$word" '$1 == w { n[$2] += $3 } END { for (k in n) print k, n[k] }' "$@" |
		sort
}

# sent_to HOST SUMMARY...: the frames sent to HOST.
sent_to()
{
	local h=$1
	shift
	awk -v h="$h" '$1 == "expect" && $2 == h && $3 == "link.eth0.rx_packets" { n += $4 }
		END { print n + 0 }' "$@"
}

# arrived HOST SUMMARY: wait until HOST's eth0 got the frames sent to it
# since the first snapshot and its counters stand still.
arrived()
{
	local host=$1 want got i

	want=$(( $(sent_to "$host" "$2") + $(counter "$TMPD/before" "$host" link.eth0.rx_packets) ))
	for ((i = 0; i < 20; i++)); do
		snap "$TMPD/mid" "settle=$host" || return 1
		got=$(counter "$TMPD/mid" "$host" link.eth0.rx_packets)
		[ "$got" -lt "$want" ] || return 0
	done
	fail "$host: eth0 rx_packets is $got, not $want"
}

# counter SNAPSHOT HOST NAME
counter() { awk -v h="$2" -v k="$3" '$1 == h && $2 == k { print $3 }' "$1"; }

# events_start NS NAME: carp_events.py in NS into $TMPD/NAME until it is killed.
events_start()
{
	local end=$((SECONDS + 60))

	ip netns exec "$1" python3 -S "$SELFTEST_DIR/carp_events.py" \
		> "$TMPD/$2" 2> "$TMPD/$2.err" &
	EVENT_PIDS+=($!)
	until grep -q listening "$TMPD/$2.err" 2>/dev/null; do
		[ $SECONDS -lt $end ] || { fail "carp_events.py did not start"; return 1; }
		sleep 0.05
	done
}

test_fuzz()
{
	local p1 p2 rc=0 f

	PA=$(holder "$a") && PB=$(holder "$b") && PX=$(holder "$x") && PS=$(holder "$sw") ||
		fail "no holder process" || return 1
	HOSTS=("rx:a:$PA" "rx:b:$PB" "tx:x:$PX"
	       "lan:sw:$PS:$(port "$a"),$(port "$b"),$(port "$x")")
	snap_start && quiet || return 1
	KMSG_MARK="carp_wirefuzz-$$-$RANDOM$RANDOM"
	echo "$KMSG_MARK" > /dev/kmsg
	EVENT_PIDS=()
	events_start "$a" events-a && events_start "$b" events-b || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1

	p2=$(( FUZZ_SECONDS / 6 ))
	[ "$p2" -ge 1 ] || p2=1
	p1=$(( FUZZ_SECONDS - p2 ))
	[ "$p1" -ge 1 ] || p1=1
	fuzz phase1 "$FUZZ_SEED" "$p1" || rc=1
	# Every frame of phase 1 counted before a stops listening.
	arrived a "$TMPD/phase1" || rc=1
	sysctls "$a" net.carp.allow=0
	fuzz phase2 $((FUZZ_SEED + 1)) "$p2" 0 || rc=1
	cat "$TMPD/phase1" "$TMPD/phase2" > "$TMPD/phases"
	arrived a "$TMPD/phases" || rc=1
	sysctls "$a" net.carp.allow=1
	# Incomplete fragment sets expire.
	sleep $((FRAG_TIME + 2))
	snap "$TMPD/after" sync=b,a || rc=1
	FUZZ_WATCH_RC=0
	masters_watch_stop || FUZZ_WATCH_RC=1
	kill "${EVENT_PIDS[@]}" 2>/dev/null
	wait "${EVENT_PIDS[@]}" 2>/dev/null
	[ $rc = 0 ] || return 1

	log "sent, by category: $(sums sent "$TMPD"/phase[12] | tr '\n' ' ')"
	log "sent, by destination: $(sums dest "$TMPD"/phase[12] | tr '\n' ' ')"
	log "counter                               expected   measured"
	MISMATCH=()
	COMPARE_TABLE=1 compare "$TMPD/before" "$TMPD/after" "$TMPD"/phase[12] || rc=1
	log "a's advertisements received by b meanwhile: $BG"
	for f in "${MISMATCH[@]}"; do
		fail "$f"
	done
	ledger "$TMPD/before" "$TMPD/after" a "$(sent_to a "$TMPD"/phase[12])" 0 || rc=1
	ledger "$TMPD/before" "$TMPD/after" b "$(sent_to b "$TMPD"/phase[12])" "$BG" || rc=1
	return $rc
}

test_states()
{
	local rc=0 ev

	[ -n "${FUZZ_WATCH_RC:-}" ] || fail "the fuzz did not run" || return 1
	[ "$FUZZ_WATCH_RC" = 0 ] || rc=1
	check_eq "$(carp_state "$a" carp0)/$(carp_state "$b" carp0)" MASTER/BACKUP \
		"a/b after the fuzz" || rc=1
	ev=$( (sed 's/^/a: /' "$TMPD/events-a" | grep -v '^a: link carp0 MASTER$'
	       sed 's/^/b: /' "$TMPD/events-b" | grep -v '^b: link carp0 BACKUP$') |
	     sed 's/ CARP_VHID=1//')
	[ -z "$ev" ] || fail "$(wc -l <<<"$ev") state events during the fuzz," \
		"the first: $(head -n 6 <<<"$ev" | tr '\n' ' ')" || rc=1
	log "state events: a $(wc -l < "$TMPD/events-a"), b $(wc -l < "$TMPD/events-b")" \
	    "(RTM_NEWLINK without a change of state included)"
	return $rc
}

test_kernel_log()
{
	local logf=$TMPD/kmsg

	[ -n "${KMSG_MARK:-}" ] || fail "the fuzz did not run" || return 1
	dmesg | sed -n "/$KMSG_MARK/,\$p" | sed 1d > "$logf"
	log "kernel log: $(wc -l < "$logf") lines, $(grep -c 'dropped advertisement' "$logf")" \
	    "of them about dropped advertisements (rate limited)"
	grep -v 'dropped advertisement' "$logf" | head -n 20 | sed 's/^/# other: /'
	if grep -Eq "$SPLAT_RE" "$logf"; then
		grep -E -A20 "$SPLAT_RE" "$logf" | head -n 60 | sed 's/^/# /'
		fail "the kernel log is not clean"
		return 1
	fi
	if grep -q 'vhid 1: .* -> ' "$logf"; then
		grep 'vhid 1: .* -> ' "$logf" | sed 's/^/# /'
		fail "state changes in the kernel log"
		return 1
	fi
}

require_carp
setup || ktap_bail_out "setup failed"
ktap_plan 3
run_test "$FUZZ_SECONDS s of fuzz at $FUZZ_RATE frames/s: every frame accounted for" test_fuzz
run_test "a stays MASTER and b BACKUP throughout" test_states
run_test "the kernel log is clean" test_kernel_log
ktap_finish
