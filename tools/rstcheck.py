#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse reStructuredText files with docutils; print every warning and
error and exit 1 if there was any.

usage: tools/rstcheck.py FILE...

Not Sphinx: the kernel's roles and directives (:doc:, :ref:, kernel-doc)
would be reported as unknown, so carp.rst uses none of them.
"""
import io
import sys

import docutils.core
import docutils.utils


def check(path):
    """The warnings and errors of parsing PATH and of the transforms that
    follow (references, targets, substitutions)."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    stream = io.StringIO()
    docutils.core.publish_doctree(
        src, source_path=path,
        settings_overrides={"report_level": docutils.utils.Reporter.WARNING_LEVEL,
                            "halt_level": 5, "warning_stream": stream})
    return [stream.getvalue().strip()] if stream.getvalue().strip() else []


def main():
    problems = []
    for path in sys.argv[1:]:
        problems += check(path)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
