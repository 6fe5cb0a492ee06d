#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Configuration churn on carp devices from several processes at once.

usage: carp_churn.py [--go FILE] SECONDS SEED WORKERS SWITCH_NS CLIENT_NS NS...

WORKERS processes (one per CPU) each run random operations, drawn from
random.Random("SEED-<worker>"), for SECONDS on the pool of network
namespaces NS... (named as by "ip netns add", in /run/netns), which they
share:

  carp_add      a carp device c0..c11 on a random parent, vhid 2-24
  carp_del      delete one
  carp_change   new advbase/advskew/pass
  force_nl      state MASTER or BACKUP over netlink (IFLA_STATE)
  force_sysfs   the same through /sys/class/net/cN/carp/state
  carp_updown   carp device up or down
  addr_add      10.0.0.101-131/24 or /32 on a carp device
  addr_del      delete one
  parent_flap   a parent down and up again
  parent_add    a dummy or a VLAN on a veth, as a new parent
  parent_move   a parent into another namespace of the pool (renamed)
  sysctl        net.carp.preempt/allow/log/arpbalance of a namespace
  ns_delete     delete a namespace of the pool (umount, unlink)
  ns_create     make a missing one again: lo, dummy d0, veth eth0 whose
                peer is a port of br0 in SWITCH_NS

With --go, the clock starts when FILE exists (python starts slowly in
an emulated guest: the caller starts it early).  All requests go through
rtnetlink; a namespace is entered for each
request, so no worker keeps a deleted namespace alive.  Errors of racing
requests (ENODEV, EEXIST, ENOENT...) are expected and counted.  One more
process sends ARP requests for 10.0.0.100-131 from CLIENT_NS's eth0, 100
per second, meanwhile.

