#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interoperability with ucarp 1.5.2, the Debian package: same vhid,
# password and one address, carp in one namespace, ucarp in another.
#
#    k (10.0.0.1, carp0)   u (10.0.0.3, ucarp on eth0)   c (10.0.0.10)
#           \__________________ br0 (ns sw) ___________________/
#
# ucarp's state is read off its address: its up script adds 10.0.0.100 to
# eth0, its down script removes it.
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100
UCARP_PID=

setup()
{
	command -v ucarp > /dev/null || return $ksft_skip
	lan_create || return 1
	setup_ns k u c || return 1
	lan_attach "$k" 10.0.0.1/24 && lan_attach "$u" 10.0.0.3/24 &&
	lan_attach "$c" 10.0.0.10/24 || return 1
	scripts=$(mktemp -d)
	printf '#!/bin/sh\nip addr add %s/24 dev "$1"\n' $VIP > "$scripts/up"
	printf '#!/bin/sh\nip addr del %s/24 dev "$1"\n' $VIP > "$scripts/down"
	chmod +x "$scripts/up" "$scripts/down"
}

# ucarp_start ADVSKEW [PASS [EXTRA...]]
ucarp_start()
{
	local skew=$1 pass=${2:-secret}
	shift 2 2>/dev/null || shift $#
	ip netns exec "$u" ucarp -i eth0 -s 10.0.0.3 -v 1 -p "$pass" -a $VIP -b 1 \
		-k "$skew" -u "$scripts/up" -d "$scripts/down" -z "$@" \
		> /dev/null 2>&1 &
	UCARP_PID=$!
}

ucarp_stop()
{
	[ -n "$UCARP_PID" ] && kill "$UCARP_PID" 2>/dev/null && wait "$UCARP_PID" 2>/dev/null
	UCARP_PID=
	ip -n "$u" addr del $VIP/24 dev eth0 2>/dev/null
	return 0
}

ucarp_master() { ip -n "$u" addr show dev eth0 | grep -q "inet $VIP/"; }

# wait_ucarp MASTER|BACKUP TIMEOUT
wait_ucarp()
{
	local i

	for ((i = 0; i < $2 * 10; i++)); do
		if ucarp_master; then [ "$1" = MASTER ] && return 0
		else [ "$1" = BACKUP ] && return 0; fi
		sleep 0.1
	done
	fail "ucarp is not $1 after $2 s"
}

carp_start()	# carp_start ADVSKEW [PASS]
{
	ip -n "$k" link add link eth0 name carp0 type carp vhid 1 advskew "$1" \
		pass "${2:-secret}" || return 1
	ip -n "$k" addr add $VIP/24 dev carp0
	ip -n "$k" link set carp0 up
}

reset()
{
	ucarp_stop
	ip -n "$k" link del carp0 2>/dev/null
	ip -n "$k" link set eth0 up
	ip netns exec "$k" sysctl -qw net.carp.preempt=0
	return 0
}

# The client reaches the address within 5 s: both sides announce a new
# MASTER twice (at once and two advertisements later), and a ucarp
# MASTER's second announcement may still be in flight when carp preempts.
client_reaches()
{
	local i

	for i in 1 2 3 4 5; do
		ip netns exec "$c" ping -c 1 -W 1 $VIP > /dev/null && return 0
	done
	fail "client cannot reach $VIP"
}

test_carp_wins()
{
	reset
	carp_start 0 && ucarp_start 100 || return 1
	wait_state "$k" carp0 MASTER 10 || return 1
	sleep 3
	check_eq "$(carp_state "$k" carp0)" MASTER "carp" || return 1
	wait_ucarp BACKUP 1 && client_reaches
}

test_ucarp_wins()
{
	reset
	# ucarp first, until it is MASTER: started together, ucarp's 3 s
	# master-down against carp's 3.39 s is a race that ucarp's slower
	# start-up (pcap, its down script) can lose under emulation.
	ucarp_start 0 && wait_ucarp MASTER 10 || return 1
	carp_start 100 || return 1
	wait_state "$k" carp0 BACKUP 5 || return 1
	sleep 3
	check_eq "$(carp_state "$k" carp0)" BACKUP "carp" || return 1
	wait_ucarp MASTER 1 && client_reaches
}

test_carp_takes_over_from_ucarp()
{
	local t0 t1

	# ucarp is MASTER (previous test); it dies without a word.
	t0=$(now_ms)
	ucarp_stop
	wait_state "$k" carp0 MASTER 6 || return 1
	t1=$(now_ms)
	log "ucarp killed -> carp MASTER after $((t1 - t0)) ms (master-down 3.39 s)"
	client_reaches
}

test_ucarp_takes_over_from_carp()
{
	local t0 t1

	reset
	carp_start 0 && ucarp_start 100 || return 1
	wait_state "$k" carp0 MASTER 10 && wait_ucarp BACKUP 2 || return 1
	t0=$(now_ms)
	ip -n "$k" link set eth0 down
	wait_ucarp MASTER 6 || return 1
	t1=$(now_ms)
	log "carp parent down -> ucarp MASTER after $((t1 - t0)) ms"
	client_reaches
}

test_carp_preempts_ucarp()
{
	reset
	ucarp_start 100 || return 1
	wait_ucarp MASTER 10 || return 1
	ip netns exec "$k" sysctl -qw net.carp.preempt=1
	carp_start 0 || return 1
	wait_state "$k" carp0 MASTER 6 && wait_ucarp BACKUP 3 && client_reaches
}

test_ucarp_preempts_carp()
{
	reset
	carp_start 100 || return 1
	wait_state "$k" carp0 MASTER 10 || return 1
	ucarp_start 0 secret --preempt || return 1
	wait_ucarp MASTER 6 && wait_state "$k" carp0 BACKUP 3 && client_reaches
}

test_different_passwords()
{
	local before

	reset
	before=$(carp_stat "$k" badauth)
	carp_start 0 one && ucarp_start 100 two || return 1
	wait_state "$k" carp0 MASTER 10 && wait_ucarp MASTER 10 || return 1
	sleep 2
	check_eq "$(carp_state "$k" carp0)" MASTER "carp" || return 1
	ucarp_master || fail "ucarp left MASTER" || return 1
	[ "$(carp_stat "$k" badauth)" -gt "$before" ] || fail "badauth did not count"
}

require_carp
setup
rc=$?
[ $rc -eq $ksft_skip ] && { echo "1..0 # SKIP ucarp not installed"; exit $ksft_skip; }
[ $rc -eq 0 ] || exit $ksft_fail
trap 'ucarp_stop; rm -rf "$scripts"; cleanup_all_ns' EXIT
ktap_plan 7
run_test "carp with the lower advskew is MASTER, ucarp BACKUP" test_carp_wins
run_test "ucarp with the lower advskew is MASTER, carp BACKUP" test_ucarp_wins
run_test "carp takes over when ucarp dies" test_carp_takes_over_from_ucarp
run_test "ucarp takes over when carp's link fails" test_ucarp_takes_over_from_carp
run_test "carp with preempt takes the address from a slower ucarp" test_carp_preempts_ucarp
run_test "ucarp --preempt takes the address from a slower carp" test_ucarp_preempts_carp
run_test "different passwords: both MASTER, badauth counted" test_different_passwords
ktap_finish
