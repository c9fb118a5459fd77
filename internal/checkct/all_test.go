package checkct_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vzmon/vzmon/internal/checkct"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/nodegen"
)

// --all never hides a container that should run: a config it cannot read
// (a Virtuozzo 7 link into an unmounted private area, a damaged file) is a
// WARNING naming it, never left out or shown as an OK "stopped".
func TestAllConfigProblems(t *testing.T) {
	const legacy = "300" // ONBOOT=yes on the VZ7 node
	for _, c := range []struct {
		name      string
		breakConf func(conf string) error
		want      string
	}{
		{"link to an unmounted private area", func(conf string) error {
			os.Remove(conf)
			return os.Symlink("/vz/private/300/ve.conf", conf)
		}, "[WARNING] CT 300: stopped; config: ROOT/etc/vz/conf/300.conf links to /vz/private/300/ve.conf, which does not exist (is the private area's filesystem mounted?)"},
		{"damaged", func(conf string) error {
			return os.WriteFile(conf, []byte("ONBOOT=\"yes\nNAME=\"legacy7\"\n"), 0o644)
		}, "[WARNING] CT 300: stopped; config: ROOT/etc/vz/conf/300.conf line 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := newNode(t, nodegen.VZ7UUID(), func(n *nodegen.Node) {
				for i := range n.Cts {
					if n.Cts[i].ID == legacy {
						n.Cts[i].Stopped = true
					}
				}
			})
			if err := c.breakConf(filepath.Join(dir, "etc", "vz", "conf", legacy+".conf")); err != nil {
				t.Fatal(err)
			}
			out, code := checktest.Run(checkct.New(), "--root", dir, "--all")
			out = checktest.Normalize(out, dir)
			if code != 1 || !strings.Contains(out, c.want) {
				t.Errorf("--all: exit %d, want 1 and %q:\n%s", code, c.want, out)
			}
			out, code = checktest.Run(checkct.New(), "--root", dir, "--ctid", legacy)
			if code != 1 || !strings.Contains(out, "config unreadable") {
				t.Errorf("--ctid: exit %d, want 1 and config unreadable:\n%s", code, out)
			}
		})
	}
}

// Under NRPE 2's budget --all keeps whole lines with their perfdata, worst
// first: no perfdata without its line, no line without its perfdata, and
// the count of the containers left out.
func TestAllBudget(t *testing.T) {
	n := nodegen.GeneratedFor(nodegen.VZ7, 60, 1)
	for i := range n.Cts {
		if i%2 == 0 && n.Cts[i].ID != "0" {
			n.Cts[i].LoadAvg = [3]uint64{9900, 9800, 9700}
		}
	}
	dir := newNode(t, n, nil)
	out, code := checktest.Run(checkct.New(), "--root", dir, "--all")
	if code != 2 || len(out) > 1023 {
		t.Fatalf("exit %d, %d bytes:\n%s", code, len(out), out)
	}
	long, perf, _ := strings.Cut(out, "|")
	lines := regexp.MustCompile(`\[CRITICAL\] CT ([0-9a-f-]+) `).FindAllStringSubmatch(long, -1)
	loads := regexp.MustCompile(`'ct([0-9a-f-]+)_load5'=98\.00;`).FindAllStringSubmatch(perf, -1)
	if len(lines) == 0 || len(lines) != len(loads) {
		t.Fatalf("%d CRITICAL lines, %d of their perfdata:\n%s", len(lines), len(loads), out)
	}
	for i := range lines {
		if lines[i][1] != loads[i][1] {
			t.Errorf("line %d is CT %s, perfdata %d is CT %s", i, lines[i][1], i, loads[i][1])
		}
	}
	if !strings.Contains(out, "more containers not shown (raise --max-output)") || !strings.Contains(out, "load of 60 containers: 1, 5 and 15-minute averages") {
		t.Errorf("no count of the containers left out, or no source line:\n%s", out)
	}
}

// Config values are user data: an ONBOOT carrying a perfdata bar or
// control bytes cannot break the output.
func TestAllOutputIsClean(t *testing.T) {
	dir := newNode(t, nodegen.Incident204(), func(n *nodegen.Node) { setConf(n, "206", "ONBOOT", "no | 'x'=1\x1b[31m") })
	out, _ := checktest.Run(checkct.New(), "--root", dir, "--all", "--max-output", "0")
	if strings.Count(out, "|") != 1 || strings.ContainsRune(out, '\x1b') {
		t.Errorf("output not clean:\n%q", out)
	}
}

// A container starting or stopping is a WARNING, not one that is down.
func TestAllTransitional(t *testing.T) {
	const id = "7f3e2d1c-0b9a-4876-a543-210fedcba987"
	dir := newNode(t, nodegen.VZ7UUID(), nil)
	if err := os.WriteFile(filepath.Join(dir, "sys", "fs", "cgroup", "ve", id, "ve.state"), []byte("STARTING\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := checktest.Run(checkct.New(), "--root", dir, "--all")
	if code != 1 || !strings.Contains(out, "[WARNING] CT "+id+" (build): starting") || !strings.Contains(out, "'containers_down'=0;") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// --all refuses what it would not check.
func TestAllRefusesOneContainersFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--restart-warning", "1h"}, {"--skip", "quota"}, {"--resource", "numproc"}, {"--process", "sshd"}, {"--state-file", "x.json"},
	} {
		out, code := checktest.Run(checkct.New(), append([]string{"--all"}, args...)...)
		if code != 3 || !strings.Contains(out, "invalid arguments: "+args[0]) {
			t.Errorf("%v: exit %d:\n%s", args, code, out)
		}
	}
}

// With every source of a figure broken the check says so: UNKNOWN naming
// them, within -t.
func TestNothingUsableLeft(t *testing.T) {
	const id = "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f"
	dir := newNode(t, nodegen.VZ7UUID(), nil)
	for _, rel := range []string{
		"sys/fs/cgroup/cpu,cpuacct/machine.slice/" + id + "/cpu.proc.loadavg",
		"sys/fs/cgroup/ve/" + id + "/cgroup.procs",
	} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.Remove(p)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skip(err)
		}
	}
	// And no process left for the scan.
	entries, _ := os.ReadDir(filepath.Join(dir, "proc"))
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			os.RemoveAll(filepath.Join(dir, "proc", e.Name()))
		}
	}
	out, code := checktest.Run(checkct.New(), "--root", dir, "--ctid", id, "--skip", "beancounters", "-t", "2")
	if code != 3 || !strings.Contains(out, "[UNKNOWN] load:") || !strings.Contains(out, "[UNKNOWN] tasks:") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
