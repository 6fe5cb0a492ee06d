#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Watch the carp states of several network namespaces on one clock.

  carp_watch.py watch NS...
      Print one line per carp state change, first the states found at
      start, until SIGTERM or SIGINT or until its parent exits:
          <CLOCK_BOOTTIME seconds> <ns> <dev> <vhid> <state>
      (state GONE: the device was deleted), and "<t> - - 0 START", a
      heartbeat "<t> - - 0 ALIVE" every second, "<t> - - 0 STOP" at the
      end, "<t> <ns> - 0 OVERRUN ..." if events were lost.
      The hosts of one LAN go in one watcher: a vhid is one group.
      CLOCK_BOOTTIME is what the first field of /proc/uptime shows, so a
      shell can mark moments on the same clock.

  carp_watch.py report LOG [--since T] [--until T] [--max-dual S]
                           [--ns NS]
      From a watch log: per namespace and vhid how many times it became
      MASTER in [since, until], and per vhid the longest time two or more
      namespaces were MASTER at once.  "--ns NS" counts only NS's
      takeovers in the "takeovers" total.  Exits 1 if a two-MASTER period
      overlapping [since, until] lasted longer than --max-dual seconds,
      and if the log cannot be trusted: events lost, or no heartbeat
      within 5 s of the end of the window (the watcher died).
"""
import argparse
import ctypes
import os
import select
import signal
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
RTMGRP_LINK = 1
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
NLMSG_ERROR, NLMSG_DONE = 2, 3
SO_RCVBUFFORCE = 33
IFLA_IFNAME, IFLA_LINKINFO = 3, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_CARP_VHID, IFLA_CARP_STATE = 1, 5
STATES = {0: "INIT", 1: "BACKUP", 2: "MASTER"}

libc = ctypes.CDLL(None, use_errno=True)


def now():
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def socket_in(ns):
    """An rtnetlink socket of namespace NS, subscribed to link events."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        setns(fd)
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        try:    # root: past net.core.rmem_max
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20)
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((0, RTMGRP_LINK))
    finally:
        setns(own)
        os.close(fd)
        os.close(own)
    return s


def attrs(data):
    out = {}
    while len(data) >= 4:
        length, kind = struct.unpack_from("HH", data)
        if length < 4:
            break
        out[kind & 0x3fff] = data[4:length]
        data = data[(length + 3) & ~3:]
    return out


def carp_link(msg):
    """(dev, vhid, state) of an RTM_NEWLINK or RTM_DELLINK (state GONE)
    about a carp device, or None."""
    length, kind = struct.unpack_from("IH", msg)
    if kind not in (RTM_NEWLINK, RTM_DELLINK):
        return None
    a = attrs(msg[32:length])
    info = attrs(a.get(IFLA_LINKINFO, b""))
    if info.get(IFLA_INFO_KIND, b"").rstrip(b"\0") != b"carp":
        return None
    data = attrs(info.get(IFLA_INFO_DATA, b""))
    if IFLA_CARP_STATE not in data or IFLA_CARP_VHID not in data:
        return None
    state = STATES.get(data[IFLA_CARP_STATE][0], "?")
    if kind == RTM_DELLINK:
        state = "GONE"
    return (a[IFLA_IFNAME].rstrip(b"\0").decode(), data[IFLA_CARP_VHID][0], state)


def messages(data):
    while len(data) >= 16:
        length, kind = struct.unpack_from("IH", data)
        if length < 16:
            return
        yield kind, data[:length]
        data = data[(length + 3) & ~3:]


