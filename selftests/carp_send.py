#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made CARP advertisements, good or deliberately broken.

usage: carp_send.py DEV SRC VHID PASS ADDR [option=value ...]

options: advbase=1 advskew=0 ttl=255 version=2 type=1 counter=1 count=1
         length=36 (shorter truncates) badsum=1 (corrupt the checksum)
         ipopt=1 (an IP Router Alert option: a 24-byte IP header)

The HMAC is computed the way the protocol reference describes: HMAC-SHA1
keyed with the password over 02 01 vhid ADDR counter.
"""
import hashlib
import hmac
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def advert(vhid, password, addr, o):
    counter = struct.pack("!Q", o["counter"])
    msg = bytes([2, 1, vhid]) + socket.inet_aton(addr) + counter
    md = hmac.new(password.encode(), msg, hashlib.sha1).digest()
    hdr = bytearray(struct.pack("!BBBBBBH", o["version"] << 4 | o["type"], vhid,
                                o["advskew"], 7, 0, o["advbase"], 0) + counter + md)
    struct.pack_into("!H", hdr, 6, checksum(bytes(hdr)))
    if o["badsum"]:
        hdr[6] ^= 0xff
    return bytes(hdr[:o["length"]])


def main():
    dev, src, vhid, password, addr = sys.argv[1:6]
    o = dict(advbase=1, advskew=0, ttl=255, version=2, type=1, counter=1,
             count=1, length=36, badsum=0, ipopt=0)
    for arg in sys.argv[6:]:
        k, v = arg.split("=")
        o[k] = int(v, 0)
    payload = advert(int(vhid), password, addr, o)
    opts = b"\x94\x04\x00\x00" if o["ipopt"] else b""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45 + len(opts) // 4, 0x10,
                     20 + len(opts) + len(payload), 0, 0x4000,
                     o["ttl"], 112, 0, socket.inet_aton(src),
                     socket.inet_aton("224.0.0.18")) + opts
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    for _ in range(o["count"]):
        s.sendto(ip + payload, ("224.0.0.18", 0))


if __name__ == "__main__":
    main()