Prints one line per operation kind, "op KIND ok N err N [errno:N...]",
then "arp N" (requests sent), "hang" if a worker did not finish (a request
blocked for 60 s) and "done"; exits 1 on a hang or an unexpected exception.
"""

import ctypes
import errno
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

from carp_rtnl import (ADVBASE, ADVSKEW, IFF_UP, IFLA_IFNAME,
                       IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_MASTER, IFLA_NET_NS_FD,
                       KEY, NLA_F_NESTED, NLM_F_CREATE, NLM_F_EXCL, RTM_DELADDR, RTM_NEWADDR,
                       RTM_NEWLINK, STATE, VHID, Rtnl, ifinfo, linkinfo, nla, nlstr)

CLONE_NEWNET = 0x40000000
MS_BIND, MNT_DETACH = 4096, 2
VETH_INFO_PEER, IFLA_VLAN_ID = 1, 1

LAN = "10.0.0."
CARP_NAMES = ["c%d" % i for i in range(12)]
PASSWORDS = [b"", b"churn", b"0123456789abcdefghij", b"x"]

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                       ctypes.c_ulong, ctypes.c_void_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


def oserr(what):
    e = ctypes.get_errno()
    raise OSError(e, "%s: %s" % (what, os.strerror(e)))


def nspath(ns):
    return "/run/netns/" + ns


class Host:
    """Entering network namespaces by name; our own is kept open."""

    def __init__(self):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)

    def enter(self, ns):
        fd = os.open(nspath(ns), os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                oserr("setns " + ns)
        finally:
            os.close(fd)

    def leave(self):
        if libc.setns(self.home, CLONE_NEWNET) != 0:
            oserr("setns home")

    def rtnl(self, ns):
        """A rtnetlink socket in NS (which it keeps alive while open)."""
        self.enter(ns)
        try:
            return Rtnl(timeout=60)
        finally:
            self.leave()


def carp_data(rnd, create):
    d = b""
    if create:
        d += nla(VHID, bytes([rnd.randint(2, 24)]))
    if rnd.random() < 0.6:
        d += nla(ADVBASE, bytes([rnd.choice([1, 1, 1, 2, 3])]))
    if rnd.random() < 0.6:
        d += nla(ADVSKEW, bytes([rnd.randrange(255)]))
    if rnd.random() < 0.5:
        d += nla(KEY, rnd.choice(PASSWORDS))
    return d


class Worker:
    def __init__(self, wid, seed, pool, sw):
        self.wid = wid
        self.rnd = random.Random("%s-%d" % (seed, wid))
        self.pool = pool
        self.sw = sw
        self.host = Host()
        self.stats = {}
        self.slowest = (0, None)
        self.gen = 0
        self.sysdir = "/tmp/carp-churn-sys-%d-%d" % (os.getppid(), wid)
        os.makedirs(self.sysdir, exist_ok=True)

    def count(self, kind, err=None):
        st = self.stats.setdefault(kind, [0, 0, {}])
        if err is None:
            st[0] += 1
        else:
            st[1] += 1
            name = errno.errorcode.get(err, str(err))
            st[2][name] = st[2].get(name, 0) + 1

    # Picking targets from a dump of the namespace.
    def carps(self, links):
        return [(n, v) for n, v in links.items() if v[2] == "carp"]

    def parents(self, links):
        return [(n, v) for n, v in links.items()
                if v[2] in ("veth", "dummy", "vlan") and n != "lo"]

    def pick(self, items):
        return self.rnd.choice(items) if items else None

    def op_carp_add(self, rt, links, ns):
        p = self.pick(self.parents(links))
        if not p:
            raise OSError(errno.ENODEV, "no parent")
        body = ifinfo() + nlstr(IFLA_IFNAME, self.rnd.choice(CARP_NAMES))
        body += nla(IFLA_LINK, struct.pack("=I", p[1][0]))
        body += linkinfo("carp", carp_data(self.rnd, True))
        rt.call(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)

    def op_carp_del(self, rt, links, ns):
        c = self.pick(self.carps(links))
        if not c:
            raise OSError(errno.ENODEV, "no carp device")
        rt.dellink_index(c[1][0])

    def op_carp_change(self, rt, links, ns):
        c = self.pick(self.carps(links))
        if not c:
            raise OSError(errno.ENODEV, "no carp device")
        rt.setlink(c[1][0], linkinfo("carp", carp_data(self.rnd, False)))

    def op_force_nl(self, rt, links, ns):
        c = self.pick(self.carps(links))
        if not c:
            raise OSError(errno.ENODEV, "no carp device")
        state = bytes([self.rnd.choice([1, 2])])
        rt.setlink(c[1][0], linkinfo("carp", nla(STATE, state)))

    def op_force_sysfs(self, rt, links, ns):
        c = self.pick(self.carps(links))
        if not c:
            raise OSError(errno.ENODEV, "no carp device")
        # A sysfs mounted from inside NS shows NS's devices; the mount
        # pins the namespace, so it lives for this one write only.
        self.host.enter(ns)
        try:
            if libc.mount(b"sysfs", self.sysdir.encode(), b"sysfs", 0, None) != 0:
                oserr("mount sysfs")
        finally:
            self.host.leave()
        try:
            with open("%s/class/net/%s/carp/state" % (self.sysdir, c[0]), "w") as f:
                f.write(self.rnd.choice(["MASTER", "BACKUP", "master", "backup"]))
        finally:
            if libc.umount2(self.sysdir.encode(), MNT_DETACH) != 0:
                oserr("umount sysfs")

    def op_carp_updown(self, rt, links, ns):
        c = self.pick(self.carps(links))
        if not c:
            raise OSError(errno.ENODEV, "no carp device")
        up = IFF_UP if self.rnd.random() < 0.7 else 0
        rt.setlink(c[1][0], flags=up, change=IFF_UP)

    def op_addr_add(self, rt, links, ns):
        c = self.pick(self.carps(links))
        if not c:
            raise OSError(errno.ENODEV, "no carp device")
        rt.addr(RTM_NEWADDR, c[1][0], self.rnd.choice([24, 32]),
                LAN + str(self.rnd.randint(101, 131)))

    def op_addr_del(self, rt, links, ns):
        carps = {v[0] for _, v in self.carps(links)}
        a = self.pick([x for x in rt.addrs() if x[0] in carps])
        if not a:
            raise OSError(errno.EADDRNOTAVAIL, "no address")
        rt.addr(RTM_DELADDR, *a)

    def op_parent_flap(self, rt, links, ns):
        p = self.pick(self.parents(links))
        if not p:
            raise OSError(errno.ENODEV, "no parent")
        rt.setlink(p[1][0], flags=0, change=IFF_UP)
        if self.rnd.random() < 0.5:
            time.sleep(self.rnd.random() * 0.2)
        rt.setlink(p[1][0], flags=IFF_UP, change=IFF_UP)

    def op_parent_add(self, rt, links, ns):
        name = "d%d" % self.rnd.randrange(4)
        vlans = [n for n, v in links.items() if v[2] == "veth"]
        if vlans and self.rnd.random() < 0.5:
            base = links[self.rnd.choice(vlans)][0]
            name = "v%d" % self.rnd.randrange(4)
            body = ifinfo(0, IFF_UP, IFF_UP) + nlstr(IFLA_IFNAME, name)
            body += nla(IFLA_LINK, struct.pack("=I", base))
            body += linkinfo("vlan", nla(IFLA_VLAN_ID, struct.pack("=H", 5)))
        else:
            body = ifinfo(0, IFF_UP, IFF_UP) + nlstr(IFLA_IFNAME, name)
            body += nla(IFLA_LINKINFO | NLA_F_NESTED, nla(IFLA_INFO_KIND, b"dummy"))
        rt.call(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)

    def op_parent_move(self, rt, links, ns):
        p = self.pick(self.parents(links))
        if not p:
            raise OSError(errno.ENODEV, "no parent")
        dest = self.rnd.choice([n for n in self.pool if n != ns])
        fd = os.open(nspath(dest), os.O_RDONLY)
        try:
            self.gen += 1
            extra = nla(IFLA_NET_NS_FD, struct.pack("=I", fd))
            extra += nlstr(IFLA_IFNAME, "m%d%d" % (self.wid, self.gen % 8))
            rt.setlink(p[1][0], extra)
        finally:
            os.close(fd)

    def op_sysctl(self, rt, links, ns):
        name, top = self.rnd.choice([("preempt", 1), ("allow", 1), ("allow", 1),
                                     ("log", 2), ("arpbalance", 1)])
        self.host.enter(ns)
        try:
            # /proc/sys/net is the namespace of the opener.
            fd = os.open("/proc/sys/net/carp/" + name, os.O_WRONLY)
        finally:
            self.host.leave()
        try:
            # allow=0 in at most a moment: the namespace must go on electing.
            v = 1 if name == "allow" and self.rnd.random() < 0.7 else self.rnd.randint(0, top)
            os.write(fd, b"%d\n" % v)
        finally:
            os.close(fd)

    def op_ns_delete(self, rt, links, ns):
        path = nspath(ns).encode()
        if libc.umount2(path, MNT_DETACH) != 0:
            oserr("umount " + ns)
        os.unlink(path)

    def ns_create(self, ns):
        """Make NS again: lo up, d0, eth0 with its peer on br0 in sw."""
        path = nspath(ns)
        swfd = os.open(nspath(self.sw), os.O_RDONLY)
        try:
            os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))
        except OSError:
            os.close(swfd)
            raise
        try:
            if libc.unshare(CLONE_NEWNET) != 0:
                oserr("unshare")
            if libc.mount(b"/proc/self/ns/net", path.encode(), None, MS_BIND, None) != 0:
                oserr("mount " + ns)
            self.gen += 1
            peer = "q%d-%d" % (self.wid, self.gen)
            with Rtnl() as rt:
                rt.setlink(1, flags=IFF_UP, change=IFF_UP)
                body = ifinfo(0, IFF_UP, IFF_UP) + nlstr(IFLA_IFNAME, "d0")
                body += nla(IFLA_LINKINFO | NLA_F_NESTED, nla(IFLA_INFO_KIND, b"dummy"))
                rt.call(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)
                peerinfo = ifinfo() + nlstr(IFLA_IFNAME, peer)
                peerinfo += nla(IFLA_NET_NS_FD, struct.pack("=I", swfd))
                body = ifinfo(0, IFF_UP, IFF_UP) + nlstr(IFLA_IFNAME, "eth0")
                body += linkinfo("veth", nla(VETH_INFO_PEER, peerinfo))
                rt.call(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)
                index = rt.links()["eth0"][0]
                rt.addr(RTM_NEWADDR, index, 24, LAN + str(30 + self.pool.index(ns)))
        except (OSError, KeyError):
            # A namespace without its mount is gone again: no leftovers.
            if os.path.exists(path):
                libc.umount2(path.encode(), MNT_DETACH)
                os.unlink(path)
            raise
        finally:
            self.host.leave()
        try:
            with self.host.rtnl(self.sw) as rt:
                links = rt.links()
                extra = nla(IFLA_MASTER, struct.pack("=I", links["br0"][0]))
                rt.setlink(links[peer][0], extra, IFF_UP, IFF_UP)
        finally:
            os.close(swfd)

    OPS = [("carp_add", 14), ("carp_del", 8), ("carp_change", 10), ("force_nl", 6),
           ("force_sysfs", 3), ("carp_updown", 8), ("addr_add", 10), ("addr_del", 6),
           ("parent_flap", 5), ("parent_add", 3), ("parent_move", 2), ("sysctl", 3),
           ("ns_delete", 1)]

    def missing(self):
        """The kinds of operation that have not succeeded yet."""
        return [k for k, _ in self.OPS + [("ns_create", 0)]
                if self.stats.get(k, [0])[0] == 0]

    def step(self, catch_up=False):
        kinds = [k for k, _ in self.OPS]
        kind = self.rnd.choices(kinds, [w for _, w in self.OPS])[0]
        # Catching up: mostly what is still missing, the rest makes what
        # it needs (a carp device to delete, an address...).
        if catch_up and self.rnd.random() < 0.6:
            kind = self.rnd.choice(self.missing())
        ns = self.rnd.choice(self.pool)
        if not os.path.exists(nspath(ns)):
            kind = "ns_create"
        t0 = time.monotonic()
        try:
            if kind == "ns_create":
                self.ns_create(ns)
            elif kind == "ns_delete":
                self.op_ns_delete(None, None, ns)
            else:
                with self.host.rtnl(ns) as rt:
                    getattr(self, "op_" + kind)(rt, rt.links(), ns)
        except socket.timeout:
            raise
        except OSError as e:
            self.count(kind, e.errno or errno.EIO)
        except KeyError:
            # A device of the dump went away before we used it.
            self.count(kind, errno.ENOENT)
        else:
            self.count(kind)
        took = time.monotonic() - t0
        if took > self.slowest[0]:
            self.slowest = (took, kind)

    def run(self, seconds):
        start = time.monotonic()
        end = start + seconds
        try:
            while time.monotonic() < end:
                self.step()
            # A guest short of CPU gets few operations done: go on until
            # every kind succeeded once, for up to as long again.
            while self.missing() and time.monotonic() < end + max(seconds, 20):
                self.step(True)
        finally:
            os.rmdir(self.sysdir)
        return {"stats": self.stats, "slowest": self.slowest,
                "seconds": time.monotonic() - start}


def arp_sender(ns, seconds, rate):
    host = Host()
    host.enter(ns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    host.leave()
    s.bind(("eth0", 0x0806))
    mac = s.getsockname()[4]
    n = 0
    end = time.monotonic() + seconds
    rnd = random.Random(1)
    while time.monotonic() < end:
        tip = socket.inet_aton(LAN + str(100 + n % 32))
        sip = socket.inet_aton(LAN + str(rnd.randint(200, 250)))
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, sip, b"\0" * 6, tip)
        try:
            s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp)
            n += 1
        except OSError:
            pass
        time.sleep(1 / rate)
    return n


def child(fn, *args):
    """Run FN(*ARGS) in a child process; (pid, read end of its result)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 0
        try:
            out = fn(*args)
        except socket.timeout:
            out, code = "hang: a request got no answer in 60 s", 1
        except BaseException as e:      # pylint: disable=broad-except
            out, code = "error %r" % e, 1
        os.write(w, json.dumps(out).encode())
        os._exit(code)
    os.close(w)
    return pid, r


