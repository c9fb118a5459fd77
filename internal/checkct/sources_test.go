package checkct_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/checkct"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/vzctl"
)

// fakeKernel answers VZCTL_GET_CPU_STAT as an OpenVZ 6 kernel would for
// incident-204: CT 204 overloaded, the others idle, stopped ones ENOENT.
type fakeKernel struct {
	errno syscall.Errno // every call fails with it, when set
}

func (k fakeKernel) open(path string) (vzctl.Device, error) { return fakeDevice{k, path}, nil }

type fakeDevice struct {
	fakeKernel
	path string
}

func (d fakeDevice) CPUStat(veid uint32) (vzctl.CPUStat, error) {
	if d.errno != 0 {
		return vzctl.CPUStat{}, vzctl.IoctlError(d.path, veid, d.errno)
	}
	up := map[uint32]uint64{201: 2468787, 202: 1300000, 203: 900000, 204: 135990, 205: 400000, 206: 308792}[veid]
	if up == 0 {
		return vzctl.CPUStat{}, vzctl.IoctlError(d.path, veid, syscall.ENOENT)
	}
	load := [3]vzctl.Load{3, 5, 1}
	if veid == 204 {
		load = [3]vzctl.Load{15187, 14996, 14821}
	}
	return vzctl.CPUStat{UptimeJif: up * 100, UptimeClk: up * 1e9, Load: load}, nil
}

// Every figure falls back to the next source when one is missing, empty,
// damaged, a FIFO or a directory; none of them hangs, and the check is
// UNKNOWN only when nothing usable remains.
func TestSourceFallbacks(t *testing.T) {
	const id = "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f"
	ve := "sys/fs/cgroup/ve/" + id + "/"
	loadavg := "sys/fs/cgroup/cpu,cpuacct/machine.slice/" + id + "/cpu.proc.loadavg"
	vz7 := []string{"--ctid", id, "--skip", "beancounters"}
	ovz6 := []string{"--ctid", "204", "--skip", "beancounters"}
	all := []string{"--all", "--max-output", "0"}
	scanned := "[OK] tasks: 19 threads in 7 processes (R 1, D 0, S 18, Z 0), from ROOT/proc (every process scanned"
	sources := []struct {
		node func() *nodegen.Node
		rel  string
		args []string
		want string // the line that shows the fallback
	}{
		{nodegen.VZ7UUID, loadavg, vz7, "[OK] load: 1 runnable/blocked threads now (R 1, D 0; 8 CPUs; no kernel load average"},
		{nodegen.VZ7UUID, loadavg, all, "load of 1 container: runnable + uninterruptible threads now, counted in the /proc scan"},
		{nodegen.VZ7UUID, ve + "ve.state", vz7, "[OK] state: running (ONBOOT=yes)"},
		{nodegen.VZ7UUID, ve + "ve.clock_bootbased", vz7, "[OK] uptime: 29d 7h, from ROOT/proc/vz/vestat"},
		{nodegen.VZ7UUID, ve + "cgroup.procs", vz7, scanned},
		// Without the mount table, where the distribution mounts them.
		{nodegen.VZ7UUID, "proc/self/mounts", vz7, "[OK] tasks: 19 threads in 7 processes (R 1, D 0, S 18, Z 0), from ROOT/sys/fs/cgroup/ve/" + id + "/cgroup.procs"},
		{nodegen.Incident204Fairsched, "proc/vz/fairsched/204/cgroup.procs", ovz6, "[OK] tasks: 163 threads in 163 processes (R 121, D 27, S 15, Z 0), from ROOT/proc (every process scanned"},
		{nodegen.Incident204Fairsched, "proc/vz/fairsched/204/cpu.proc.stat", all, "load of 1 container: runnable + uninterruptible threads now, counted in the /proc scan"},
	}
	breaks := []struct {
		name string
		do   func(path string) error
	}{
		{"missing", os.Remove},
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o644) }},
		{"damaged", func(p string) error { return os.WriteFile(p, []byte("\x00garbage\n"), 0o644) }},
		{"fifo", func(p string) error { os.Remove(p); return syscall.Mkfifo(p, 0o644) }},
		{"directory", func(p string) error { os.Remove(p); return os.Mkdir(p, 0o755) }},
	}
	for _, src := range sources {
		for _, br := range breaks {
			t.Run(filepath.Base(src.rel)+"/"+src.args[0]+"/"+br.name, func(t *testing.T) {
				dir := newNode(t, src.node(), nil)
				if err := br.do(filepath.Join(dir, filepath.FromSlash(src.rel))); err != nil {
					t.Skip(err)
				}
				start := time.Now()
				out, code := checktest.Run(checkct.NewWithKernel(1000, nil), append([]string{"--root", dir, "-t", "2"}, src.args...)...)
				out = checktest.Normalize(out, dir)
				if took := time.Since(start); took > 2*time.Second {
					t.Errorf("took %v", took)
				}
				if code == 3 || !strings.Contains(out, src.want) {
					t.Errorf("exit %d, want a fallback line %q:\n%s", code, src.want, out)
				}
			})
		}
	}
}

