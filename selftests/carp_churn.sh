#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration churn at volume, and what is left afterwards.
#
#  1. CARP_CHURN_WORKERS (2) processes at once (carp_churn.py), for
#     CARP_CHURN_SECONDS (30): carp devices created and deleted,
#     advbase/advskew/pass changed, states forced (netlink and sysfs),
#     addresses added and deleted, parents flapped, added and moved between
#     namespaces, net.carp sysctls written, namespaces deleted and made
#     again, on a pool of CARP_CHURN_POOL (4) namespaces on one LAN;
#     meanwhile a pair of hosts advertises vhid 1 (advbase 1) and a client
#     pings its address and sends ARP requests for every address the pool
#     uses.  Racing requests fail (ENODEV, EEXIST...), which is fine; every
#     kind of operation must succeed at least once, and the pair must
#     still have one MASTER and answer afterwards.
#  2. CARP_CHURN_CYCLES (1000) create/delete cycles from ip -batch, half in
#     each of two namespaces at once, on a veth, a dummy and a VLAN device,
#     deleted one by one, by group and with their parent.  Meanwhile (they
#     wait most of the time), CARP_CHURN_ELECTIONS (4) times a namespace is
#     deleted in the middle of an election: both sides INIT -> BACKUP,
#     waiting for master-down, one side deleted after a random 0-4 s.
#  3. rmmod carp with CARP_CHURN_RMMOD_DEVICES ("255 64 64") carp devices
#     on a veth, a dummy and a VLAN device, each in a namespace of its own,
#     then modprobe carp again.
#  4. Afterwards: every namespace gone (net_namespace slab objects back to
#     the start), objects in use in the kmalloc caches back to the start
#     within CARP_CHURN_KMALLOC_SLACK_KB (4096) and unreclaimable slab
#     memory within CARP_CHURN_SLAB_SLACK_KB (32768: the debug kernel's
#     kmemleak and debugobjects keep some), the module unused, no splat in
#     the kernel log.  A kmemleak scan follows the whole run on the debug
#     kernel (tools/vm/run.sh -L).
#
# CARP_CHURN_SEED (default: a new one every run, printed) seeds the
# workers and the election delays.  Each case logs its counts and times.
#
#    a (10.0.0.1)  b (10.0.0.2)  c (10.0.0.10)  k0..k3 (10.0.0.30-33)  e1, e2 (10.0.1.1, .2)
#          \____________|____________|_______________|_____________________/
#                                      br0 (ns sw)
source "$(dirname "$0")/lib.sh"

CHURN_S=${CARP_CHURN_SECONDS:-30}
CHURN_WORKERS=${CARP_CHURN_WORKERS:-2}
CHURN_POOL=${CARP_CHURN_POOL:-4}
CHURN_SEED=${CARP_CHURN_SEED:-$((RANDOM * 32768 + RANDOM))}
CYCLES=${CARP_CHURN_CYCLES:-1000}
ELECTIONS=${CARP_CHURN_ELECTIONS:-4}
# carp devices on each parent for rmmod: a veth, a dummy, a VLAN device.
read -r -a RMMOD_DEVS <<< "${CARP_CHURN_RMMOD_DEVICES:-255 64 64}"
SLAB_SLACK_KB=${CARP_CHURN_SLAB_SLACK_KB:-32768}
KMALLOC_SLACK_KB=${CARP_CHURN_KMALLOC_SLACK_KB:-4096}
VIP=10.0.0.100
SPLAT_RE='WARNING:|BUG:|Oops|Call Trace|Kernel panic|general protection|UBSAN:|KASAN:'
SPLAT_RE+='|KFENCE:|rcu: INFO:|soft lockup|circular locking|recursive locking'
SPLAT_RE+='|inconsistent lock state|suspicious RCU usage|ODEBUG:|ref_tracker:|refcount_t:'
SPLAT_RE+='|unregister_netdevice: waiting for|hung_task|blocked for more than'

