#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one Neighbor Solicitation and print every Neighbor Advertisement.

usage: nd_probe.py IFACE SOURCE TARGET [SECONDS] [DEST_MAC]
       nd_probe.py IFACE listen TARGET [SECONDS]

Solicits TARGET from SOURCE (an address of IFACE) to TARGET's
solicited-node group, or unicast to DEST_MAC (reachability confirmation,
IPv6 destination TARGET).  SOURCE "::" sends a Duplicate Address
Detection probe: from the unspecified address, without a source
link-layer address option.  Then prints one line per Neighbor
Advertisement for TARGET seen within SECONDS (default 1):

    ETH_SRC TLLA FLAGS

with TLLA "-" when the option is missing and FLAGS a subset of "RSO"
(router, solicited, override); an advertisement with a bad checksum or a
hop limit other than 255 prints as "ETH_SRC invalid REASON".  "listen"
sends nothing: for unsolicited advertisements.  Unlike "ip neigh", this shows *all* answers: a BACKUP or a
parent that answers for a shared address shows up as a second line.
"""
import socket
import struct
import sys
import time

ETH_P_IPV6 = 0x86DD
ICMPV6 = 58


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp6(src, dst, body):
    pseudo = src + dst + struct.pack("!I3xB", len(body), ICMPV6)
    csum = checksum(pseudo + body)
    return body[:2] + struct.pack("!H", csum) + body[4:]


def solicit(sock, mac, source, target, dest_mac):
    src = socket.inet_pton(socket.AF_INET6, source)
    tgt = socket.inet_pton(socket.AF_INET6, target)
    if dest_mac:
        dst = tgt
        eth_dst = bytes.fromhex(dest_mac.replace(":", ""))
    else:
        dst = bytes.fromhex("ff0200000000000000000001ff") + tgt[13:]
        eth_dst = b"\x33\x33" + dst[12:]
    body = struct.pack("!BBHI", 135, 0, 0, 0) + tgt
    if source != "::":
        body += bytes([1, 1]) + mac
    body = icmp6(src, dst, body)
    ip6 = struct.pack("!IHBB", 6 << 28, len(body), ICMPV6, 255) + src + dst
    sock.send(eth_dst + mac + struct.pack("!H", ETH_P_IPV6) + ip6 + body)


def parse_na(frame, target):
    """(eth_src, tlla, flags) of an NA for target, else None."""
    if len(frame) < 14 + 40 + 24 or frame[14 + 6] != ICMPV6:
        return None
    plen = struct.unpack("!H", frame[18:20])[0]
    icmp = frame[54:54 + plen]
    if icmp[0] != 136 or icmp[8:24] != target:
        return None
    src, dst = frame[22:38], frame[38:54]
    pseudo = src + dst + struct.pack("!I3xB", len(icmp), ICMPV6)
    if checksum(pseudo + icmp) != 0:
        return frame[6:12].hex(":"), "invalid", "checksum"
    if frame[21] != 255:
        return frame[6:12].hex(":"), "invalid", "hop-limit-%d" % frame[21]
    bits = icmp[4]
    flags = "".join(f for f, b in (("R", 0x80), ("S", 0x40), ("O", 0x20)) if bits & b)
    tlla = "-"
    opts = icmp[24:]
    while len(opts) >= 8 and opts[1]:
        if opts[0] == 2 and opts[1] == 1:
            tlla = opts[2:8].hex(":")
        opts = opts[opts[1] * 8:]
    return frame[6:12].hex(":"), tlla, flags


def main():
    iface, source, target = sys.argv[1:4]
    wait = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    dest_mac = sys.argv[5] if len(sys.argv) > 5 else None
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
    s.bind((iface, ETH_P_IPV6))
    mac = s.getsockname()[4]
    tgt = socket.inet_pton(socket.AF_INET6, target)
    if source != "listen":
        solicit(s, mac, source, target, dest_mac)
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
        na = parse_na(frame, tgt)
        if na:
            print("%s %s %s" % na, flush=True)


if __name__ == "__main__":
    main()
