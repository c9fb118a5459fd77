#!/bin/sh
# Runs the plugins on the bundled fake nodes and shows each output and exit code.
set -u
cd "$(dirname "$0")/.."
run() {
	echo "\$ $*"
	"$@"
	echo "(exit code $?)"
	echo
}
echo "== incident-204: CT 204 (web1) ran out of tcpsndbuf; Apache is wedged"
run bin/check_ubc --root testdata/nodes/incident-204
echo "== rhel6-vswap: a healthy OpenVZ 6 VSwap node"
run bin/check_ubc --root testdata/nodes/rhel6-vswap
exit 0