TMPD=$(mktemp -d /tmp/carp-churn.XXXXXX)
trap 'cleanup_all_ns; rm -rf "$TMPD"' EXIT
KMSG_MARK="carp_churn.sh-$$-start"
# The election delays come from the seed too.
RANDOM=$CHURN_SEED

# ms: milliseconds since an EPOCHREALTIME value, without a process.
ms() { echo $(( (${EPOCHREALTIME/./} - $1) / 1000 )); }

# slab_read: SLAB_KB, SUNRECL_KB from /proc/meminfo and NETNS, the struct
# nets allocated, after shrinking the slab caches (NAME, default all of
# them): shrinking moves the per-CPU slabs to the lists where their free
# objects are counted, frees empty slabs and, with KASAN, empties the
# quarantine of freed objects.  Builtins only.
slab_read()
{
	local f k v _ pat=${1:-*}

	for f in /sys/kernel/slab/$pat; do
		# An alias of a merged cache is a link: shrink each cache once.
		[ -L "$f" ] && [ -z "$1" ] || echo 1 > "$f/shrink"
	done 2> /dev/null
	while read -r k v _; do
		case $k in
		Slab:) SLAB_KB=$v ;;
		SUnreclaim:) SUNRECL_KB=$v ;;
		esac
	done < /proc/meminfo
	NETNS="?"
	read -r NETNS _ < /sys/kernel/slab/net_namespace/objects
}

# kmalloc_kb: the kB of objects in use in the kmalloc caches, where net
# devices, carp's ports and address lists and most of what a device
# brings along live (valid right after slab_read).
kmalloc_kb()
{
	awk '$1 ~ /^kmalloc-/ { kb += $2 * $4 / 1024 } END { print int(kb) }' /proc/slabinfo
}

# slab_settle: what slab_read reads once freeing has run its course: RCU
# callbacks and deferred frees done, reclaimable caches dropped.  Plus
# KMALLOC_KB, and SETTLE_MS, how long it took.
slab_settle()
{
	local start=${EPOCHREALTIME/./}

	sleep 1
	echo 3 > /proc/sys/vm/drop_caches
	slab_read
	KMALLOC_KB=$(kmalloc_kb)
	SETTLE_MS=$(ms "$start")
}

# netns_wait N SECONDS: until at most N struct nets exist.  Dismantling
# a namespace is asynchronous, and its struct net is freed only by the
# next round of dismantling ("an extra rcu_barrier() before final free"):
# each try deletes a namespace of its own to make that round happen, and
# its struct net may be the one left over.
netns_wait()
{
	local i flush=flush-$$

	for ((i = 0; i < $2; i++)); do
		slab_read net_namespace
		[ "$NETNS" != "?" ] && [ "$NETNS" -le "$1" ] && return 0
		ip netns add $flush && ip netns del $flush
		sleep 1
	done
	return 1
}

carp_count() { ip -n "$1" -o link show type carp 2> /dev/null | wc -l; }

# ns_drop NS...: delete these namespaces, with one ip; their dismantling
# goes on in the background while the next case runs.
ns_drop()
{
	local ns keep=()

	for ns in "$@"; do
		echo "netns del $ns"
	done | ip -force -b - 2> /dev/null
	for ns in "${NS_LIST[@]}"; do
		[[ " $* " == *" $ns "* ]] || keep+=("$ns")
	done
	NS_LIST=("${keep[@]}")
}

# one_master NS:DEV... TIMEOUT: exactly one of them MASTER, within TIMEOUT s.
one_master()
{
	local t=${*: -1} i spec n s states

	for ((i = 0; i < t * 5; i++)); do
		n=0 states=
		for spec in "${@:1:$#-1}"; do
			s=$(carp_state "${spec%%:*}" "${spec#*:}")
			states+=" ${spec%%-*}:$s"
			[ "$s" = MASTER ] && n=$((n + 1))
		done
		[ $n -eq 1 ] && return 0
		sleep 0.2
	done
	fail "not exactly one MASTER after ${t}s:$states"
}

