package vzproc_test

import (
	"io"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/vzproc"
)

func TestParseCPUProcStat(t *testing.T) {
	// A /proc/stat-like file as the fairsched cgroup's cpu.proc.stat prints it.
	stat := "cpu  1234 0 567 890123 12 0 0 0 0\ncpu0 617 0 283 445061 6 0 0 0 0\ncpu1 617 0 284 445062 6 0 0 0 0\nintr 0\nswap 0 0\nctxt 123456\nbtime 1700000000\nprocesses 4567\nprocs_running 3\nprocs_blocked 1\n"
	longIntr := "intr 123456789" + strings.Repeat(" 0", 60000) + "\n"
	for _, c := range []struct {
		name, in string
		want     vzproc.ProcStat
	}{
		{"cgroup", stat, vzproc.ProcStat{Running: 3, Blocked: 1}},
		{"a host's long intr line", longIntr + "procs_running 0\nprocs_blocked 4194304\n", vzproc.ProcStat{Blocked: 4194304}},
		{"blank lines", "\nprocs_blocked 2\n\nprocs_running 1\n", vzproc.ProcStat{Running: 1, Blocked: 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := vzproc.ParseCPUProcStat(strings.NewReader(c.in), "cpu.proc.stat")
			if err != nil || got != c.want {
				t.Fatalf("%+v %v, want %+v", got, err, c.want)
			}
		})
	}
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParseCPUProcStat(r, s); return err }, []badInput{
		{"empty", "", "src/file: no procs_running line"},
		{"no procs_blocked", "procs_running 3\n", "src/file: no procs_blocked line"},
		{"cut short", stat[:len(stat)-3], "line 10: last line has no newline"},
		{"duplicate", "procs_running 3\nprocs_running 4\nprocs_blocked 1\n", "line 2: second procs_running line"},
		{"garbage", "procs_running x\nprocs_blocked 1\n", "line 1: procs_running \"x\" is not a thread count"},
		{"negative", "procs_running 3\nprocs_blocked -1\n", "line 2: procs_blocked \"-1\" is not a thread count"},
		{"negative printed unsigned", "procs_running 18446744073709551615\nprocs_blocked 1\n", "line 1: procs_running \"18446744073709551615\" is not"},
		{"two numbers", "procs_running 3 4\nprocs_blocked 1\n", "line 1: expected \"procs_running <count>\""},
		{"no number", "procs_running\nprocs_blocked 1\n", "line 1: expected \"procs_running <count>\""},
		{"too long", "intr" + strings.Repeat(" 0", 200000) + "\n", "line 1: longer than 262144 bytes"},
	})
}

func FuzzParseCPUProcStat(f *testing.F) {
	f.Add("cpu  1 0 2 3 0 0 0 0 0\nintr 0\nprocs_running 3\nprocs_blocked 1\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := vzproc.ParseCPUProcStat(strings.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if got.Running < 0 || got.Running > 4194304 || got.Blocked < 0 || got.Blocked > 4194304 {
			t.Fatalf("%+v", got)
		}
	})
}
