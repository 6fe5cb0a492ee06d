#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random and mutated CARP frames on a LAN, and the counters they must move.

usage: carp_wirefuzz.py send DEV SEED SECONDS RATE KEY=VALUE...
       carp_wirefuzz.py serve HOST...

send: for SECONDS, at RATE frames a second, AF_PACKET frames out of DEV
(the attacker's port on the LAN), from SEED alone: the same seed gives the
same frames in the same order.  Then on stdout, one item a line:

    seed N | seconds S | rate R | frames N
    sent CATEGORY N          frames per category
    dest DEST N              frames per destination
    expect HOST COUNTER N    the increase of COUNTER on HOST these frames cause

KEY=VALUE: vip= vhid= pass= src= (our IPv4 source) bcast= (the subnet
broadcast) tx=HOST (the name of our own host, for its tx counters), and
per receiver rx=NAME,ROLE,ADVBASE,ADVSKEW,MAC,IP,VLANIP,FOREIGN+...,ALLOW,DOWN:
ROLE MASTER or BACKUP of a carp device on eth0 with the vhid, VIP and
password above, VLANIP the address of its device vlan5 (VLAN 5, no carp),
FOREIGN MACs that are not the receiver's but that the LAN forwards to it
only, ALLOW its net.carp.allow, DOWN the vhid of its second carp device
on eth0, carp1, which stays down (its virtual MAC reaches that receiver
only).  The LAN floods the virtual MAC of the vhid above: it reaches the
MASTER and every BACKUP.

Every frame belongs to a category: "valid" advertisements that by the
election rules change no state (slower than the MASTER, not so slow that
the BACKUP takes over), advertisements with one fault ("badauth", "badttl",
"badsum", "badver", "badlen", "badvhid": the HMAC is right unless the
fault is the HMAC) or several ("multi"), IP header faults ("ip_*"), frames
for another host ("otherhost") or an unknown VLAN ("vlan_other"),
fragment sets: complete ("frag"), incomplete ("frag_lost") and overlapping
("frag_overlap"), and frames that are not advertisements sent to a virtual
MAC ("vmac_other": IPv4/UDP to the address behind it, or an EtherType
nobody handles), of the vhid above, of a receiver's carp1 (down) or of a
vhid that no receiver runs (a FOREIGN MAC).  Faulty advertisements are
made dangerous: accepted, they would make the MASTER yield or the BACKUP
take over.

The expectations come from a model of the receive path applied to the
bytes of each frame, in the order the kernel checks them:

  the device    a VLAN without a device here, or a unicast MAC that is not
                the host's (carp's vMAC is, on the MASTER): the IP layer
                drops it as PACKET_OTHERHOST (rx_otherhost_dropped), the
                core any other EtherType as unhandled (rx_dropped);
  carp's hook   a frame to the vMAC of a carp device that is not MASTER
                (BACKUP, or down), untagged or priority tagged: carp drops
                it, counted in that carp device's rx_otherhost_dropped;
                the MASTER counts it in its rx_packets and passes it on;
  ip_rcv        InReceives, then InHdrErrors (short, version, header
                length, total length below it), InCsumErrors (and
                InHdrErrors), InTruncatedPkts (total length beyond the
                frame);
  routing       InAddrErrors for a unicast address not ours (forwarding
                off); bad IP options InHdrErrors; then InMcastPkts or
                InBcastPkts;
  defrag        ReasmReqds per fragment, ReasmOKs per datagram, ReasmFails
                and ReasmTimeout per incomplete one, ReasmOverlaps and
                ReasmFails per overlapping one;
  udp           InDelivers, NoPorts (nothing listens);
  carp          InDelivers, carp's ipackets, then the first of disallowed
                (net.carp.allow 0), badif (a device without carp: the
                VLAN), badlen, badver, badttl, badsum, badvhid, badauth,
                or accepted; the carp device of the vhid, once found,
                counts ipackets and its reasons too (sysfs).

