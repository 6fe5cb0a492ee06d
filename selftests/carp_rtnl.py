# SPDX-License-Identifier: GPL-2.0
"""rtnetlink for the carp selftests: attributes and one socket class.

Shared by carp_nlfuzz.py, carp_nlreq.py and carp_churn.py, which speak
rtnetlink directly where ip(8) would hide what the kernel answered.
"""
import os
import socket
import struct

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG = 1
IFLA_IFNAME, IFLA_LINK, IFLA_MASTER, IFLA_LINKINFO = 3, 5, 10, 18
IFLA_NET_NS_FD = 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFA_ADDRESS, IFA_LOCAL = 1, 2
IFF_UP = 1
NLA_F_NESTED = 0x8000
# IFLA_CARP_*
VHID, ADVBASE, ADVSKEW, KEY, STATE = 1, 2, 3, 4, 5
CARP_MAX = 5
BACKUP, MASTER = 1, 2


def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * (-len(payload) % 4)


def nlstr(atype, s):
    return nla(atype, s.encode() + b"\0")


def parse_attrs(buf):
    """{type: payload} of a run of attributes (flags stripped from types)."""
    out = {}
    off = 0
    while off + 4 <= len(buf):
        alen, atype = struct.unpack_from("=HH", buf, off)
        if alen < 4:
            break
        out[atype & 0x3FFF] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def ifinfo(index=0, flags=0, change=0):
    return struct.pack("=BxHiII", 0, 0, index, flags, change)


def linkinfo(kind, data=None):
    info = nla(IFLA_INFO_KIND, kind.encode())
    if data is not None:
        info += nla(IFLA_INFO_DATA | NLA_F_NESTED, data)
    return nla(IFLA_LINKINFO | NLA_F_NESTED, info)


