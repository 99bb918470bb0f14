#!/bin/bash
# usage: hermit.sh [hermit options] -- FILE.nt...  (concatenated; default options: -k -U = consistency + unsatisfiable classes)
H=/tmp/issue22/venv/lib/python3.11/site-packages/owlready2/hermit
JAVA=${JAVA:-java}
opts=(); while [ "$1" != "--" ]; do opts+=("$1"); shift; done; shift
[ ${#opts[@]} -eq 0 ] && opts=(-k -U)
cat "$@" > /tmp/issue22/exp/_hmerged.nt
exec nice $JAVA -Xmx2000M -cp "$H:$H/HermiT.jar" org.semanticweb.HermiT.cli.CommandLine "${opts[@]}" file:///tmp/issue22/exp/_hmerged.nt