setup()
{
	lan_create && setup_ns a b c || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24 &&
		lan_attach "$c" 10.0.0.10/24 || return 1
	ip -n "$a" link add link eth0 name carp0 type carp vhid 1 pass secret &&
		ip -n "$b" link add link eth0 name carp0 type carp vhid 1 advskew 100 \
			pass secret || return 1
	ip -n "$a" addr add $VIP/24 dev carp0
	ip -n "$b" addr add $VIP/24 dev carp0
	ip -n "$a" link set carp0 up
	ip -n "$b" link set carp0 up
}

test_churn()
{
	local pool=() i rc=0 kind ok missing="" ping_pid py_pid line start

	for ((i = 0; i < CHURN_POOL; i++)); do
		pool+=("k$i-$$")
	done
	# The workers make the pool's namespaces (and delete and remake them).
	NS_LIST+=("${pool[@]}")
	# Python takes seconds to start under emulation: meanwhile the pair
	# converges; the clock starts with the go file.
	python3 -S "$SELFTEST_DIR/carp_churn.py" --go "$TMPD/go" "$CHURN_S" "$CHURN_SEED" \
		"$CHURN_WORKERS" "$sw" "$c" "${pool[@]}" > "$TMPD/churn" 2>&1 &
	py_pid=$!
	if ! wait_state "$b" carp0 BACKUP 10 || ! wait_state "$a" carp0 MASTER 10; then
		kill "$py_pid"
		return 1
	fi
	ip netns exec "$c" ping -q -n -i 0.2 -c $((CHURN_S * 5)) $VIP > "$TMPD/ping" 2>&1 &
	ping_pid=$!
	log "seed $CHURN_SEED (CARP_CHURN_SEED), $CHURN_WORKERS workers," \
	    "$CHURN_S s (CARP_CHURN_SECONDS), ${#pool[@]} namespaces"
	start=${EPOCHREALTIME/./}
	: > "$TMPD/go"
	wait "$py_pid" || rc=1
	log "the workers ran $(ms "$start") ms"
	kill -INT "$ping_pid" 2> /dev/null
	wait "$ping_pid"
	while read -r line; do
		log "$line"
		read -r _ kind _ ok _ <<< "$line"
		[[ $line == "op "* ]] && [ "$ok" -eq 0 ] && missing+=" $kind"
	done < "$TMPD/churn"
	log "client: $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$TMPD/ping")" \
	    "(ping -i 0.2 $VIP during the churn)"
	grep -q '^done' "$TMPD/churn" || fail "carp_churn.py did not finish" || rc=1
	[ -z "$missing" ] || fail "never succeeded:$missing" || rc=1

	ns_drop "${pool[@]}"
	one_master "$a:carp0" "$b:carp0" 10 || rc=1
	ip netns exec "$c" ping -q -c 2 -W 2 $VIP > /dev/null ||
		fail "the client cannot reach $VIP after the churn" || rc=1
	# The pool's veth peers on br0 go with its namespaces.
	for ((i = 0; i < 30; i++)); do
		[ "$(ip -n "$sw" -o link show master br0 | wc -l)" -eq 3 ] && break
		sleep 1
	done
	[ "$i" -lt 30 ] || fail "ports left on br0: $(ip -n "$sw" -o link show master br0 |
		cut -d: -f2 | tr '\n' ' ')" || rc=1
	ns_drop "$a" "$b" "$c"
	return $rc
}

# cycle_batch N: N carp devices created and deleted, 10 per round, on
# eth0 (veth), d0 (dummy) and vl5 (VLAN on eth0), half of them with a
# password, a third with an address and up; deleted one by one, as group 7
# or with their parent dx.
cycle_batch()
{
	local r i n=0 mode parents=(eth0 d0 vl5) dev group pass

	for ((r = 0; n < $1; r++)); do
		mode=$((r % 3)) group=
		[ $mode -eq 1 ] && group=" group 7"
		[ $mode -eq 2 ] && echo "link add dx type dummy" && echo "link set dx up"
		for ((i = 0; i < 10 && n < $1; i++, n++)); do
			dev=${parents[(r + i) % 3]} pass=
			[ $mode -eq 2 ] && dev=dx
			[ $((i % 2)) -eq 1 ] && pass=" pass p$i"
			echo "link add link $dev name c$i$group type carp" \
				"vhid $(((r * 10 + i) % 255 + 1)) advskew $((i * 25))$pass"
			if [ $((i % 3)) -eq 0 ]; then
				echo "addr add 10.3.$i.$((r % 250 + 1))/32 dev c$i"
				echo "link set c$i up"
			fi
			[ $mode -eq 0 ] && echo "link del c$i"
		done
		[ $mode -eq 1 ] && echo "link del group 7"
		[ $mode -eq 2 ] && echo "link del dx"
	done
}