// The ioctl: root only, and every failure words why the figure came from
// elsewhere.
func TestLoadFromIoctl(t *testing.T) {
	root := checktest.RepoRoot(t)
	node := filepath.Join(root, "testdata", "nodes", "incident-204")
	withDevice := newNode(t, nodegen.Incident204(), nil)
	if err := os.MkdirAll(filepath.Join(withDevice, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withDevice, "dev", "vzctl"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := func(string) (vzctl.Device, error) { return vzctl.Open(filepath.Join(node, "dev", "vzctl")) }
	for _, c := range []struct {
		name string
		euid int
		open func(string) (vzctl.Device, error)
		root string
		want string
	}{
		{"root", 0, fakeKernel{}.open, node, "[CRITICAL] load: 151.87, 149.96, 148.21 (1, 5, 15 min; 2 CPUs), from ROOT/dev/vzctl (VZCTL_GET_CPU_STAT)"},
		{"root uptime", 0, fakeKernel{}.open, node, "[OK] uptime: 1d 13h, from ROOT/dev/vzctl (VZCTL_GET_CPU_STAT)"},
		{"not running", 0, fakeKernel{syscall.ESRCH}.open, node, "no kernel load average: ROOT/dev/vzctl: VZCTL_GET_CPU_STAT for veid 204: container not running (ESRCH)"},
		{"unsupported", 0, fakeKernel{syscall.ENOTTY}.open, node, "no kernel load average: ROOT/dev/vzctl: VZCTL_GET_CPU_STAT for veid 204: not supported"},
		{"no device", 0, missing, node, "(R 121, D 27; 2 CPUs; no kernel load average here)"},
		{"not root", 1000, nil, withDevice, "no kernel load average: load average needs root (ROOT/dev/vzctl is root-only: run through sudo)"},
		{"not root, no device", 1000, nil, node, "(R 121, D 27; 2 CPUs; no kernel load average here)"},
	} {
		out, code := checktest.Run(checkct.NewWithKernel(c.euid, c.open), "--root", c.root, "--ctid", "204", "--skip", "beancounters,quota")
		if out = checktest.Normalize(out, c.root); code != 2 || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want 2 and %q:\n%s", c.name, code, c.want, out)
		}
	}
}

// The load averages are judged like check_load's: each window against its
// own range, exactly at two decimals.
func TestLoadRanges(t *testing.T) {
	root := checktest.RepoRoot(t)
	node := filepath.Join(root, "testdata", "nodes", "vz7-uuid") // app1: 1.04, 0.97, 0.88 on 8 CPUs
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 0, "'load1'=1.04;16;40;0; 'load15'=0.88;16;40;0; 'load5'=0.97;16;40;0;"},
		{[]string{"--load-warning", "1.04"}, 0, "[OK] load: 1.04, 0.97, 0.88"},
		{[]string{"--load-warning", "1.03"}, 1, "[WARNING] load: 1.04, 0.97, 0.88"},
		{[]string{"--load-warning", "2,0.96,2"}, 1, "'load5'=0.97;0.96;40;0;"},
		{[]string{"--load-critical", "5,5,0.87"}, 2, "VZ CONTAINER CRITICAL - CT 1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f (app1): load 1.04, 0.97, 0.88"},
	} {
		out, code := checktest.Run(checkct.New(), append([]string{"--root", node, "--ctid", "app1", "--skip", "beancounters"}, c.args...)...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", c.args, code, c.code, c.want, out)
		}
	}
}