serve: snapshots of the counters of the hosts, for each line
"FILE [settle=HOST] [sync=B,A]" on stdin into FILE as "HOST COUNTER VALUE"
lines, then "ok" (or "error: why") on stdout.  HOST is
ROLE:NAME:PID[:DEV,...] with PID a process in the host's namespaces (a
process run by "ip netns exec", so that /proc/PID/root/sys is the
namespace's sysfs), ROLE rx (carp, IP and link counters of a receiver), tx
(eth0's tx counters) or lan (the tx drops of DEV...).  settle=HOST: first
wait until the counters of HOST stop moving (its own advertisements
aside).  sync=B,A: read right after B received an advertisement from A,
twice, until two reads agree, so that no advertisement is half counted.
"""
import collections
import hashlib
import hmac
import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from carp_send import checksum  # noqa: E402

GROUP = "224.0.0.18"
ALLHOSTS = "224.0.0.1"
LBCAST = "255.255.255.255"
ETH_P_IP, ETH_P_8021Q = 0x0800, 0x8100
ETH_P_OTHER = 0x88b5	# IEEE 802 local experimental: no handler here
VLAN = 5		# the receivers' VLAN device, vlan5: no carp on it
CARP_TTL = 255
HDR_LEN = 36
DEV_REASONS = ("badttl", "badsum", "badver", "badauth")

# Categories and their weights in the mix.
CATEGORIES = (
    ("valid", 16), ("badauth", 9), ("badttl", 7), ("badsum", 7), ("badver", 6),
    ("badlen", 6), ("badvhid", 7), ("multi", 10), ("ip_csum", 3), ("ip_hdr", 4),
    ("ip_trunc", 3), ("ip_badopt", 3), ("ip_addrerr", 2), ("otherhost", 3),
    ("vlan_other", 3), ("frag", 5), ("frag_lost", 3), ("frag_overlap", 2),
    ("vmac_other", 6),
)
CARP_FAULTS = ("badauth", "badttl", "badsum", "badver", "badlen", "badvhid")


class ModelError(Exception):
    """The generator made a frame the model cannot account for."""


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def inet(addr):
    return socket.inet_aton(addr)


class Receiver:
    """A host with a carp device on eth0 and a VLAN device, as configured."""

    def __init__(self, spec, vip, bcast):
        f = spec.split(",")
        self.name, self.role = f[0], f[1]
        self.advbase, self.advskew = int(f[2]), int(f[3])
        self.mac, self.ip, self.vlanip = f[4], f[5], f[6]
        self.foreign = [m for m in f[7].split("+") if m]
        self.allow = f[8] == "1"
        self.down_vmac = "00:00:5e:00:01:%02x" % int(f[9])
        self.local = {inet(self.ip), inet(vip), inet(self.vlanip)}
        self.bcast = {"eth0": {inet(LBCAST), inet(bcast)}, "vlan": {inet(LBCAST)}}
        self.groups = {"eth0": {inet(GROUP), inet(ALLHOSTS)}, "vlan": {inet(ALLHOSTS)}}

    def timing(self):
        return self.advbase * 256 + self.advskew

    def safe(self, advbase, advskew):
        """Does an authentic advertisement with this timing leave us as we are?"""
        t = advbase * 256 + advskew
        if self.role == "MASTER":
            return t > self.timing()
        # BACKUP, preempt 0: it waits unless the master is bound to time out.
        return t <= 3 * self.advbase * 256 + self.advskew


class Dest:
    """Where a frame goes: L2 address, VLAN tag, IP destination, who gets it.
    DROP: (receiver, carp device) pairs that get it too, sent to the vMAC
    of that carp device, which is not MASTER: carp drops it."""

    def __init__(self, name, mac, ip, reach, vlan=None, vmac=False, drop=()):
        self.name, self.mac, self.ip = name, mac, ip
        self.reach, self.vlan, self.vmac = reach, vlan, vmac
        self.drop = drop


class Fuzzer:
    def __init__(self, seed, conf):
        self.rng = random.Random(seed)
        self.conf = conf
        self.vip = conf["vip"]
        self.vhid = int(conf["vhid"])
        self.password = conf["pass"].encode()
        self.src = inet(conf["src"])
        self.rx = [Receiver(s, self.vip, conf["bcast"]) for s in conf["rx"]]
        self.expect = {r.name: collections.Counter() for r in self.rx}
        self.sent = collections.Counter()
        self.dests_sent = collections.Counter()
        self.frag_id = self.rng.randrange(65536)
        self.make_dests()

    def make_dests(self):
        """The destinations, with weights, for frames carp should see."""
        every = tuple(self.rx)
        d = [
            (Dest("group", "01:00:5e:00:00:12", GROUP, every), 30),
            (Dest("allhosts", "01:00:5e:00:00:01", ALLHOSTS, every), 6),
            (Dest("bcast", "ff:ff:ff:ff:ff:ff", LBCAST, every), 4),
            (Dest("subnet-bcast", "ff:ff:ff:ff:ff:ff", self.conf["bcast"], every), 4),
            (Dest("vlan-allhosts", "01:00:5e:00:00:01", ALLHOSTS, every, VLAN), 4),
        ]
        for r in self.rx:
            n = r.name
            d += [(Dest("to-" + n, r.mac, r.ip, (r,)), 8),
                  (Dest("vip-" + n, r.mac, self.vip, (r,)), 4),
                  (Dest("vlan-" + n, r.mac, r.vlanip, (r,), VLAN), 3)]
            if r.role == "MASTER":
                vmac = "00:00:5e:00:01:%02x" % self.vhid
                backups = tuple((b, "carp0") for b in self.rx if b.role == "BACKUP")
                d.append((Dest("vmac-" + n, vmac, self.vip, (r,), vmac=True,
                               drop=backups), 5))
        self.dests = d
        self.foreign = [Dest("foreign-" + r.name, m, r.ip, (r,))
                        for r in self.rx for m in r.foreign]
        # Virtual MACs, for frames that are not advertisements.
        self.vmac_dests = [dest for dest, _ in d if dest.vmac]
        self.vmac_dests += [Dest("vmac-down-" + r.name, r.down_vmac, r.ip, (),
                                 drop=((r, "carp1"),)) for r in self.rx]
        self.vmac_dests += [dest for dest in self.foreign
                            if dest.mac.startswith("00:00:5e:00:01:")]

    def pick(self, weighted):
        total = sum(w for _, w in weighted)
        x = self.rng.uniform(0, total)
        for item, w in weighted:
            x -= w
            if x <= 0:
                return item
        return weighted[-1][0]

    # --- building ------------------------------------------------------------

    def timing(self, dest, safe):
        """(advbase, advskew): by the election rules harmless to every
        receiver of DEST if SAFE, else one that would change a state."""
        special = ((1, 0), (1, 1), (0, 0), (0, 255), (3, 100), (3, 101), (255, 255),
                   (2, 0), (1, 255))
        for _ in range(10000):
            if self.rng.random() < 0.3:
                t = self.rng.choice(special)
            else:
                t = (self.rng.choice((0, 1, 1, 2, 3, 3, 4, self.rng.randrange(256))),
                     self.rng.randrange(256))
            ok = [r.safe(*t) for r in dest.reach]
            if (safe and all(ok)) or (not safe and not all(ok)):
                return t
        raise ModelError("no timing for %s safe=%s" % (dest.name, safe))

    def advert(self, dest, faults):
        """A CARP payload that fails FAULTS (names of carp's checks; any
        other word, "danger", only asks for a timing that would change a
        state), and the IP TTL to send it with."""
        rng = self.rng
        advbase, advskew = self.timing(dest, not faults)
        vhid = self.vhid
        hvhid = vhid
        if "badvhid" in faults:
            vhid = rng.choice([v for v in range(256) if v != self.vhid])
            hvhid = rng.choice((vhid, self.vhid))
        counter = rng.getrandbits(64)
        key, addrs, mcounter = self.password, [self.vip], counter
        how = rng.randrange(5) if "badauth" in faults else -1
        if how == 0:
            while key == self.password:
                key = bytes(rng.randrange(33, 127) for _ in range(rng.randrange(1, 20)))
        elif how == 1:
            addrs = rng.choice(([self.vip, "10.0.0.101"], ["10.0.0.1"], []))
        elif how == 2:
            mcounter = counter ^ (1 << rng.randrange(64))
        elif how == 3:
            hvhid = (vhid + rng.randrange(1, 256)) % 256
        msg = bytes([2, 1, hvhid]) + b"".join(inet(a) for a in sorted(addrs, key=inet))
        md = hmac.new(key, msg + struct.pack("!Q", mcounter), hashlib.sha1).digest()
        if how == 4:
            i = rng.randrange(20)
            md = md[:i] + bytes([md[i] ^ 1 << rng.randrange(8)]) + md[i + 1:]
        vt = 0x21
        if "badver" in faults:
            vt = rng.choice((0x11, 0x31, 0x20, 0x22, 0x00, 0xff, 0x12,
                             rng.randrange(256)))
            if vt == 0x21:
                vt = 0x22
        hdr = bytearray(struct.pack("!BBBBBBH", vt, vhid, advskew, 7, 0, advbase, 0) +
                        struct.pack("!Q", counter) + md)
        struct.pack_into("!H", hdr, 6, checksum(bytes(hdr)))
        if "badsum" in faults:
            struct.pack_into("!H", hdr, 6, struct.unpack_from("!H", hdr, 6)[0] ^
                             rng.randrange(1, 65536))
        data = bytes(hdr)
        if "badlen" in faults:
            data = data[:rng.choice((0, 1, 8, 20, 35, rng.randrange(36)))]
        elif rng.random() < 0.1:
            # Longer than a header: only the header counts.
            data += rng.randbytes(rng.choice((1, 4, 100, rng.randrange(1, 1400))))
        ttl = CARP_TTL
        if "badttl" in faults:
            ttl = rng.choice((0, 1, 64, 128, 254, rng.randrange(255)))
        return data, ttl

    def options(self, bad):
        """IP options, a multiple of 4 bytes: harmless ones, or malformed."""
        if bad:
            return self.rng.choice((
                b"\x94\x01\x00\x00",			# router alert, length 1
                b"\x94\x08\x00\x00",			# longer than the header
                b"\x94\x02\x00\x00",			# router alert, too short
                b"\x01\x01\x01\x1e",			# option cut off
                b"\x44\x02\x00\x00"))			# timestamp, too short
        return self.rng.choice((
            b"\x94\x04\x00\x00",			# router alert
            b"\x01\x01\x01\x01",			# no-ops
            b"\x01\x01\x01\x00",			# no-ops, end of list
            b"\x1e\x04\xab\xcd",			# unknown (experimental): ignored
            b"\x94\x04\x00\x00\x01\x01\x01\x00"))

    def iphdr(self, dst, payload_len, ttl, opts=b"", frag=0, ident=None, tos=0x10,
              proto=112):
        """An IPv4 header (protocol 112 unless PROTO) from our address,
        checksummed."""
        ihl = 5 + len(opts) // 4
        if ident is None:
            ident = self.rng.randrange(65536)
        if frag == 0 and self.rng.random() < 0.5:
            frag = 0x4000			# DF
        hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, ihl * 4 + payload_len,
                                    ident, frag, ttl, proto, 0, self.src, inet(dst)) + opts)
        struct.pack_into("!H", hdr, 10, checksum(bytes(hdr)))
        return hdr

    def frame(self, dest, ip, vlan=None):
        eth = mac_bytes(dest.mac) + self.smac
        tag = dest.vlan if dest.vlan is not None else vlan
        if tag is not None:
            eth += struct.pack("!HH", ETH_P_8021Q, (self.rng.randrange(8) << 13) | tag)
        return eth + struct.pack("!H", ETH_P_IP) + bytes(ip)

    # --- the model -------------------------------------------------------------

    def ip_verdict(self, ip):
        """ip_rcv's verdict on these bytes: ok, hdr, csum or trunc."""
        if len(ip) < 20 or ip[0] & 15 < 5 or ip[0] >> 4 != 4:
            return "hdr"
        ihl = (ip[0] & 15) * 4
        if len(ip) < ihl:
            return "hdr"
        if checksum(bytes(ip[:ihl])) != 0:
            return "csum"
        tot = struct.unpack_from("!H", ip, 2)[0]
        if len(ip) < tot:
            return "trunc"
        if tot < ihl:
            return "hdr"
        return "ok"

    def route(self, r, dest, dst):
        """Routing's verdict for destination address DST on R: mcast,
        bcast, local or addrerr."""
        port = "vlan" if dest.vlan == VLAN else "eth0"
        if dst in r.groups[port]:
            return "mcast"
        if dst in r.bcast[port]:
            return "bcast"
        if dst in r.local:
            return "local"
        if dst[0] >= 224:
            raise ModelError("multicast group not joined: %s" % socket.inet_ntoa(dst))
        return "addrerr"

    def l2(self, c, r, dest, vlan, ip=True):
        """Counts of the device; False if the frame goes no further."""
        c["link.eth0.rx_packets"] += 1
        tag = dest.vlan if dest.vlan is not None else vlan
        if tag not in (None, 0, VLAN) or dest.mac in r.foreign:
            c["link.eth0.rx_otherhost_dropped" if ip else "link.eth0.rx_dropped"] += 1
            return False
        if tag == VLAN:
            c["link.vlan5.rx_packets"] += 1
        if dest.vmac and tag in (None, 0):
            c["link.carp0.rx_packets"] += 1
        return True

    def dropped(self, dest, vlan, ip=True):
        """The counts of a frame on the hosts in DEST.drop: carp's hook
        drops it unless a VLAN tag (not a priority tag) leads it past."""
        tag = dest.vlan if dest.vlan is not None else vlan
        for r, dev in dest.drop:
            c = self.expect[r.name]
            c["link.eth0.rx_packets"] += 1
            if tag in (None, 0):
                c["link.%s.rx_otherhost_dropped" % dev] += 1
            elif ip:
                c["link.eth0.rx_otherhost_dropped"] += 1
            else:
                c["link.eth0.rx_dropped"] += 1

    def l3(self, c, r, dest, ip, badopts=False):
        """Counts of ip_rcv and routing; the route if the frame goes on."""
        c["ip.InReceives"] += 1
        v = self.ip_verdict(ip)
        if v == "csum":
            c["ipext.InCsumErrors"] += 1
        if v in ("hdr", "csum"):
            c["ip.InHdrErrors"] += 1
            return None
        if v == "trunc":
            c["ipext.InTruncatedPkts"] += 1
            return None
        rt = self.route(r, dest, bytes(ip[16:20]))
        if badopts:
            c["ip.InHdrErrors"] += 1
            return None
        if rt == "addrerr":
            c["ip.InAddrErrors"] += 1
            return None
        if rt == "mcast":
            c["ipext.InMcastPkts"] += 1
        elif rt == "bcast":
            c["ipext.InBcastPkts"] += 1
        return rt

    def carp(self, c, r, dest, payload, ttl):
        """carp_rcv's counts; raises if an accepted frame changed a state."""
        c["ip.InDelivers"] += 1
        c["carp.ipackets"] += 1
        if not r.allow:
            c["carp.disallowed"] += 1
            return
        if dest.vlan == VLAN:
            c["carp.badif"] += 1
            return
        if len(payload) < HDR_LEN:
            c["carp.badlen"] += 1
            return
        hdr = bytes(payload[:HDR_LEN])
        found = hdr[1] == self.vhid
        if found:
            c["dev.ipackets"] += 1
        counter = hdr[8:16]
        msg = bytes([2, 1, hdr[1]]) + inet(self.vip) + counter
        if hdr[0] != 0x21:
            why = "badver"
        elif ttl != CARP_TTL:
            why = "badttl"
        elif checksum(hdr) != 0:
            why = "badsum"
        elif not found:
            why = "badvhid"
        elif not hmac.compare_digest(hmac.new(self.password, msg, hashlib.sha1).digest(),
                                     hdr[16:36]):
            why = "badauth"
        else:
            if not r.safe(hdr[5], hdr[2]):
                raise ModelError("an accepted advertisement %u/%u would change %s"
                                 % (hdr[5], hdr[2], r.name))
            return
        c["carp." + why] += 1
        if found and why in DEV_REASONS:
            c["dev." + why] += 1

    def account(self, dest, ip, vlan=None, badopts=False):
        """The counts of one whole datagram, on every host it reaches."""
        self.dropped(dest, vlan)
        for r in dest.reach:
            c = self.expect[r.name]
            if not self.l2(c, r, dest, vlan) or not self.l3(c, r, dest, ip, badopts):
                continue
            ihl = (ip[0] & 15) * 4
            tot = struct.unpack_from("!H", ip, 2)[0]
            self.carp(c, r, dest, ip[ihl:tot], ip[8])

    # --- categories -------------------------------------------------------------

    def carp_dest(self):
        return self.pick(self.dests)

    def prio_tag(self, dest):
        """A priority tag (VLAN 0) now and then: the same as no tag."""
        if dest.vlan is None and self.rng.random() < 0.1:
            return 0
        return None

    def single(self, faults):
        """One datagram with FAULTS of carp's checks."""
        dest = self.carp_dest()
        data, ttl = self.advert(dest, faults)
        opts = self.options(False) if self.rng.random() < 0.15 else b""
        tos = self.rng.randrange(256) if self.rng.random() < 0.1 else 0x10
        ip = self.iphdr(dest.ip, len(data), ttl, opts, tos=tos) + data
        vlan = self.prio_tag(dest)
        if self.rng.random() < 0.05:
            ip += self.rng.randbytes(self.rng.randrange(1, 30))	# Ethernet padding
        self.account(dest, ip, vlan)
        return dest, [self.frame(dest, ip, vlan)]

    def cat_valid(self):
        return self.single(())

    def cat_multi(self):
        n = self.rng.randrange(2, len(CARP_FAULTS) + 1)
        return self.single(tuple(self.rng.sample(CARP_FAULTS, n)))

    def cat_ip(self, kind):
        """IP's own checks fail: the advertisement inside never counts."""
        rng = self.rng
        dest = self.carp_dest()
        data, _ = self.advert(dest, ("danger",))
        badopts = kind == "ip_badopt"
        opts = self.options(True) if badopts else b""
        ip = self.iphdr(dest.ip, len(data), CARP_TTL, opts) + data
        vlan = self.prio_tag(dest)
        # A tag with less than 2 bytes after it never reaches anyone: the
        # switch's skb_vlan_untag() frees it.
        least = 0 if dest.vlan is None and vlan is None else 2
        if kind == "ip_addrerr":
            r = rng.choice(dest.reach)
            dest = Dest("wrong-ip-" + r.name, r.mac, None, (r,))
            dst = rng.choice(("10.0.0.%d" % rng.choice((3, 4, 99, 200, 254)),
                              "192.0.2.%d" % rng.randrange(1, 255)))
            ip[16:20] = inet(dst)
            ip[10:12] = b"\0\0"
            struct.pack_into("!H", ip, 10, checksum(bytes(ip[:20])))
        elif kind == "ip_csum":
            struct.pack_into("!H", ip, 10, struct.unpack_from("!H", ip, 10)[0] ^
                             rng.randrange(1, 65536))
        elif kind == "ip_trunc":
            how = rng.randrange(3)
            if how == 0:
                ip = ip[:rng.randrange(20, len(ip))]	# the frame cut short
            else:
                tot = rng.choice((len(ip) + 1, 1500, 65535, rng.randrange(len(ip) + 1,
                                                                          65536)))
                struct.pack_into("!H", ip, 2, tot)
                struct.pack_into("!H", ip, 10, 0)
                struct.pack_into("!H", ip, 10, checksum(bytes(ip[:20])))
        elif kind == "ip_hdr":
            how = rng.randrange(5)
            if how == 0:
                ip = ip[:rng.choice((least, least + 1, 19, rng.randrange(least, 20)))]
            elif how == 1:
                ip[0] = rng.choice((0, 6, 15, rng.randrange(16))) << 4 | 5
                if ip[0] >> 4 == 4:
                    ip[0] = 0x65
            elif how == 2:
                ip[0] = 0x40 | rng.randrange(5)
            elif how == 3:
                # A header length the frame does not have.
                ihl = rng.randrange(6, 16)
                ip = ip[:rng.randrange(20, min(len(ip), ihl * 4))]
                ip[0] = 0x40 | ihl
            else:
                struct.pack_into("!H", ip, 2, rng.randrange(20))
                struct.pack_into("!H", ip, 10, 0)
                struct.pack_into("!H", ip, 10, checksum(bytes(ip[:20])))
        self.account(dest, ip, vlan, badopts)
        return dest, [self.frame(dest, ip, vlan)]

    def cat_otherhost(self):
        dest = self.rng.choice(self.foreign)
        data, ttl = self.advert(dest, ("danger",))
        ip = self.iphdr(dest.ip, len(data), ttl) + data
        self.account(dest, ip)
        return dest, [self.frame(dest, ip)]

    def cat_vlan_other(self):
        dest = self.carp_dest()
        while dest.vlan is not None:
            dest = self.carp_dest()
        vlan = self.rng.choice([v for v in (1, 2, 4, 6, 7, 100, 4094) if v != VLAN])
        data, ttl = self.advert(dest, ("danger",))
        ip = self.iphdr(dest.ip, len(data), ttl) + data
        self.account(dest, ip, vlan)
        return dest, [self.frame(dest, ip, vlan)]

    def cat_vmac_other(self):
        """To a virtual MAC: IPv4/UDP to the address behind it, to a port
        nothing listens on, or an EtherType without a handler."""
        rng = self.rng
        dest = rng.choice(self.vmac_dests)
        eth = mac_bytes(dest.mac) + self.smac
        if rng.random() < 0.3:
            frame = eth + struct.pack("!H", ETH_P_OTHER) + rng.randbytes(rng.randrange(46, 200))
            self.dropped(dest, None, ip=False)
            for r in dest.reach:
                c = self.expect[r.name]
                if self.l2(c, r, dest, None, ip=False):
                    c["link.eth0.rx_dropped"] += 1
            return dest, [frame]
        data = rng.randbytes(rng.randrange(0, 200))
        udp = bytearray(struct.pack("!HHHH", rng.randrange(1024, 65536),
                                    rng.choice((9, 7, 53, rng.randrange(33434, 33535))),
                                    8 + len(data), 0) + data)
        pseudo = self.src + inet(dest.ip) + struct.pack("!BBH", 0, 17, len(udp))
        struct.pack_into("!H", udp, 6, checksum(pseudo + bytes(udp)) or 0xffff)
        ip = self.iphdr(dest.ip, len(udp), 64, proto=17) + udp
        self.dropped(dest, None)
        for r in dest.reach:
            c = self.expect[r.name]
            if not self.l2(c, r, dest, None):
                continue
            if self.l3(c, r, dest, ip) != "local":
                raise ModelError("UDP to %s: not local" % dest.name)
            c["ip.InDelivers"] += 1
            c["udp.NoPorts"] += 1
        return dest, [eth + struct.pack("!H", ETH_P_IP) + bytes(ip)]

    def fragments(self, dest, data, ttl):
        """DATA cut into 2 to 4 pieces, each a whole IP datagram."""
        rng = self.rng
        self.frag_id = (self.frag_id + 1) % 65536
        cuts = sorted(rng.sample(range(8, len(data), 8), min(rng.randrange(1, 4),
                                                            (len(data) - 1) // 8)))
        bounds = [0] + cuts + [len(data)]
        pieces = []
        for i in range(len(bounds) - 1):
            off, end = bounds[i], bounds[i + 1]
            flags = 0x2000 if end < len(data) else 0
            ip = self.iphdr(dest.ip, end - off, ttl, frag=flags | off // 8,
                            ident=self.frag_id) + data[off:end]
            pieces.append(ip)
        return pieces

    def frag_counts(self, dest, pieces, vlan):
        """The counts of each fragment up to defrag; the hosts that got them."""
        got = []
        for _ in pieces:
            self.dropped(dest, vlan)
        for r in dest.reach:
            c = self.expect[r.name]
            for ip in pieces:
                self.l2(c, r, dest, vlan)
                self.l3(c, r, dest, ip)
                c["ip.ReasmReqds"] += 1
            got.append((r, c))
        return got

    def frag_dest(self):
        dest = self.carp_dest()
        return dest, self.prio_tag(dest)

    def cat_frag(self):
        rng = self.rng
        dest, vlan = self.frag_dest()
        faults = rng.choice(((), (), ("badauth",), ("badttl",), ("badsum",), ("badver",),
                             ("badvhid",), ("badlen",), ("badttl", "badauth")))
        data, ttl = self.advert(dest, faults)
        while len(data) < 9:
            data, ttl = self.advert(dest, faults)
        pieces = self.fragments(dest, data, ttl)
        for r, c in self.frag_counts(dest, pieces, vlan):
            c["ip.ReasmOKs"] += 1
            self.carp(c, r, dest, data, ttl)
        rng.shuffle(pieces)
        return dest, [self.frame(dest, ip, vlan) for ip in pieces]

    def cat_frag_lost(self):
        rng = self.rng
        dest, vlan = self.frag_dest()
        data, ttl = self.advert(dest, ("danger",))
        pieces = self.fragments(dest, data, ttl)
        pieces = rng.sample(pieces, rng.randrange(1, len(pieces)))
        for r, c in self.frag_counts(dest, pieces, vlan):
            c["ip.ReasmFails"] += 1
            c["ip.ReasmTimeout"] += 1
        return dest, [self.frame(dest, ip, vlan) for ip in pieces]

    def cat_frag_overlap(self):
        """Two fragments sharing bytes: the datagram is dropped at once."""
        rng = self.rng
        dest, vlan = self.frag_dest()
        data, ttl = self.advert(dest, ("danger",))
        self.frag_id = (self.frag_id + 1) % 65536
        first = self.iphdr(dest.ip, 24, ttl, frag=0x2000, ident=self.frag_id) + data[:24]
        off = rng.choice((8, 16))
        second = self.iphdr(dest.ip, len(data) - off, ttl, frag=off // 8,
                            ident=self.frag_id) + data[off:]
        pieces = [first, second]
        for r, c in self.frag_counts(dest, pieces, vlan):
            c["ipext.ReasmOverlaps"] += 1
            c["ip.ReasmFails"] += 1
        return dest, [self.frame(dest, ip, vlan) for ip in pieces]

    def event(self):
        """The frames of one random event, and what they count."""
        cat = self.pick(CATEGORIES)
        if cat == "valid":
            dest, frames = self.cat_valid()
        elif cat in CARP_FAULTS:
            dest, frames = self.single((cat,))
        elif cat == "multi":
            dest, frames = self.cat_multi()
        elif cat.startswith("ip_"):
            dest, frames = self.cat_ip(cat)
        else:
            dest, frames = getattr(self, "cat_" + cat)()
        self.sent[cat] += len(frames)
        self.dests_sent[dest.name] += len(frames)
        return frames


def send(argv):
    dev, seed, seconds, rate = argv[0], int(argv[1]), float(argv[2]), float(argv[3])
    conf = {"rx": []}
    for arg in argv[4:]:
        k, v = arg.split("=", 1)
        if k == "rx":
            conf["rx"].append(v)
        else:
            conf[k] = v
    fz = Fuzzer(seed, conf)
    with open("/sys/class/net/%s/address" % dev) as f:
        fz.smac = mac_bytes(f.read().strip())
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    frames = 0
    begin = start = time.monotonic()
    while True:
        now = time.monotonic()
        if now - begin >= seconds:
            break
        due = start + frames / rate
        if due > now:
            time.sleep(due - now)
        elif now - due > 0.1:
            # Stalled: no burst to catch up, it could overflow a backlog.
            start += now - due
        for fr in fz.event():
            s.send(fr)
            frames += 1
    took = time.monotonic() - begin
    out = ["seed %d" % seed, "seconds %.1f" % took, "rate %.0f" % (frames / took),
           "frames %d" % frames]
    out += ["sent %s %d" % kv for kv in sorted(fz.sent.items())]
    out += ["dest %s %d" % kv for kv in sorted(fz.dests_sent.items())]
    out.append("expect %s link.eth0.tx_packets %d" % (conf["tx"], frames))
    for name, c in fz.expect.items():
        out += ["expect %s %s %d" % (name, k, v) for k, v in sorted(c.items())]
    print("\n".join(out))


# --- counters --------------------------------------------------------------------

CLONE_NEWNET = 0x40000000
RTM_NEWLINK, RTM_GETLINK, NLM_F_REQUEST, IFLA_IFNAME, IFLA_STATS64 = 16, 18, 1, 3, 23
STATS64 = {"rx_packets": 0, "tx_packets": 1, "rx_dropped": 6, "tx_dropped": 7,
           "rx_otherhost_dropped": 24}
SNMP = ("InReceives", "InHdrErrors", "InAddrErrors", "InUnknownProtos", "InDiscards",
        "InDelivers", "ReasmReqds", "ReasmOKs", "ReasmFails", "ReasmTimeout")
IPEXT = ("InNoRoutes", "InTruncatedPkts", "InMcastPkts", "InBcastPkts", "InCsumErrors",
         "ReasmOverlaps")
SYSFS = ("ipackets", "badttl", "badsum", "badver", "badauth", "opackets", "oerrors",
         "preempt")
UDP = ("NoPorts", "InErrors")
RX_LINKS = {"eth0": ("rx_packets", "rx_dropped", "rx_otherhost_dropped"),
            "vlan5": ("rx_packets", "rx_dropped"),
            "carp0": ("rx_packets", "rx_otherhost_dropped"),
            "carp1": ("rx_packets", "rx_otherhost_dropped")}


def rtnl_socket(pid):
    """A NETLINK_ROUTE socket in the network namespace of PID."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/proc/%d/ns/net" % pid, os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    finally:
        libc.setns(own, CLONE_NEWNET)
        os.close(own)
        os.close(target)


def link_stats(sock, dev):
    ifname = dev.encode() + b"\0"
    attr = struct.pack("HH", 4 + len(ifname), IFLA_IFNAME) + ifname
    attr += b"\0" * (-len(attr) % 4)
    body = struct.pack("BxHiII", 0, 0, 0, 0, 0) + attr
    sock.send(struct.pack("IHHII", 16 + len(body), RTM_GETLINK, NLM_F_REQUEST, 1, 0) + body)
    data = sock.recv(65536)
    mlen, mtype = struct.unpack_from("IH", data, 0)
    if mtype != RTM_NEWLINK:
        raise OSError("no device %s" % dev)
    i = 32
    while i + 4 <= mlen:
        alen, atype = struct.unpack_from("HH", data, i)
        if alen < 4:
            break
        if atype & 0x3fff == IFLA_STATS64 and alen - 4 >= 25 * 8:
            return struct.unpack_from("25Q", data, i + 4)
        i += (alen + 3) & ~3
    raise OSError("no IFLA_STATS64 for %s" % dev)


def proc_table(path, prefix):
    with open(path) as f:
        lines = [ln.split() for ln in f if ln.startswith(prefix)]
    return dict(zip(lines[0][1:], (int(v) for v in lines[1][1:])))


class Host:
    def __init__(self, spec):
        f = spec.split(":")
        self.role, self.name, self.pid = f[0], f[1], int(f[2])
        self.devs = f[3].split(",") if len(f) > 3 and f[3] else []
        self.sock = rtnl_socket(self.pid)

    def read(self):
        v = {}
        proc = "/proc/%d" % self.pid
        if self.role == "rx":
            with open(proc + "/net/carp_stats") as f:
                for ln in f:
                    k, n = ln.split()
                    v["carp." + k] = int(n)
            for k in SYSFS:
                with open(proc + "/root/sys/class/net/carp0/carp/" + k) as f:
                    v["dev." + k] = int(f.read())
            snmp = proc_table(proc + "/net/snmp", "Ip:")
            v.update(("ip." + k, snmp[k]) for k in SNMP)
            ext = proc_table(proc + "/net/netstat", "IpExt:")
            v.update(("ipext." + k, ext[k]) for k in IPEXT)
            udp = proc_table(proc + "/net/snmp", "Udp:")
            v.update(("udp." + k, udp[k]) for k in UDP)
            links = RX_LINKS
        elif self.role == "tx":
            links = {"eth0": ("tx_packets", "tx_dropped")}
        else:
            links = {d: ("tx_dropped",) for d in self.devs}
        for dev, keys in links.items():
            st = link_stats(self.sock, dev)
            v.update(("link.%s.%s" % (dev, k), st[STATS64[k]]) for k in keys)
        return v


def read_all(hosts):
    return {h.name: h.read() for h in hosts}


def moving(old, new):
    """Keys that changed, a host's own advertisements aside."""
    return [k for k in new if new[k] != old[k] and not k.endswith("opackets")]


def settle(host):
    """Wait until the counters of HOST stand still for half a second."""
    end = time.monotonic() + 30
    old, still = host.read(), 0
    while still < 2:
        time.sleep(0.25)
        new = host.read()
        still = 0 if moving(old, new) else still + 1
        if time.monotonic() > end:
            raise OSError("%s does not settle: %s" % (host.name, " ".join(moving(old, new))))
        old = new


def synced(hosts, b, a):
    """Every host's counters, read right after B got an advertisement of A."""
    end = time.monotonic() + 30
    while True:
        base = b.read()["dev.ipackets"]
        while b.read()["dev.ipackets"] == base:
            if time.monotonic() > end:
                raise OSError("no advertisement from %s reached %s" % (a.name, b.name))
            time.sleep(0.01)
        # Its last counter (InDelivers) moves after carp's.
        time.sleep(0.05)
        snap = read_all(hosts)
        time.sleep(0.05)
        if read_all(hosts) == snap:
            return snap


def serve(argv):
    """Snapshots on request: "FILE [sync=B,A] [settle=HOST]" lines on stdin,
    each answered with "ok" or "error: ..." on stdout once FILE is written."""
    hosts = [Host(s) for s in argv]
    byname = {h.name: h for h in hosts}
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        try:
            sync = None
            for w in words[1:]:
                if w.startswith("settle="):
                    settle(byname[w[7:]])
                elif w.startswith("sync="):
                    sync = [byname[n] for n in w[5:].split(",")]
            snap = synced(hosts, *sync) if sync else read_all(hosts)
            with open(words[0], "w") as f:
                for name, v in snap.items():
                    f.write("".join("%s %s %d\n" % (name, k, v[k]) for k in sorted(v)))
            print("ok", flush=True)
        except Exception as e:  # whatever it is, the caller reports it
            print("error: %s: %s" % (type(e).__name__, e), flush=True)


def main():
    if len(sys.argv) > 5 and sys.argv[1] == "send":
        send(sys.argv[2:])
    elif len(sys.argv) > 2 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