def watch(namespaces):
    parent = os.getppid()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    socks = {socket_in(ns): ns for ns in namespaces}
    last = {}

    def emit(ns, link, t):
        dev, vhid, state = link
        if last.get((ns, dev)) == state:
            return
        last[(ns, dev)] = state
        print("%.3f %s %s %d %s" % (t, ns, dev, vhid, state), flush=True)

    # The states at start: a dump per namespace.  Events that arrive in
    # between are read afterwards and only printed if they change a state.
    for s, ns in socks.items():
        req = struct.pack("IHHII", 32, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
        req += struct.pack("BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
        s.send(req)
        done = False
        while not done:
            for kind, msg in messages(s.recv(1 << 20)):
                if kind == NLMSG_DONE:
                    done = True
                elif kind == NLMSG_ERROR:
                    err = -struct.unpack_from("i", msg, 16)[0]
                    print("%.3f %s - 0 OVERRUN dump failed: %s"
                          % (now(), ns, os.strerror(err)), flush=True)
                    return 1
                elif kind == RTM_NEWLINK:
                    link = carp_link(msg)
                    if link:
                        emit(ns, link, now())
    print("%.3f - - 0 START" % now(), flush=True)
    beat = now()
    # Until told to stop, or until the script that started us is gone: the
    # sockets hold their namespaces, which must not outlive the test.
    while not stop and os.getppid() == parent:
        try:
            ready = select.select(list(socks), [], [], 0.5)[0]
        except InterruptedError:
            continue
        t = now()
        if t - beat >= 1:
            # A heartbeat: report can tell a quiet log from a dead watcher.
            print("%.3f - - 0 ALIVE" % t, flush=True)
            beat = t
        for s in ready:
            try:
                data = s.recv(1 << 20)
            except OSError as e:
                # ENOBUFS: events were lost; the log cannot be trusted.
                print("%.3f %s - 0 OVERRUN %s" % (t, socks[s], e), flush=True)
                continue
            for kind, msg in messages(data):
                link = carp_link(msg)
                if link:
                    emit(socks[s], link, t)
    print("%.3f - - 0 STOP" % now(), flush=True)
    return 0


def report(args):
    events = []
    started = False
    last = None             # time of the last line of any kind
    with open(args.log) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 5:
                continue
            last = float(fields[0])
            if fields[4] == "OVERRUN":
                print("# the watcher lost events: %s" % line.strip())
                return 1
            if fields[4] == "START":
                started = True
            if fields[4] in ("START", "ALIVE", "STOP"):
                continue
            events.append((float(fields[0]), fields[1], int(fields[3]), fields[4]))
    since = args.since if args.since is not None else float("-inf")
    until = args.until if args.until is not None else float("inf")
    end = min(until, now())
    # The log must cover the window: a watcher that died early would leave
    # a log in which nothing ever happens.
    if not started or last < end - 5:
        print("# the watch log stops at %s, before %.3f: the watcher died?"
              % (last, end))
        return 1
    state = {}
    masters = {}            # vhid -> set of ns
    dual_from = {}          # vhid -> time two masters began
    longest = {}
    takeovers = {}
    rc = 0

    def close_dual(vhid, t):
        start = dual_from.pop(vhid)
        lo, hi = max(start, since), min(t, until)
        if hi > lo:
            longest[vhid] = max(longest.get(vhid, 0.0), hi - lo)
        return t - start

    for t, ns, vhid, st in events:
        if t > until:
            break
        old = state.get((ns, vhid))
        state[(ns, vhid)] = st
        m = masters.setdefault(vhid, set())
        if st == "MASTER":
            m.add(ns)
            if old != "MASTER" and t >= since:
                takeovers[(ns, vhid)] = takeovers.get((ns, vhid), 0) + 1
        else:
            m.discard(ns)
        if len(m) >= 2 and vhid not in dual_from:
            dual_from[vhid] = t
        elif len(m) < 2 and vhid in dual_from:
            close_dual(vhid, t)
    for vhid in list(dual_from):
        close_dual(vhid, end)
    total = 0
    for (ns, vhid), n in sorted(takeovers.items()):
        print("# %s vhid %d became MASTER %d times" % (ns, vhid, n))
        if args.ns is None or ns == args.ns:
            total += n
    print("takeovers %d" % total)
    worst = max(longest.values(), default=0.0)
    print("longest_dual %.3f" % worst)
    for vhid, d in sorted(longest.items()):
        if args.max_dual is not None and d > args.max_dual:
            print("# vhid %d: two MASTERs for %.3f s (at most %.3f allowed)"
                  % (vhid, d, args.max_dual))
            rc = 1
    masters_now = {v: sorted(m) for v, m in masters.items()}
    for vhid, m in sorted(masters_now.items()):
        print("masters %d %s" % (vhid, ",".join(m) or "-"))
    return rc


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("watch")
    w.add_argument("ns", nargs="+")
    r = sub.add_parser("report")
    r.add_argument("log")
    r.add_argument("--since", type=float)
    r.add_argument("--until", type=float)
    r.add_argument("--max-dual", type=float)
    r.add_argument("--ns")
    args = p.parse_args()
    if args.cmd == "watch":
        return watch(args.ns)
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
