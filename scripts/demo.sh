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
echo "== check_ubc on incident-204: CT 204 (web1) ran out of tcpsndbuf; Apache is wedged"
run bin/check_ubc --root testdata/nodes/incident-204
echo "== check_ubc on rhel6-vswap: a healthy OpenVZ 6 VSwap node"
run bin/check_ubc --root testdata/nodes/rhel6-vswap
echo "== check_ubc --mode config: limits that could never work together, weeks before the failcnt storm"
run bin/check_ubc --root testdata/nodes/ubc-misconfig --mode config -v
echo "== check_ubc --mode memory: the containers are promised more memory than the node has"
run bin/check_ubc --root testdata/nodes/ubc-misconfig --mode memory

echo "== check_vz_container on CT 204 from the host: its own monitoring cannot run, the host sees everything"
run bin/check_vz_container --root testdata/nodes/incident-204 --ctid web1 --process apache2:2 --process slapd
echo "== check_vz_container on a healthy container"
run bin/check_vz_container --root testdata/nodes/incident-204 --ctid dns1 --process named
echo "== check_vz_container on Virtuozzo 7: the load averages and the task list come from the container's cgroups"
run bin/check_vz_container --root testdata/nodes/vz7-uuid --ctid app1 --process node:2
echo "== check_vz_container --all: every container in one run (CT 207 should run and does not)"
run bin/check_vz_container --root testdata/nodes/incident-204 --all

# check_ubc_failcnt: the story over time, on a scratch copy of incident-204
# whose clock moves on (tools/gennode -advance) and whose failcnt grows.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gennode" ./tools/gennode || exit 1
node() { # node SECONDS-LATER [gennode args...]
	rm -rf "$tmp/node"
	secs=$1
	shift
	"$tmp/gennode" -preset incident-204 -advance "$secs" -out "$tmp/node" "$@" || exit 1
}
fc="bin/check_ubc_failcnt --root $tmp/node --state-dir $tmp/state"
echo "== check_ubc_failcnt, first run: records a baseline; the old failcnts are history, not alarms"
node 0
run $fc
echo "== 5 minutes later: CT 204's tcpsndbuf failcnt grew by 1234: allocations are failing now"
node 300 -failcnt 204:tcpsndbuf=1862518
run $fc
echo "== 10 more minutes, no new failures: still CRITICAL within --hold (15m), so retries reach a HARD state"
node 900 -failcnt 204:tcpsndbuf=1862518
run $fc
echo "== 20 more minutes: the window has passed, the check clears"
node 2100 -failcnt 204:tcpsndbuf=1862518
run $fc
exit 0