# cycles_start: half of the cycles in each of two namespaces, h1 and h2,
# at once, in the background; cycles_finish waits for them.
cycles_start()
{
	local ns half=$((CYCLES / 2))

	setup_ns h1 h2 || return 1
	for ns in "$h1" "$h2"; do
		ip -n "$ns" -b - <<-EOF || return 1
			link add eth0 type veth peer name eth1
			link set eth0 up
			link set eth1 up
			addr add 10.3.0.1/24 dev eth0
			link add d0 type dummy
			link set d0 up
			link add link eth0 name vl5 type vlan id 5
			link set vl5 up
		EOF
	done
	cycle_batch $((CYCLES - half)) > "$TMPD/cycles1"
	cycle_batch $half > "$TMPD/cycles2"
	CYCLES_START=${EPOCHREALTIME/./}
	ip -n "$h1" -b "$TMPD/cycles1" > "$TMPD/cycles1.out" 2>&1 &
	CYCLES_PIDS=($!)
	ip -n "$h2" -b "$TMPD/cycles2" > "$TMPD/cycles2.out" 2>&1 &
	CYCLES_PIDS+=($!)
}

cycles_finish()
{
	local n rc=0

	for n in 0 1; do
		wait "${CYCLES_PIDS[n]}" ||
			fail "ip -batch in h$((n + 1)): $(cat "$TMPD/cycles$((n + 1)).out")" || rc=1
	done
	log "$CYCLES create/delete cycles (CARP_CHURN_CYCLES), $(cat "$TMPD/cycles1" \
	    "$TMPD/cycles2" | wc -l) requests, in two namespaces at once:" \
	    "$(ms "$CYCLES_START") ms"
	check_eq "$(carp_count "$h1")/$(carp_count "$h2")" 0/0 "carp devices left in h1/h2" ||
		rc=1
	ns_drop "$h1" "$h2"
	return $rc
}

# elections: ELECTIONS times, a namespace e2 deleted in the middle of an
# election with e1.
elections()
{
	local r e2 delay rc=0 v start

	setup_ns e1 || return 1
	lan_attach "$e1" 10.0.1.1/24 || return 1
	# vhids 11-14, the odd ones won by e1, the even ones by the other side.
	for v in 11 12 13 14; do
		echo "link add link eth0 name c$v type carp vhid $v advskew $((v % 2 * 100))" \
			"pass elect"
		echo "addr add 10.0.1.$v/24 dev c$v"
	done | ip -n "$e1" -b - || return 1
	for v in 11 12 13 14; do
		echo "link set c$v down"
		echo "link set c$v up"
	done > "$TMPD/restart"
	for ((r = 1; r <= ELECTIONS; r++)); do
		e2=e2r$r-$$
		NS_LIST+=("$e2")
		ip -b - <<-EOF || return 1
			netns add $e2
			link add p-e2r$r netns $sw type veth peer name eth0 netns $e2
		EOF
		ip -n "$sw" link set "p-e2r$r" master br0 up || return 1
		{
			echo "link set lo up"
			echo "addr add 10.0.1.2/24 dev eth0"
			echo "link set eth0 up"
			for v in 11 12 13 14; do
				echo "link add link eth0 name c$v type carp vhid $v" \
					"advskew $(((v + 1) % 2 * 100)) pass elect"
				echo "addr add 10.0.1.$v/24 dev c$v"
			done
			for v in 11 12 13 14; do
				echo "link set c$v up"
			done
		} | ip -n "$e2" -b - || return 1
		# Both sides INIT -> BACKUP at once: master-down is 3-3.4 s away.
		ip -n "$e1" -b "$TMPD/restart" || return 1
		start=${EPOCHREALTIME/./}
		delay=$((RANDOM % 4000))
		printf -v delay '%d.%03d' $((delay / 1000)) $((delay % 1000))
		sleep "$delay"
		ip netns del "$e2" || return 1
		log "round $r: $e2 deleted $(ms "$start") ms after the election started"
	done
	# Alone now, e1 takes every vhid.
	for v in 11 12 13 14; do
		wait_state "$e1" c$v MASTER 10 || rc=1
	done
	ns_drop "$e1" "$sw"
	return $rc
}

