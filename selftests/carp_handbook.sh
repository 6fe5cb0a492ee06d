#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The FreeBSD Handbook's CARP example, with "ip" instead of "ifconfig".
#
#   hosta     192.168.1.3   carp0 vhid 1            192.168.1.50
#   hostb     192.168.1.4   carp0 vhid 2            192.168.1.51
#   provider  192.168.1.5   carp0 vhid 1 advskew 100 192.168.1.50
#                           carp1 vhid 2 advskew 100 192.168.1.51
#   client    192.168.1.10  fetches http://192.168.1.50/ and .51/
#
# with IPv6 too: the hosts have 2001:db8::3, ::4, ::5 and ::10, vhid 1
# shares 2001:db8::50 and vhid 2 2001:db8::51 beside the IPv4 addresses.
#
# Each server answers with its own name.  When hosta fails, provider serves
# its address; when hosta returns, provider gives it back with
# "ip link set carp0 down && ip link set carp0 up" (no preemption), or
# hosta takes it back by itself with net.carp.preempt=1.
#
# DEMO=1 narrates each step for a person (make demo).
source "$(dirname "$0")/lib.sh"

PASS=testpass
say() { [ -n "${DEMO:-}" ] && echo "$*"; log "$*"; }

serve()	# serve NS NAME: a web server in NS answering NAME
{
	local dir

	dir=$(mktemp -d)
	echo "$2" > "$dir/index.html"
	ip netns exec "$1" python3 -m http.server 80 --bind :: \
		--directory "$dir" > /dev/null 2>&1 &
}

fetch()	# fetch ADDR: who serves it, as the client sees it
{
	ip netns exec "$client" python3 - "$1" <<'PY' 2>/dev/null || echo "(nobody)"
import sys, urllib.request
print(urllib.request.urlopen("http://%s/" % sys.argv[1], timeout=2).read().decode().strip())
PY
}