def main():
    args = sys.argv[1:]
    if args[0] == "--go":
        go, args = args[1], args[2:]
        while not os.path.exists(go):
            time.sleep(0.05)
    start = time.monotonic()
    seconds, seed, workers = float(args[0]), args[1], int(args[2])
    sw, client, pool = args[3], args[4], args[5:]
    kids = [child(lambda w: Worker(w, seed, pool, sw).run(seconds), w)
            for w in range(workers)]
    kids.append(child(arp_sender, client, seconds, 100))
    results, rc = [], 0
    deadline = time.monotonic() + 2 * max(seconds, 20) + 90
    for pid, r in kids:
        buf = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                print("hang: a worker did not finish", flush=True)
                for p, _ in kids:
                    os.kill(p, signal.SIGKILL)
                return 1
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            buf += chunk
        _, status = os.waitpid(pid, 0)
        if status:
            rc = 1
        results.append(json.loads(buf.decode() or '"no result"'))
    total = {}
    for w, res in enumerate(results[:-1]):
        if not isinstance(res, dict):
            print("worker %d: %s" % (w, res))
            continue
        print("worker %d: %.1f s, %d operations, the slowest %s (%.1f s)"
              % (w, res["seconds"], sum(v[0] + v[1] for v in res["stats"].values()),
                 res["slowest"][1], res["slowest"][0]))
        for kind, (ok, err, errs) in res["stats"].items():
            t = total.setdefault(kind, [0, 0, {}])
            t[0] += ok
            t[1] += err
            for k, v in errs.items():
                t[2][k] = t[2].get(k, 0) + v
    for kind, _ in Worker.OPS + [("ns_create", 0)]:
        ok, err, errs = total.get(kind, [0, 0, {}])
        print("op %s ok %d err %d %s" % (kind, ok, err,
              " ".join("%s:%d" % kv for kv in sorted(errs.items()))))
    print("arp requests sent %s" % results[-1])
    print("done in %.1f s" % (time.monotonic() - start), flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
