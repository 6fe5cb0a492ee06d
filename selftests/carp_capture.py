#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Capture CARP advertisements, check them and save them as pcap.

usage: carp_capture.py IFACE COUNT OUT.pcap PASSWORD ADDRS [TIMEOUT_S] [VHID]

ADDRS: the group's addresses, comma-separated, IPv4 and IPv6.  Captures
COUNT advertisements of either family (of VHID only, if given); for each
prints one line, for IPv4:
  src=<ethernet source> ttl=255 tos=0x10 len=56 vhid=1 advbase=1 advskew=0
  authlen=7 cksum=ok hmac=ok at=<CLOCK_BOOTTIME s>
and for IPv6:
  src=<ethernet source> ip6 hlim=255 dst=ff02::12 ip6src=link-local plen=36
  vhid=1 ... hmac=ok
where hmac=ok means HMAC-SHA1(PASSWORD, 02 01 vhid, the IPv4 addresses in
ascending order, the IPv6 ones in ascending order, counter) matches, and
at= is when it arrived, on the clock of /proc/uptime.  "listening" on
stderr once the socket is bound.
"""
import hashlib
import hmac
import socket
import struct
import sys
import time

ETH_P_ALL = 3


def cksum_ok(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def packed_addrs(addrs):
    v4 = sorted(socket.inet_pton(socket.AF_INET, a) for a in addrs if ":" not in a)
    v6 = sorted(socket.inet_pton(socket.AF_INET6, a) for a in addrs if ":" in a)
    return b"".join(v4) + b"".join(v6)


def main():
    iface, count, out, password, addrs = sys.argv[1:6]
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 10
    want_vhid = int(sys.argv[7]) if len(sys.argv) > 7 else None
    hashed = packed_addrs(addrs.split(","))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    print("listening", file=sys.stderr, flush=True)
    frames = []
    end = time.monotonic() + timeout
    while len(frames) < int(count) and time.monotonic() < end:
        s.settimeout(max(end - time.monotonic(), 0.01))
        try:
            frame, sa = s.recvfrom(2048)
        except socket.timeout:
            break
        at = time.clock_gettime(time.CLOCK_BOOTTIME)
        if sa[2] == socket.PACKET_OUTGOING or len(frame) < 14 + 20 + 36:
            continue
        etype = struct.unpack("!H", frame[12:14])[0]
        if etype == 0x0800 and frame[14 + 9] == 112:
            ip, carp = frame[14:34], frame[34:]
            head = "ttl=%d tos=0x%02x len=%d" % (ip[8], ip[1], struct.unpack("!H", ip[2:4])[0])
        elif etype == 0x86DD and len(frame) >= 14 + 40 + 36 and frame[14 + 6] == 112:
            ip, carp = frame[14:54], frame[54:]
            src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
            head = "ip6 hlim=%d dst=%s ip6src=%s plen=%d" % (
                ip[7], socket.inet_ntop(socket.AF_INET6, ip[24:40]),
                "link-local" if src.startswith("fe80:") else src,
                struct.unpack("!H", ip[4:6])[0])
        else:
            continue
        ver_type, vhid, skew, authlen, _, base = struct.unpack("!BBBBBB", carp[:6])
        if want_vhid is not None and vhid != want_vhid:
            continue
        frames.append(frame)
        msg = bytes([2, 1, vhid]) + hashed + carp[8:16]
        md = hmac.new(password.encode(), msg, hashlib.sha1).digest()
        print("src=%s %s ver=%d type=%d vhid=%d advbase=%d "
              "advskew=%d authlen=%d cksum=%s hmac=%s at=%.3f" % (
                  frame[6:12].hex(":"), head,
                  ver_type >> 4, ver_type & 15, vhid, base, skew, authlen,
                  "ok" if cksum_ok(carp[:36]) else "bad",
                  "ok" if md == carp[16:36] else "bad", at), flush=True)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for frame in frames:
            t = time.time()
            f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
