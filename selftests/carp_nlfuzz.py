#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random IFLA_INFO_DATA for RTM_NEWLINK (create and change) of carp devices.

Usage: carp_nlfuzz.py PARENT COUNT SEED

Sends COUNT requests in the current network namespace, half of them
creations of a device "fz0" (on PARENT or without a parent), half changes
of a device "fzc" (vhid 7 on PARENT, down and so in INIT).  The attributes
are random: every IFLA_CARP_* type and unknown ones, with the nested flag
sometimes, lengths 0-300, interesting and random values, repeated
attributes, a missing vhid, a huge key.  Checked for every request:

  - the kernel's answer matches a model of what carp accepts (a strict
    policy: no attribute type unknown to carp, type 0 included, u8
    attributes of exactly one byte, no NLA_F_NESTED; vhid 1-255 required
    on creation, not used twice on a parent, never changed; advbase 1-255,
    advskew 0-254, a key of at most 20 bytes, state only backup or master,
    never on creation and never on a device in INIT, so never on fzc);
    any disagreement is reported;
  - every rejection carries an extack message;
  - a rejected change leaves every setting as it was, an accepted one
    applies exactly what was asked (read back with RTM_GETLINK);
  - a created device has the values asked for, and the defaults otherwise.

Prints one line per problem, then "nlfuzz: N requests, A accepted,
R rejected, P problems"; the exit status is 1 if there was any problem.
"""

import random
import sys

from carp_rtnl import (ADVBASE, ADVSKEW, BACKUP, CARP_MAX, KEY, MASTER, NLA_F_NESTED,
                       NLM_F_CREATE, NLM_F_EXCL, STATE, VHID, Rtnl, nla)


def random_attr(rnd):
    """One random attribute: (type, flags, payload)."""
    # Unknown types (refused) are rare enough for most requests to have none.
    atype = rnd.choice([VHID, ADVBASE, ADVSKEW, KEY, STATE])
    r = rnd.random()
    if r < 0.05:
        atype = rnd.randrange(0, 0x4000)
    elif r < 0.12:
        atype = rnd.choice([0, CARP_MAX + 1, CARP_MAX + 2, 100])
    flags = NLA_F_NESTED if rnd.random() < 0.05 else 0
    r = rnd.random()
    if r < 0.55:
        payload = bytes([rnd.choice([0, 1, 2, 3, 7, 100, 128, 240, 254, 255,
                                     rnd.randrange(256)])])
    elif r < 0.65:
        payload = b""
    elif r < 0.9:
        payload = bytes(rnd.randrange(256) for _ in range(rnd.choice([2, 3, 4, 8, 19, 20, 21])))
    else:
        payload = rnd.randbytes(rnd.choice([64, 255, 300]))
    return atype, flags, payload


def model(attrs, create, on_parent):
    """What carp does with these attributes: (accept, {type: value}).

    The policy is strict for every carp attribute (exact u8 length, no
    NLA_F_NESTED) and holds the ranges, so each occurrence of a repeated
    attribute must pass it; unknown types and type 0 are refused; the
    driver acts on the last occurrence.  A change goes to fzc, which is in
    INIT: forcing its state is refused."""
    want = {}
    for atype, flags, payload in attrs:
        if not 1 <= atype <= CARP_MAX:
            return False, None
        if flags & NLA_F_NESTED:
            return False, None
        if atype == KEY:
            if len(payload) > 20:
                return False, None
            want[KEY] = payload
            continue
        if len(payload) != 1:
            return False, None
        v = payload[0]
        if (atype in (VHID, ADVBASE) and v < 1) or (atype == ADVSKEW and v > 254) or \
           (atype == STATE and v not in (BACKUP, MASTER)):
            return False, None
        want[atype] = v
    if create and (VHID not in want or STATE in want):
        return False, None
    if create and on_parent and want[VHID] == 7:
        return False, None  # fzc has vhid 7 on that parent
    if not create and VHID in want and want[VHID] != 7:
        return False, None
    if not create and STATE in want:
        return False, None  # fzc is INIT
    return True, want


def main():
    parent_name, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    rt = Rtnl()
    parent = rt.link(parent_name)[0]
    problems = accepted = rejected = 0

    def problem(text):
        nonlocal problems
        problems += 1
        if problems <= 20:
            print(f"nlfuzz: {text}", flush=True)

    # The device the changes go to.
    rt.dellink("fzc")
    err, msg = rt.newlink("fzc", NLM_F_CREATE | NLM_F_EXCL, parent,
                          [nla(VHID, b"\x07"), nla(KEY, b"s3cret")])
    if err:
        print(f"nlfuzz: cannot create fzc: errno {err} ({msg})")
        return 1
    for i in range(count):
        create = i % 2 == 0
        attrs = [random_attr(rnd) for _ in range(rnd.choice([0, 1, 2, 3, 4, 6, 9]))]
        if create and rnd.random() < 0.5:
            # Most random sets lack a vhid: give half of them a valid one.
            attrs.insert(rnd.randrange(len(attrs) + 1), (VHID, 0, bytes([rnd.randrange(1, 256)])))
        data = None if not attrs and rnd.random() < 0.3 else \
            [nla(t | f, p) for t, f, p in attrs]
        on_parent = create and rnd.random() < 0.5
        ok, want = model(attrs, create, on_parent)
        if data is None:
            ok, want = (False, None) if create else (True, {})
        what = f"request {i} ({'create' if create else 'change'}) {attrs!r:.300}"
        if create:
            err, msg = rt.newlink("fz0", NLM_F_CREATE | NLM_F_EXCL,
                                  parent if on_parent else 0, data)
            after = rt.link("fz0")
        else:
            before = rt.link("fzc")
            err, msg = rt.newlink("fzc", 0, 0, data)
            after = rt.link("fzc")
        if err:
            rejected += 1
            if not msg:
                problem(f"{what}: rejected with errno {err} and no extack message")
            if ok:
                problem(f"{what}: rejected (errno {err}, {msg}), the model accepts it")
            if create and after is not None:
                problem(f"{what}: rejected, but fz0 exists")
            if not create and after != before:
                problem(f"{what}: rejected, but changed {before} -> {after}")
        else:
            accepted += 1
            if not ok:
                problem(f"{what}: accepted, the model rejects it")
            elif create:
                exp = {VHID: want[VHID], ADVBASE: want.get(ADVBASE, 1),
                       ADVSKEW: want.get(ADVSKEW, 0)}
                got = {k: after[1].get(k) for k in exp} if after else None
                if got != exp:
                    problem(f"{what}: created with {got}, asked for {exp}")
            else:
                exp = dict(before[1])
                for k in (ADVBASE, ADVSKEW):
                    if k in want:
                        exp[k] = want[k]
                got = dict(after[1])
                exp.pop(STATE, None)
                got.pop(STATE, None)
                if got != exp:
                    problem(f"{what}: changed to {got}, asked for {exp}")
        if create and after is not None:
            rt.dellink("fz0")
    rt.dellink("fzc")
    print(f"nlfuzz: seed {seed}: {count} requests, {accepted} accepted, "
          f"{rejected} rejected, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