class Rtnl:
    """A rtnetlink socket in the caller's network namespace, with extended
    acks.  TIMEOUT seconds without a reply raise socket.timeout: a lost
    reply fails the test instead of hanging it."""

    def __init__(self, timeout=30):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.s.settimeout(timeout)
        self.seq = 0

    def close(self):
        self.s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, mtype, flags, body):
        self.seq += 1
        self.s.send(struct.pack("=IHHII", 16 + len(body), mtype, flags | NLM_F_REQUEST,
                                self.seq, 0) + body)
        return self.seq

    def messages(self, seq):
        """(type, flags, message) of every message answering SEQ, forever."""
        while True:
            data = self.s.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, mflags, mseq, _ = struct.unpack_from("=IHHII", data, off)
                if mlen < 16:
                    break
                if mseq == seq:
                    yield mtype, mflags, data[off:off + mlen]
                off += (mlen + 3) & ~3

    def replies(self, seq):
        """The payloads answering SEQ as (type, payload), until DONE or an
        ack; an error raises OSError."""
        for mtype, _, msg in self.messages(seq):
            if mtype == NLMSG_DONE:
                return
            if mtype == NLMSG_ERROR:
                err = -struct.unpack_from("=i", msg, 16)[0]
                if err:
                    raise OSError(err, os.strerror(err))
                return
            yield mtype, msg[16:]

    def ack_tlvs(self, mtype, flags, body):
        """Send a request; return (errno, {NLMSGERR_ATTR_*: payload})."""
        seq = self.send(mtype, flags | NLM_F_ACK, body)
        for mt, mflags, msg in self.messages(seq):
            if mt != NLMSG_ERROR:
                continue
            err = -struct.unpack_from("=i", msg, 16)[0]
            tlvs = {}
            if mflags & NLM_F_ACK_TLVS:
                # The echoed request is cut to its header when capped;
                # the TLVs follow it.
                inner_len = struct.unpack_from("=I", msg, 20)[0]
                tlvs = parse_attrs(msg[20 + (16 if mflags & NLM_F_CAPPED else inner_len):])
            return err, tlvs

    def ack(self, mtype, flags, body):
        """Send a request; return (errno, extack message or None)."""
        err, tlvs = self.ack_tlvs(mtype, flags, body)
        msg = tlvs.get(NLMSGERR_ATTR_MSG)
        return err, msg.rstrip(b"\0").decode() if msg is not None else None

    def call(self, mtype, flags, body):
        """Send a request; an error raises OSError."""
        for _ in self.replies(self.send(mtype, flags | NLM_F_ACK, body)):
            pass

    def link(self, name):
        """(ifindex, carp info data dict) of NAME, or None if it does not exist."""
        seq = self.send(RTM_GETLINK, 0, ifinfo() + nlstr(IFLA_IFNAME, name))
        for mtype, _, msg in self.messages(seq):
            if mtype == NLMSG_ERROR:
                return None
            if mtype == RTM_NEWLINK:
                ifindex = struct.unpack_from("=i", msg, 20)[0]
                attrs = parse_attrs(msg[32:])
                info = parse_attrs(attrs.get(IFLA_LINKINFO, b""))
                carp = parse_attrs(info.get(IFLA_INFO_DATA, b""))
                return ifindex, {k: v[0] for k, v in carp.items() if len(v) >= 1}

    def links(self):
        """{name: (ifindex, flags, kind, parent ifindex)} of the namespace."""
        out = {}
        for mtype, msg in self.replies(self.send(RTM_GETLINK, NLM_F_DUMP, ifinfo())):
            if mtype != RTM_NEWLINK:
                continue
            _, _, index, flags, _ = struct.unpack_from("=BxHiII", msg)
            a = parse_attrs(msg[16:])
            info = parse_attrs(a.get(IFLA_LINKINFO, b""))
            kind = info.get(IFLA_INFO_KIND, b"").rstrip(b"\0").decode()
            link = struct.unpack("=I", a[IFLA_LINK])[0] if IFLA_LINK in a else 0
            out[a[IFLA_IFNAME].rstrip(b"\0").decode()] = (index, flags, kind, link)
        return out

    def addrs(self):
        """[(ifindex, prefixlen, address)] of every IPv4 address."""
        out = []
        body = struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0)
        for mtype, msg in self.replies(self.send(RTM_GETADDR, NLM_F_DUMP, body)):
            if mtype != RTM_NEWADDR:
                continue
            _, plen, _, _, index = struct.unpack_from("=BBBBI", msg)
            a = parse_attrs(msg[8:])
            if IFA_LOCAL in a:
                out.append((index, plen, socket.inet_ntoa(a[IFA_LOCAL])))
        return out

    def setlink(self, index, extra=b"", flags=0, change=0):
        self.call(RTM_NEWLINK, 0, ifinfo(index, flags, change) + extra)

    def dellink_index(self, index):
        self.call(RTM_DELLINK, 0, ifinfo(index))

    def addr(self, mtype, index, plen, addr):
        body = struct.pack("=BBBBI", socket.AF_INET, plen, 0, 0, index)
        raw = socket.inet_aton(addr)
        flags = NLM_F_CREATE | NLM_F_EXCL if mtype == RTM_NEWADDR else 0
        self.call(mtype, flags, body + nla(IFA_LOCAL, raw) + nla(IFA_ADDRESS, raw))

    def newlink_body(self, name, parent, data_attrs, extra=b"", info_extra=b""):
        """RTM_NEWLINK for carp device NAME; EXTRA: more IFLA_* attributes,
        INFO_EXTRA: more IFLA_INFO_* attributes."""
        body = ifinfo() + nlstr(IFLA_IFNAME, name)
        if parent:
            body += nla(IFLA_LINK, struct.pack("=I", parent))
        body += extra
        info = nla(IFLA_INFO_KIND, b"carp")
        if data_attrs is not None:
            info += nla(IFLA_INFO_DATA | NLA_F_NESTED, b"".join(data_attrs))
        info += info_extra
        return body + nla(IFLA_LINKINFO | NLA_F_NESTED, info)

    def newlink(self, name, flags, parent, data_attrs):
        return self.ack(RTM_NEWLINK, flags, self.newlink_body(name, parent, data_attrs))

    def dellink(self, name):
        return self.ack(RTM_DELLINK, 0, ifinfo() + nlstr(IFLA_IFNAME, name))
