#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print carp state events of this network namespace until killed.

  uevent CARP_STATE=MASTER CARP_VHID=1     (KOBJ_CHANGE uevents)
  link carp0 MASTER                        (RTM_NEWLINK with IFLA_CARP_STATE)
"""
import select
import socket
import struct
import sys

NETLINK_KOBJECT_UEVENT = 15
RTMGRP_LINK = 1
RTM_NEWLINK = 16
IFLA_IFNAME, IFLA_LINKINFO = 3, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_CARP_STATE = 5
STATES = {0: "INIT", 1: "BACKUP", 2: "MASTER"}


def attrs(data):
    out = {}
    while len(data) >= 4:
        length, kind = struct.unpack_from("HH", data)
        if length < 4:
            break
        out[kind & 0x3fff] = data[4:length]
        data = data[(length + 3) & ~3:]
    return out


def link_event(msg):
    length, kind = struct.unpack_from("IH", msg)
    if kind != RTM_NEWLINK:
        return
    a = attrs(msg[32:length])
    info = attrs(a.get(IFLA_LINKINFO, b""))
    if info.get(IFLA_INFO_KIND, b"").rstrip(b"\0") != b"carp":
        return
    data = attrs(info.get(IFLA_INFO_DATA, b""))
    if IFLA_CARP_STATE in data:
        name = a[IFLA_IFNAME].rstrip(b"\0").decode()
        print("link %s %s" % (name, STATES.get(data[IFLA_CARP_STATE][0], "?")),
              flush=True)


def uevent(msg):
    fields = msg.split(b"\0")
    env = [f.decode() for f in fields if f.startswith(b"CARP_")]
    if env:
        print("uevent " + " ".join(sorted(env)), flush=True)


def main():
    ue = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_KOBJECT_UEVENT)
    ue.bind((0, 1))
    rt = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    rt.bind((0, RTMGRP_LINK))
    print("listening", file=sys.stderr, flush=True)
    while True:
        for s in select.select([ue, rt], [], [])[0]:
            data = s.recv(65536)
            if s is ue:
                uevent(data)
            else:
                while len(data) >= 16:
                    length = struct.unpack_from("I", data)[0]
                    link_event(data[:length])
                    data = data[(length + 3) & ~3:]


if __name__ == "__main__":
    main()
