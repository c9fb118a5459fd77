package checkct_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkct"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/vzctl"
)

// BenchmarkSources is check_vz_container on a generated node of 100
// containers with 10,000 and 50,000 host processes of one thread (and of
// 500 containers with 50,000), per kernel generation and source (issue
// 12's targets): --ctid of one container and --all. cpu-ms/op is the
// user + system CPU time of the test process per run: the /proc scan
// reads on every CPU, so ns/op (wall time) understates it. Neither counts
// a process's start-up.
func BenchmarkSources(b *testing.B) {
	for _, src := range []struct {
		name      string
		kernel    nodegen.Kernel
		fairsched bool
		ioctl     bool // as root, with a kernel answering VZCTL_GET_CPU_STAT
		// want are in the output of each case: the source that was
		// meant, not a fallback, was measured.
		ctid, all string
	}{
		// The /proc scan: no per-container list, no load average.
		{"rhel6-scan", nodegen.RHEL6, false, false, "(every process scanned", "runnable + uninterruptible threads now, counted in the /proc scan"},
		// OpenVZ 6 with the fairsched cgroup mounted: each container's
		// cgroup.procs; the load is its runnable + blocked threads.
		{"rhel6-fairsched", nodegen.RHEL6, true, false, "/cgroup.procs", "each one's cpu.proc.stat"},
		// Virtuozzo 7: cpu.proc.loadavg and the ve cgroup's cgroup.procs.
		{"vz7", nodegen.VZ7, false, false, "/cpu.proc.loadavg", "each one's cpu.proc.loadavg"},
		// OpenVZ 6 as root: the load from the vzctl ioctl, the tasks
		// still from the scan.
		{"rhel6-ioctl", nodegen.RHEL6, false, true, "(VZCTL_GET_CPU_STAT)", "(VZCTL_GET_CPU_STAT)"},
	} {
		// The parts --ctid checks, and with the ioctl also the load, state
		// and uptime alone: what the ioctl costs without the scan for the
		// tasks.
		cases := []struct{ name, want, skip string }{{"ctid", src.ctid, ""}, {"all", src.all, ""}}
		if src.ioctl {
			cases = append(cases, struct{ name, want, skip string }{"ctid-load", src.ctid, "tasks,processes,beancounters,quota"})
		}
		// A container has about 100 processes on the first node, 500 on
		// the second and 100 again on the third, of 50,000 on the node:
		// a per-container source costs by the container's processes, the
		// scan by the node's.
		for _, size := range []struct{ cts, procs int }{{100, 10000}, {100, 50000}, {500, 50000}} {
			for _, c := range cases {
				b.Run(fmt.Sprintf("%s/cts=%d/procs=%d/%s", src.name, size.cts, size.procs, c.name), func(b *testing.B) {
					key := fmt.Sprintf("gen%d-fairsched%t-cts%d-procs%d", src.kernel, src.fairsched, size.cts, size.procs)
					dir, n := benchNode(b, key, func() *nodegen.Node {
						n := nodegen.GeneratedFor(src.kernel, size.cts, 1)
						n.FairschedMounted = src.fairsched
						return n.WithTasks(size.procs, 1, 1)
					})
					// Not root: no vzctl device to try.
					app := func() *check.App { return checkct.NewWithKernel(1000, nil) }
					if src.ioctl {
						k := benchKernel(n)
						app = func() *check.App { return checkct.NewWithKernel(0, k.open) }
					}
					args := []string{"--root", dir, "--all"}
					if c.name != "all" {
						args = []string{"--root", dir, "--ctid", n.Cts[0].ID}
					}
					if c.skip != "" {
						args = append(args, "--skip", c.skip)
					}
					benchRun(b, app, c.want, args...)
				})
			}
		}
	}
}

// BenchmarkTaskScan50000 is the task part on a host with 50,000
// processes of 1 and of 4 threads each. The nodes are written once per
// test binary (the one of 4 threads has 450,000 files).
func BenchmarkTaskScan50000(b *testing.B) {
	for _, threads := range []int{1, 4} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			dir, _ := benchNode(b, fmt.Sprintf("incident-204-threads%d", threads), func() *nodegen.Node {
				return nodegen.Incident204().WithTasks(50000, threads, 1)
			})
			benchRun(b, checkct.New, "(every process scanned", "--root", dir, "--ctid", "204", "--skip", "beancounters,quota,uptime")
		})
	}
}

// benchRun runs the check b.N times and reports its CPU time per run
// beside the wall time. A first run's whole output must contain want.
func benchRun(b *testing.B, app func() *check.App, want string, args ...string) {
	if out, code := checktest.Run(app(), append(args, "--max-output", "0")...); code == 3 || !strings.Contains(out, want) {
		b.Fatalf("exit %d, want %q:\n%s", code, want, out)
	}
	start := cpuTime(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, code := checktest.Run(app(), args...); code == 3 {
			b.Fatal(out)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// cpuTime is the user + system CPU time of this process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchKernel answers VZCTL_GET_CPU_STAT as an OpenVZ 6 kernel would for a
// generated node: each running container's load averages (the node's
// numeric IDs are the veids), ENOENT for any other.
func benchKernel(n *nodegen.Node) fakeCPUStats {
	k := fakeCPUStats{}
	for _, c := range n.Cts {
		veid, err := strconv.ParseUint(c.ID, 10, 32)
		if err != nil || c.Stopped {
			continue
		}
		var load [3]vzctl.Load
		for i, v := range c.LoadAvg {
			load[i] = vzctl.Load(v)
		}
		const up = 86400 // s
		k[uint32(veid)] = vzctl.CPUStat{UptimeJif: up * 100, UptimeClk: up * 1e9, Load: load}
	}
	return k
}

type fakeCPUStats map[uint32]vzctl.CPUStat

func (k fakeCPUStats) open(string) (vzctl.Device, error) { return k, nil }

func (k fakeCPUStats) CPUStat(veid uint32) (vzctl.CPUStat, error) {
	s, ok := k[veid]
	if !ok {
		return vzctl.CPUStat{}, vzctl.IoctlError(checkct.DevicePath, veid, syscall.ENOENT)
	}
	return s, nil
}

// benchNodes are the benchmark nodes by name, written once per test
// binary below tmp (removed by TestMain).
var benchNodes struct {
	sync.Mutex
	tmp   string
	nodes map[string]benchNodeEntry
}

type benchNodeEntry struct {
	dir string
	n   *nodegen.Node
}

// benchNode returns the root of the node mk makes, writing it on first
// use.
func benchNode(b *testing.B, name string, mk func() *nodegen.Node) (string, *nodegen.Node) {
	benchNodes.Lock()
	defer benchNodes.Unlock()
	if e, ok := benchNodes.nodes[name]; ok {
		return e.dir, e.n
	}
	if benchNodes.tmp == "" {
		tmp, err := os.MkdirTemp("", "vzmon-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchNodes.tmp, benchNodes.nodes = tmp, map[string]benchNodeEntry{}
	}
	dir, n := filepath.Join(benchNodes.tmp, name), mk()
	if err := n.Write(dir); err != nil {
		b.Fatal(err)
	}
	benchNodes.nodes[name] = benchNodeEntry{dir, n}
	return dir, n
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchNodes.tmp != "" {
		os.RemoveAll(benchNodes.tmp)
	}
	os.Exit(code)
}
