"""``python -m graphkit.query``: the SPARQL child process (:mod:`graphkit.query.child`)."""

import sys

from graphkit.query.child import _child_main

if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