# The elections wait most of the time: the cycles run meanwhile.
test_cycles_elections()
{
	local rc=0

	cycles_start || return 1
	elections || rc=1
	cycles_finish || rc=1
	return $rc
}

# rmmod_setup: RMMOD_DEVS[p] carp devices (vhids 1-N) on the parent of
# namespace r<p+1>: eth0, a veth, in r1 (vhids 1-8 up with an address,
# advertising every second, every fourth of the others up with an address
# and advbase 255), d0, a dummy, in r2 (every other
# one up), vl5, a VLAN device on a veth, in r3 (none up), and so on in
# turn.  One namespace each: rmmod deletes the devices of a namespace in
# one batch, without a break for the CPU.
rmmod_setup()
{
	local p ns v

	for p in "${!RMMOD_DEVS[@]}"; do
		setup_ns "r$((p + 1))" || return 1
		ns=r$((p + 1))
		ns=${!ns}
		{
			echo "link add eth0 type veth peer name eth1"
			echo "link set eth1 up"
			echo "link set eth0 up"
			echo "addr add 10.4.0.1/16 dev eth0"
			echo "link add d0 type dummy"
			echo "link set d0 up"
			echo "link add link eth0 name vl5 type vlan id 5"
			echo "link set vl5 up"
			for ((v = 1; v <= RMMOD_DEVS[p]; v++)); do
				case $((p % 3)) in
				0)
					echo "link add link eth0 name c$v type carp vhid $v" \
						"advbase $((v <= 8 ? 1 : 255)) pass r"
					[ $v -gt 8 ] && [ $((v % 4)) -ne 0 ] && continue
					echo "addr add 10.4.$((v / 200 + 1)).$((v % 200 + 1))/32" \
						"dev c$v"
					echo "link set c$v up"
					;;
				1)
					echo "link add link d0 name c$v type carp vhid $v"
					[ $((v % 2)) -eq 0 ] && echo "link set c$v up"
					;;
				2)
					echo "link add link vl5 name c$v type carp vhid $v pass $v"
					;;
				esac
			done
		} | ip -n "$ns" -b - || return 1
	done
}

test_rmmod()
{
	local start p n=0 want=0 ns all=()

	start=${EPOCHREALTIME/./}
	rmmod_setup || return 1
	for p in "${!RMMOD_DEVS[@]}"; do
		ns=r$((p + 1))
		all+=("${!ns}")
		n=$((n + $(carp_count "${!ns}")))
		want=$((want + RMMOD_DEVS[p]))
	done
	log "$n carp devices on ${#RMMOD_DEVS[@]} parents (CARP_CHURN_RMMOD_DEVICES=" \
	    "\"${RMMOD_DEVS[*]}\") made in $(ms "$start") ms"
	check_eq "$n" "$want" "carp devices before rmmod" || return 1
	start=${EPOCHREALTIME/./}
	rmmod carp || fail "rmmod carp" || return 1
	log "rmmod carp: $(ms "$start") ms"
	[ ! -e /sys/module/carp ] || fail "carp still loaded" || return 1
	for ns in "${all[@]}"; do
		check_eq "$(carp_count "$ns")" 0 "carp devices in $ns after rmmod" || return 1
	done
	modprobe carp || fail "modprobe carp after rmmod" || return 1
	ip -n "$r1" link add link eth0 name c1 type carp vhid 1 ||
		fail "no carp device after modprobe" || return 1
	ns_drop "${all[@]}"
}

