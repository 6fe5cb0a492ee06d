#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one ARP request and print the sender MAC of every reply.

usage: arp_probe.py IFACE SENDER_IP TARGET_IP [SECONDS]

Unlike "ip neigh", this shows *all* answers: a carp BACKUP or a parent
that answers for a virtual address shows up as a second line.
"""
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806


def main():
    iface, sip, tip = sys.argv[1:4]
    wait = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    s.bind((iface, ETH_P_ARP))
    mac = s.getsockname()[4]
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac,
                      socket.inet_aton(sip), b"\0" * 6, socket.inet_aton(tip))
    s.send(b"\xff" * 6 + mac + struct.pack("!H", ETH_P_ARP) + arp)
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            frame = s.recv(2048)
        except socket.timeout:
            break
        if len(frame) < 42:
            continue
        op, sha, spa = struct.unpack("!6xH6s4s", frame[14:32])
        if op == 2 and socket.inet_ntoa(spa) == tip:
            eth_src = frame[6:12]
            print("%s %s" % (sha.hex(":"), eth_src.hex(":")))


if __name__ == "__main__":
    main()
