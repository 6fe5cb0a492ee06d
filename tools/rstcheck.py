#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse reStructuredText files with docutils; print every warning and
error and exit 1 if there was any.

usage: tools/rstcheck.py FILE...

Not Sphinx: the kernel's roles and directives (:doc:, :ref:, kernel-doc)
would be reported as unknown, so carp.rst uses none of them.
"""
import sys

import docutils.frontend
import docutils.parsers.rst
import docutils.utils


def settings():
    if hasattr(docutils.frontend, "get_default_settings"):
        return docutils.frontend.get_default_settings(docutils.parsers.rst.Parser)
    return docutils.frontend.OptionParser(
        components=(docutils.parsers.rst.Parser,)).get_default_values()


def check(path):
    with open(path, encoding="utf-8") as f:
        src = f.read()
    problems = []

    def observer(msg):
        if msg["level"] >= docutils.utils.Reporter.WARNING_LEVEL:
            problems.append(msg.astext().strip())

    opts = settings()
    opts.report_level = 5       # printed here, not by docutils
    opts.halt_level = 5
    doc = docutils.utils.new_document(path, opts)
    doc.reporter.attach_observer(observer)
    docutils.parsers.rst.Parser().parse(src, doc)
    return problems


def main():
    problems = []
    for path in sys.argv[1:]:
        problems += check(path)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