test_afterwards()
{
	local rc=0 refcnt logf=$TMPD/kmsg

	ns_drop "${NS_LIST[@]}"
	netns_wait "$NETNS0" 30 ||
		fail "$NETNS struct nets left, $NETNS0 at the start: a namespace leaked" || rc=1
	slab_settle
	log "slab settled in $SETTLE0_MS ms at the start, $SETTLE_MS ms now"
	log "slab: $SLAB0_KB kB at the start, $SLAB_KB kB now; unreclaimable" \
	    "$SUNRECL0_KB -> $SUNRECL_KB kB ($((SUNRECL_KB - SUNRECL0_KB)) kB), in use in" \
	    "kmalloc caches $KMALLOC0_KB -> $KMALLOC_KB kB ($((KMALLOC_KB - KMALLOC0_KB)) kB);" \
	    "net_namespace objects $NETNS0 -> $NETNS"
	# Where it went: the caches that grew by 64 kB or more (objects in
	# use; the debug kernel's own bookkeeping, kmemleak_object and
	# debug_objects_cache, and idle kworkers' task_structs among them).
	awk 'FNR == 1 { f++ } FNR > 2 { kb = $2 * $4 / 1024 }
	     f == 1 { was[$1] = kb } f == 2 && kb - was[$1] >= 64 {
		printf "%d %s %d\n", kb - was[$1], $1, was[$1] }' \
		"$TMPD/slabinfo0" /proc/slabinfo | sort -rn | head -n 8 |
		while read -r d name was; do
			log "slab $name: $was -> $((was + d)) kB in use"
		done
	[ $((SUNRECL_KB - SUNRECL0_KB)) -le "$SLAB_SLACK_KB" ] ||
		fail "unreclaimable slab grew by more than $SLAB_SLACK_KB kB" \
		     "(CARP_CHURN_SLAB_SLACK_KB)" || rc=1
	[ $((KMALLOC_KB - KMALLOC0_KB)) -le "$KMALLOC_SLACK_KB" ] ||
		fail "kmalloc caches grew by more than $KMALLOC_SLACK_KB kB" \
		     "(CARP_CHURN_KMALLOC_SLACK_KB)" || rc=1
	read -r refcnt < /sys/module/carp/refcnt
	check_eq "$refcnt" 0 "carp module references" || rc=1
	dmesg | sed -n "/$KMSG_MARK/,\$p" > "$logf"
	if grep -Eq "$SPLAT_RE" "$logf"; then
		grep -E -A20 "$SPLAT_RE" "$logf" | head -n 60 | sed 's/^/# /'
		fail "the kernel log is not clean"
		rc=1
	fi
	return $rc
}

T0=${EPOCHREALTIME/./}
require_carp
echo "$KMSG_MARK" > /dev/kmsg
netns_wait 1 3
slab_settle
SLAB0_KB=$SLAB_KB SUNRECL0_KB=$SUNRECL_KB NETNS0=$NETNS KMALLOC0_KB=$KMALLOC_KB
SETTLE0_MS=$SETTLE_MS
cp /proc/slabinfo "$TMPD/slabinfo0"
[ "$NETNS0" != "?" ] || ktap_bail_out "no /sys/kernel/slab/net_namespace (CONFIG_SLUB_DEBUG)"
T1=${EPOCHREALTIME/./}
setup || ktap_bail_out "setup failed"
ktap_plan 4
log "before the cases: module and baseline $(((T1 - T0) / 1000)) ms (slab settled in" \
    "$SETTLE0_MS ms), LAN and pair $(ms "$T1") ms"
run_test "$CHURN_WORKERS workers churning for $CHURN_S s under traffic" test_churn
run_test "$CYCLES create/delete cycles; meanwhile a namespace deleted mid-election,\
 $ELECTIONS times" test_cycles_elections
run_test "rmmod with ${RMMOD_DEVS[*]} carp devices on ${#RMMOD_DEVS[@]} parents" test_rmmod
run_test "afterwards: namespaces gone, slab at its baseline, log clean" test_afterwards
ktap_finish