# wait_served ADDR NAME TIMEOUT: poll the client's view.
wait_served()
{
	local i

	for ((i = 0; i < $3 * 5; i++)); do
		[ "$(fetch "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	fail "$1 is served by $(fetch "$1"), not $2"
}

carp_add()	# carp_add NS DEV VHID ADVSKEW ADDR ADDR6
{
	ip -n "$1" link add link eth0 name "$2" type carp vhid "$3" advskew "$4" pass $PASS &&
	ip -n "$1" addr add "$5/24" dev "$2" &&
	ip -n "$1" link set "$2" up &&
	ip -n "$1" -6 addr add "$6/64" dev "$2"
}

# eth0_up NS ADDR6: the parent back up, with the IPv6 address it lost
# going down (as ifup would give it back).
eth0_up()
{
	ip -n "$1" link set eth0 up &&
	ip -n "$1" -6 addr replace "$2/64" dev eth0 nodad
}

states()
{
	echo "hosta: $(carp_state "$hosta" carp0)  hostb: $(carp_state "$hostb" carp0)" \
	     " provider: carp0 $(carp_state "$provider" carp0)," \
	     "carp1 $(carp_state "$provider" carp1)"
}

setup()
{
	local ns

	lan_create || return 1
	setup_ns hosta hostb provider client || return 1
	# No DAD for the hosts' own addresses: a link-local address is then
	# usable at once after a parent comes back up.
	for ns in "$hosta" "$hostb" "$provider" "$client"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 || return 1
	done
	lan_attach "$hosta" 192.168.1.3/24 && lan_attach "$hostb" 192.168.1.4/24 &&
	lan_attach "$provider" 192.168.1.5/24 && lan_attach "$client" 192.168.1.10/24 ||
		return 1
	eth0_up "$hosta" 2001:db8::3 && eth0_up "$hostb" 2001:db8::4 &&
	eth0_up "$provider" 2001:db8::5 && eth0_up "$client" 2001:db8::10 || return 1
	serve "$hosta" hosta && serve "$hostb" hostb && serve "$provider" provider
	carp_add "$hosta" carp0 1 0 192.168.1.50 2001:db8::50 &&
	carp_add "$hostb" carp0 2 0 192.168.1.51 2001:db8::51 &&
	carp_add "$provider" carp0 1 100 192.168.1.50 2001:db8::50 &&
	carp_add "$provider" carp1 2 100 192.168.1.51 2001:db8::51
}

test_converge()
{
	masters_watch_start vhid1 "$hosta:carp0" "$provider:carp0" &&
	masters_watch_start vhid2 "$hostb:carp0" "$provider:carp1" || return 1
	wait_state "$hosta" carp0 MASTER 10 && wait_state "$hostb" carp0 MASTER 10 &&
	wait_state "$provider" carp0 BACKUP 1 && wait_state "$provider" carp1 BACKUP 1 ||
		return 1
	say "converged: $(states)"
	wait_served 192.168.1.50 hosta 5 && wait_served 192.168.1.51 hostb 5 || return 1
	wait_served "[2001:db8::50]" hosta 5 && wait_served "[2001:db8::51]" hostb 5 ||
		return 1
	say "client: 192.168.1.50 and 2001:db8::50 are served by hosta," \
	    "192.168.1.51 and 2001:db8::51 by hostb"
	masters_watch_end
}

test_hosta_fails()
{
	local t0 t1

	masters_watch_start vhid1 "$hosta:carp0" "$provider:carp0" &&
	masters_watch_start vhid2 "$hostb:carp0" "$provider:carp1" || return 1
	say "hosta loses its network (ip link set eth0 down)"
	t0=$(now_ms)
	ip -n "$hosta" link set eth0 down
	wait_state "$provider" carp0 MASTER 6 || return 1
	t1=$(now_ms)
	say "provider took over 192.168.1.50 after $((t1 - t0)) ms: $(states)"
	wait_served 192.168.1.50 provider 5 || return 1
	wait_served "[2001:db8::50]" provider 5 || return 1
	check_eq "$(fetch 192.168.1.51)" hostb "192.168.1.51 unaffected" || return 1
	say "client: 192.168.1.50 is served by $(fetch 192.168.1.50)," \
	    "192.168.1.51 by $(fetch 192.168.1.51)"
	masters_watch_end
}

test_hosta_returns_no_preempt()
{
	local t0 t1

	masters_watch_start vhid1 "$hosta:carp0" "$provider:carp0" &&
	masters_watch_start vhid2 "$hostb:carp0" "$provider:carp1" || return 1
	say "hosta comes back; without preemption it stays BACKUP"
	eth0_up "$hosta" 2001:db8::3 || return 1
	wait_state "$hosta" carp0 BACKUP 5 || return 1
	sleep 4
	check_eq "$(carp_state "$provider" carp0)" MASTER "provider keeps the address" ||
		return 1
	say "$(states)"
	say "on provider: ip link set carp0 down && ip link set carp0 up"
	t0=$(now_ms)
	ip -n "$provider" link set carp0 down && ip -n "$provider" link set carp0 up
	wait_state "$hosta" carp0 MASTER 2 || return 1
	t1=$(now_ms)
	say "hosta is MASTER again after $((t1 - t0)) ms (provider bowed out): $(states)"
	wait_state "$provider" carp0 BACKUP 5 && wait_served 192.168.1.50 hosta 5 || return 1
	wait_served "[2001:db8::50]" hosta 5 || return 1
	say "client: 192.168.1.50 is served by $(fetch 192.168.1.50)"
	masters_watch_end
}

test_hosta_returns_preempt()
{
	local t0 t1

	masters_watch_start vhid1 "$hosta:carp0" "$provider:carp0" &&
	masters_watch_start vhid2 "$hostb:carp0" "$provider:carp1" || return 1
	say "now with net.carp.preempt=1 on hosta; hosta fails again"
	ip netns exec "$hosta" sysctl -qw net.carp.preempt=1
	ip -n "$hosta" link set eth0 down
	wait_state "$provider" carp0 MASTER 6 && wait_served 192.168.1.50 provider 5 ||
		return 1
	say "provider serves 192.168.1.50: $(states)"
	t0=$(now_ms)
	eth0_up "$hosta" 2001:db8::3 || return 1
	wait_state "$hosta" carp0 MASTER 8 || return 1
	t1=$(now_ms)
	say "hosta took its address back by itself after $((t1 - t0)) ms: $(states)"
	wait_state "$provider" carp0 BACKUP 2 && wait_served 192.168.1.50 hosta 5 || return 1
	say "client: 192.168.1.50 is served by $(fetch 192.168.1.50)," \
	    "192.168.1.51 by $(fetch 192.168.1.51)"
	masters_watch_end
}

require_carp
setup || exit $ksft_fail
ktap_plan 4
run_test "handbook: hosta and hostb MASTER, provider BACKUP for both" test_converge
run_test "handbook: hosta fails, provider serves its address" test_hosta_fails
run_test "handbook: hosta returns, provider gives it back on down/up" test_hosta_returns_no_preempt
run_test "handbook: with preempt hosta takes it back by itself" test_hosta_returns_preempt
ktap_finish
