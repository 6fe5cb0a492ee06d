#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Capture CARP advertisements, check them and save them as pcap.

usage: carp_capture.py IFACE COUNT OUT.pcap PASSWORD ADDR [TIMEOUT_S]

For each advertisement prints one line:
  src=<ethernet source> ttl=255 tos=0x10 len=56 vhid=1 advbase=1 advskew=0
  authlen=7 cksum=ok hmac=ok
where hmac=ok means HMAC-SHA1(PASSWORD, 02 01 vhid ADDR counter) matches.
"""
import hashlib
import hmac
import socket
import struct
import sys
import time


def cksum_ok(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def main():
    iface, count, out, password, addr = sys.argv[1:6]
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 10
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((iface, 0x0800))
    frames = []
    end = time.monotonic() + timeout
    while len(frames) < int(count) and time.monotonic() < end:
        s.settimeout(max(end - time.monotonic(), 0.01))
        try:
            frame = s.recv(2048)
        except socket.timeout:
            break
        if len(frame) < 14 + 20 or frame[14 + 9] != 112:
            continue
        frames.append(frame)
        ip, carp = frame[14:34], frame[34:]
        ver_type, vhid, skew, authlen, _, base = struct.unpack("!BBBBBB", carp[:6])
        msg = bytes([2, 1, vhid]) + socket.inet_aton(addr) + carp[8:16]
        md = hmac.new(password.encode(), msg, hashlib.sha1).digest()
        print("src=%s ttl=%d tos=0x%02x len=%d ver=%d type=%d vhid=%d advbase=%d "
              "advskew=%d authlen=%d cksum=%s hmac=%s" % (
                  frame[6:12].hex(":"), ip[8], ip[1], struct.unpack("!H", ip[2:4])[0],
                  ver_type >> 4, ver_type & 15, vhid, base, skew, authlen,
                  "ok" if cksum_ok(carp[:36]) else "bad",
                  "ok" if md == carp[16:36] else "bad"), flush=True)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for frame in frames:
            t = time.time()
            f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
