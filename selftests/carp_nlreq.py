#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One raw RTM_NEWLINK for a carp device, for the requests ip(8) cannot make.

Usage: carp_nlreq.py [--create PARENT] [--no-data] NAME [ATTR...]

Without --create the request changes the existing device NAME; with it, it
creates NAME (NLM_F_CREATE | NLM_F_EXCL) on PARENT ("-": no parent).
Each ATTR is TYPE=HEX, an attribute of IFLA_INFO_DATA ("3=05" is advskew 5,
"6=" an unknown type without payload), ifla:TYPE=HEX, a top-level IFLA_*
attribute, or info:TYPE=HEX, an IFLA_INFO_* attribute beside IFLA_INFO_DATA
("info:5=" an empty IFLA_INFO_SLAVE_DATA).  --no-data leaves IFLA_INFO_DATA
out.

Prints the kernel's answer, one item a line:

  errno N          0 if the request was accepted
  msg TEXT         the extended ack's message
  offset N         the offset of the attribute it points at
  miss_type N      the type of a missing attribute
  miss_nest N      the offset of the nest it is missing from

and exits with 0 if the request was accepted, 1 if it was refused.
"""

import struct
import sys

from carp_rtnl import RTM_NEWLINK, NLM_F_CREATE, NLM_F_EXCL, Rtnl, nla

NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MISS_NEST = 5, 6


def main():
    args = sys.argv[1:]
    create = False
    parent_name = None
    with_data = True
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--create":
            create = True
            parent_name = args.pop(0)
        elif opt == "--no-data":
            with_data = False
        else:
            sys.exit(f"carp_nlreq.py: unknown option {opt}")
    name = args.pop(0)
    data, extra, info_extra = [], b"", b""
    for spec in args:
        where, _, rest = spec.rpartition(":")
        atype, _, payload = rest.partition("=")
        attr = nla(int(atype, 0), bytes.fromhex(payload))
        if where == "ifla":
            extra += attr
        elif where == "info":
            info_extra += attr
        else:
            data.append(attr)

    rt = Rtnl()
    parent = 0
    if create and parent_name != "-":
        parent = rt.link(parent_name)[0]
    flags = NLM_F_CREATE | NLM_F_EXCL if create else 0
    body = rt.newlink_body(name, parent, data if with_data else None, extra, info_extra)
    err, tlvs = rt.ack_tlvs(RTM_NEWLINK, flags, body)
    print(f"errno {err}")
    if NLMSGERR_ATTR_MSG in tlvs:
        print("msg " + tlvs[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode())
    for key, label in ((NLMSGERR_ATTR_OFFS, "offset"), (NLMSGERR_ATTR_MISS_TYPE, "miss_type"),
                       (NLMSGERR_ATTR_MISS_NEST, "miss_nest")):
        if key in tlvs:
            print(f"{label} {struct.unpack('=I', tlvs[key][:4])[0]}")
    return 1 if err else 0


if __name__ == "__main__":
    sys.exit(main())
