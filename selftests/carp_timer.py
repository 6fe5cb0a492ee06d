#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Time a failover to the millisecond.

usage: carp_timer.py TRIGGER_NS TRIGGER_DEV WATCH_NS WATCH_DEV [TIMEOUT_S]

Sets TRIGGER_DEV in namespace TRIGGER_NS administratively down, then polls
WATCH_DEV in WATCH_NS until it is running (IFF_RUNNING: a carp device is
running only while MASTER) and prints the milliseconds in between.  Both
steps are ioctls from one process, so no program start-up (slow under
emulation) is counted.  Exit status 1 on timeout.
"""
import ctypes
import fcntl
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
IFF_RUNNING = 0x40


def setns(fd):
    """os.setns() only exists from Python 3.12."""
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def socket_in(ns):
    """A socket in network namespace NS (sockets keep their namespace)."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        setns(target)
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    finally:
        setns(own)
        os.close(own)
        os.close(target)


def flags(sock, dev):
    req = struct.pack("16sH14x", dev.encode(), 0)
    return struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, req))[1]


def set_flags(sock, dev, value):
    fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", dev.encode(), value))


def main():
    tns, tdev, wns, wdev = sys.argv[1:5]
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
    trigger, watch = socket_in(tns), socket_in(wns)
    t0 = time.monotonic()
    set_flags(trigger, tdev, flags(trigger, tdev) & ~IFF_UP)
    while time.monotonic() - t0 < timeout:
        if flags(watch, wdev) & IFF_RUNNING:
            print(int((time.monotonic() - t0) * 1000))
            return 0
        time.sleep(0.005)
    print("timeout")
    return 1


if __name__ == "__main__":
    sys.exit(main())
