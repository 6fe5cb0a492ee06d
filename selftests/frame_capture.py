#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print a one-line summary of every frame an interface receives.

usage: frame_capture.py IFACE STOPFILE [MAX_SECONDS]

Prints "ready" once the socket is bound, then one line per received frame
until STOPFILE exists (checked every 0.1 s) or MAX_SECONDS (default 60)
have passed:

  eth SRC DST arp op=1 sha=MAC spa=IP tha=MAC tpa=IP
  eth SRC DST ip proto=1 src=IP dst=IP icmp type=8 pat=HEX
  eth SRC DST ip proto=112 src=IP dst=IP carp vhid=N
  eth SRC DST type=0x86dd

A VLAN tag (in the frame or in the packet's metadata) adds vlan=VID after
DST.  Frames the interface sends itself are not shown.  The interface is
put in promiscuous mode while the capture runs, so frames flooded to other
hosts' MACs show up too.
"""
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4


def mac(b):
    return b.hex(":")


def summary(frame, vlan):
    if len(frame) < 14:
        return None
    dst, src, etype = frame[0:6], frame[6:12], struct.unpack("!H", frame[12:14])[0]
    off = 14
    if etype == 0x8100 and len(frame) >= 18:
        vlan = struct.unpack("!H", frame[14:16])[0] & 0xfff
        etype = struct.unpack("!H", frame[16:18])[0]
        off = 18
    head = "eth %s %s" % (mac(src), mac(dst))
    if vlan is not None:
        head += " vlan=%d" % vlan
    body = frame[off:]
    if etype == 0x0806 and len(body) >= 28:
        op, sha, spa, tha, tpa = struct.unpack("!6xH6s4s6s4s", body[:28])
        return "%s arp op=%d sha=%s spa=%s tha=%s tpa=%s" % (
            head, op, mac(sha), socket.inet_ntoa(spa), mac(tha), socket.inet_ntoa(tpa))
    if etype == 0x0800 and len(body) >= 20:
        ihl = (body[0] & 15) * 4
        proto = body[9]
        line = "%s ip proto=%d src=%s dst=%s ttl=%d" % (
            head, proto, socket.inet_ntoa(body[12:16]), socket.inet_ntoa(body[16:20]),
            body[8])
        l4 = body[ihl:]
        if proto == 1 and len(l4) >= 8:
            line += " icmp type=%d pat=%s" % (l4[0], l4[-4:].hex())
        elif proto == 112 and len(l4) >= 2:
            line += " carp vhid=%d" % l4[1]
        return line
    return "%s type=0x%04x" % (head, etype)


def main():
    iface, stopfile = sys.argv[1:3]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    ifindex = socket.if_nametoindex(iface)
    mreq = struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b"")
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
    s.settimeout(0.1)
    print("ready", flush=True)
    end = time.monotonic() + limit
    while time.monotonic() < end and not os.path.exists(stopfile):
        try:
            frame, anc, _, addr = s.recvmsg(4096, socket.CMSG_SPACE(32))
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING:
            continue
        vlan = None
        for level, typ, data in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA and len(data) >= 20:
                status = struct.unpack("I", data[:4])[0]
                tci = struct.unpack("H", data[16:18])[0]
                if status & TP_STATUS_VLAN_VALID:
                    vlan = tci & 0xfff
        line = summary(frame, vlan)
        if line:
            print(line, flush=True)


if __name__ == "__main__":
    main()
