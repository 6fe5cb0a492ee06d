#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made ARP requests, one at a time, and report every reply.

usage: arp_craft.py IFACE TARGET_IP SECONDS PROBE...

PROBE is NAME[,key=value...] with the keys
  dst=MAC   Ethernet destination (default ff:ff:ff:ff:ff:ff)
  sha=MAC   ARP sender hardware address (default the interface's MAC)
  spa=IP    ARP sender protocol address (default 0.0.0.0)
  tpa=IP    ARP target protocol address (default TARGET_IP)
  vlan=VID  add an 802.1Q tag with this VID
  hrd=N     ARP hardware type (default 1, Ethernet; 6 is IEEE 802)
  count=N   send the request N times (default 1)
The Ethernet source is always the interface's MAC.

After each probe it listens SECONDS for ARP replies to it (sender protocol
address the probe's tpa, target protocol address the probe's spa; give
every probe its own spa to tell late replies apart) and prints one line:

  NAME N [SHA/ETHSRC ...]

N replies, each as its ARP sender hardware address and Ethernet source.
The interface is promiscuous meanwhile: replies to odd MACs count too.
"""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_OUTGOING = 4


def parse_mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def request(own, o, target):
    sha = parse_mac(o["sha"]) if "sha" in o else own
    arp = struct.pack("!HHBBH6s4s6s4s", int(o.get("hrd", 1)), 0x0800, 6, 4, 1, sha,
                      socket.inet_aton(o.get("spa", "0.0.0.0")), b"\0" * 6,
                      socket.inet_aton(o.get("tpa", target)))
    eth = parse_mac(o.get("dst", "ff:ff:ff:ff:ff:ff")) + own
    if "vlan" in o:
        eth += struct.pack("!HH", 0x8100, int(o["vlan"]) & 0xfff)
    return eth + struct.pack("!H", ETH_P_ARP) + arp


def replies(s, tpa, spa, wait):
    seen = []
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return seen
        s.settimeout(left)
        try:
            frame, addr = s.recvfrom(2048)
        except socket.timeout:
            return seen
        if addr[2] == PACKET_OUTGOING:
            continue
        off = 12
        while frame[off:off + 2] == b"\x81\x00":
            off += 4
        if frame[off:off + 2] != b"\x08\x06" or len(frame) < off + 2 + 28:
            continue
        op, sha, rspa, rtpa = struct.unpack("!6xH6s4s6x4s", frame[off + 2:off + 2 + 28])
        if op == 2 and socket.inet_ntoa(rspa) == tpa and socket.inet_ntoa(rtpa) == spa:
            seen.append("%s/%s" % (sha.hex(":"), frame[6:12].hex(":")))


def main():
    iface, target, wait = sys.argv[1], sys.argv[2], float(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    mreq = struct.pack("iHH8s", socket.if_nametoindex(iface), PACKET_MR_PROMISC, 0, b"")
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
    own = s.getsockname()[4]
    for spec in sys.argv[4:]:
        name, *kvs = spec.split(",")
        o = dict(kv.split("=", 1) for kv in kvs)
        frame = request(own, o, target)
        for _ in range(int(o.get("count", 1))):
            s.send(frame)
        seen = replies(s, o.get("tpa", target), o.get("spa", "0.0.0.0"), wait)
        print(" ".join([name, str(len(seen))] + seen), flush=True)


if __name__ == "__main__":
    main()
