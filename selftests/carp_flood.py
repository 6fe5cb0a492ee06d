#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Flood one link with bad advertisements, then send one on another link.

usage: carp_flood.py DEV1 SRC1 COUNT DEV2 SRC2 [ttl=1] [vhid=1]

Sends COUNT advertisements with a bad TTL (every other field valid) out of
DEV1 from SRC1, then, right after the last one, a single such advertisement
out of DEV2 from SRC2; both links belong to the namespace this runs in.
Prints how long the flood took.  For the per-namespace log rate limit: the
receiver on DEV2 must still log its one bad packet.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from carp_send import advert  # noqa: E402


def packet(src, o):
    payload = advert(o["vhid"], "", "0.0.0.0", o)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0x10, 20 + len(payload), 0, 0x4000,
                     o["ttl"], 112, 0, socket.inet_aton(src),
                     socket.inet_aton("224.0.0.18"))
    return ip + payload


def sock(dev):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    return s


def main():
    dev1, src1, count, dev2, src2 = sys.argv[1:6]
    o = dict(advbase=1, advskew=0, ttl=1, version=2, type=1, counter=1,
             length=36, badsum=0, vhid=1)
    for arg in sys.argv[6:]:
        k, v = arg.split("=")
        o[k] = int(v, 0)
    s1, s2 = sock(dev1), sock(dev2)
    p1, p2 = packet(src1, o), packet(src2, o)
    start = time.monotonic()
    for _ in range(int(count)):
        try:
            s1.sendto(p1, ("224.0.0.18", 0))
        except OSError:		# a full queue: carry on
            time.sleep(0.001)
    s2.sendto(p2, ("224.0.0.18", 0))
    print("flood of %s took %.2f s" % (count, time.monotonic() - start))


if __name__ == "__main__":
    main()
