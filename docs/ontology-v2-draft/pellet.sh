#!/bin/bash
# usage: pellet.sh COMMAND [pellet options] -- FILE.nt...   (files are concatenated into one N-Triples input)
P=/tmp/issue22/venv/lib/python3.11/site-packages/owlready2/pellet
CP=$(ls $P/*.jar | tr '\n' ':')
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
cmd=$1; shift; opts=(); while [ "$1" != "--" ]; do opts+=("$1"); shift; done; shift
cat "$@" > /tmp/issue22/exp/_merged.nt
exec nice -n 19 $JAVA -Xmx${XMX:-2000M} -cp "$CP" pellet.Pellet $cmd "${opts[@]}" /tmp/issue22/exp/_merged.nt
