#!/bin/sh
# Measures check_ubc against cat of the same file on generated nodes, whole
# process: wall time and CPU time (user+sys), all commands run in turn in
# each of RUNS rounds (the machine's speed drifts), medians; peak RSS from
# /usr/bin/time (a child's peak RSS counts its parent's before the exec, so
# it is measured under a small parent). Beside check_ubc, the floor under
# it: the Go runtime's start-up, a read and a parse of the file (no kong;
# tools/perfprobe), and check_ubc --version (kong and go-nagios, no file).
# Then check_ubc_failcnt's steady state.
#
# Usage: scripts/perf.sh [RUNS] [CONTAINERS...]   (default: 20 1000 10000)
# BIN=DIR measures the binaries in DIR (default bin/, built by make build
# when missing), e.g. those of an older commit built in a git worktree.
set -eu
cd "$(dirname "$0")/.."
runs=${1:-20}
[ $# -gt 0 ] && shift
sizes=${*:-1000 10000}
bin=${BIN:-bin}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -z "${BIN:-}" ] && ! { [ -x bin/check_ubc ] && [ -x bin/check_ubc_failcnt ]; }; then
	make build >/dev/null
fi
# Built as make build builds the plugins.
CGO_ENABLED=0 GOTOOLCHAIN=${BUILD_GO:-go1.23.12} GOFLAGS=-buildvcs=false \
	go build -trimpath -ldflags "-s -w -buildid=" -o "$dir/perfprobe" ./tools/perfprobe
for n in $sizes; do
	go run ./tools/gennode -containers "$n" -out "$dir/$n"
	python3 - "$dir/$n" "$runs" "$n" "$bin" "$dir/perfprobe" <<'PY'
import os, subprocess, sys, time
node, runs, n, bin, probe = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
table = node + "/proc/bc/resources"

def run(cmd):
    """Wall and CPU (user+sys) seconds of one process, and its exit code."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)

def peak_rss(cmd):
    """The largest peak RSS (KiB) of three runs."""
    out = [subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    return max(int(o.stderr.strip().splitlines()[-1]) for o in out)

cmds = {
    "cat": ["cat", table],
    "Go start-up": [probe],
    "Go read": [probe, "read", table],
    "Go scan": [probe, "scan", table],
    "check_ubc --version": [bin + "/check_ubc", "--version"],
    "check_ubc": [bin + "/check_ubc", "--root", node],
}
wall = {k: [] for k in cmds}
cpu = {k: [] for k in cmds}
codes = {k: set() for k in cmds}
for i in range(runs):
    for k, c in cmds.items():
        w, u, code = run(c)
        wall[k].append(w)
        cpu[k].append(u)
        codes[k].add(code)
for k, want in {"cat": {0}, "Go start-up": {0}, "Go read": {0}, "Go scan": {0}, "check_ubc": {2}}.items():
    if codes[k] != want:
        sys.exit("%s exited %s, want %s" % (k, sorted(codes[k]), sorted(want)))
rss = {k: peak_rss(c) for k, c in cmds.items()}
med = lambda v: sorted(v)[len(v) // 2] * 1000
print("%s containers: proc/bc/resources %d bytes; %d rounds, medians; load average %.2f" % (n, os.path.getsize(table), runs, os.getloadavg()[0]))
print("  %-20s %9s %7s %9s %7s %11s" % ("", "wall ms", "x cat", "cpu ms", "x cat", "peak RSS"))
for k in cmds:
    print("  %-20s %9.2f %7.2f %9.2f %7.2f %7.1f MiB" % (
        k, med(wall[k]), med(wall[k]) / med(wall["cat"]), med(cpu[k]), med(cpu[k]) / med(cpu["cat"]), rss[k] / 1024))

# check_ubc_failcnt steady state: lock, read the state, parse, compare, write.
state = node + "/../state-" + n
fc = [bin + "/check_ubc_failcnt", "--root", node, "--state-dir", state]
run(fc)  # baseline
ws = [run(fc)[0] for i in range(runs)]
peak = peak_rss(fc)
size = sum(os.path.getsize(os.path.join(state, f)) for f in os.listdir(state) if f.endswith(".json"))
print("  check_ubc_failcnt steady state: median %.1f ms, peak RSS %.1f MiB, state file %d bytes" % (med(ws), peak / 1024, size))
PY
done
