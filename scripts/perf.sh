#!/bin/sh
# Measures check_ubc against cat of the same file on a generated node:
# whole-process wall time, the two alternating, medians of RUNS runs; and
# peak RSS. Usage: scripts/perf.sh [CONTAINERS] [RUNS]
set -eu
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${2:-20}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go run ./tools/gennode -containers "$n" -out "$dir/node"
[ -x bin/check_ubc ] && [ -x bin/check_ubc_failcnt ] || make build >/dev/null
python3 - "$dir/node" "$runs" <<'PY'
import subprocess, sys, time, resource
node, runs = sys.argv[1], int(sys.argv[2])
table = node + "/proc/bc/resources"
# --version is the fixed cost: the runtime, kong's model, go-nagios; no file read.
cmds = {"cat": ["cat", table], "check_ubc": ["bin/check_ubc", "--root", node], "version": ["bin/check_ubc", "--version"]}
times = {k: [] for k in cmds}
for i in range(runs):
    for k, c in cmds.items():
        t = time.perf_counter()
        subprocess.run(c, stdout=subprocess.DEVNULL)
        times[k].append(time.perf_counter() - t)
med = {k: sorted(v)[len(v) // 2] * 1000 for k, v in times.items()}
out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmds["check_ubc"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
rss = int(out.stderr.strip().splitlines()[-1])
import os
print("containers=%s file=%d bytes runs=%d" % (os.path.basename(node), os.path.getsize(table), runs))
print("cat       median %.2f ms" % med["cat"])
print("check_ubc median %.2f ms (%.2fx cat), peak RSS %.1f MiB" % (med["check_ubc"], med["check_ubc"] / med["cat"], rss / 1024))
print("check_ubc --version median %.2f ms (%.2fx cat): start-up, before any file is read" % (med["version"], med["version"] / med["cat"]))

# check_ubc_failcnt steady state: read state, parse, compare, write.
state = node + "/../state"
fc = ["bin/check_ubc_failcnt", "--root", node, "--state-dir", state]
subprocess.run(fc, stdout=subprocess.DEVNULL)  # baseline
ts, peak = [], 0
for i in range(runs):
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + fc, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    secs, kb = out.stderr.strip().splitlines()[-1].split()
    ts.append(float(secs) * 1000)
    peak = max(peak, int(kb))
size = sum(os.path.getsize(os.path.join(state, f)) for f in os.listdir(state) if f.endswith(".json"))
print("check_ubc_failcnt steady state: median %.0f ms (/usr/bin/time, 10 ms resolution), peak RSS %.1f MiB, state file %d bytes" % (sorted(ts)[len(ts) // 2], peak / 1024, size))
PY
