package vzproc_test

import (
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/vzproc"
)

// The two header lines of /proc/fairsched, byte for byte (042stab
// kernel/fairsched.c, fairsched_seq_show).
const fairschedHeader = "Version: 2.6 debug\n" +
	"      veid         id     parent weight  rate tasks   run cpus flg ready            start_tag                value                delay\n"

// fsNode is a scheduler node as fairsched_do_dump collects it.
type fsNode struct{ id, weight, rate, tasks, run, cpus uint32 }

// fairschedRow prints one row as fairsched_seq_show does (042stab: the
// flags are 'L' when rate-limited and '.', ready is the runnable count,
// the three 64-bit columns are 0).
func fairschedRow(vid, nid, pid uint32, n fsNode) string {
	flag := byte('.')
	if n.rate != 0 {
		flag = 'L'
	}
	return fmt.Sprintf("%10d %10d %10d %6d %5d %5d %5d %4d  %c%c %5d %20d %20d %20d\n",
		vid, nid, pid, n.weight, n.rate, n.tasks, n.run, n.cpus, flag, '.', n.run, 0, 0, 0)
}

// kernelFairsched prints /proc/fairsched as the kernel walks it
// (fairsched_seq_start/show): the first node twice, every other node three
// times, 3n-1 rows; with no node, the version line alone.
func kernelFairsched(nodes []fsNode) string {
	if len(nodes) == 0 {
		return "Version: 2.6 debug\n"
	}
	var b strings.Builder
	b.WriteString(fairschedHeader)
	for pos := 2; pos < len(nodes)*3-1+2; pos++ {
		p, r := (pos+5)/3-2, (pos+5)%3
		n := nodes[p]
		var vid, nid, pid uint32
		switch {
		case p == 0:
			if r == 2 {
				nid = n.id
			}
		case r == 0:
			nid = n.id
		case r == 1:
			vid, pid = n.id, n.id
		default:
			vid, nid = n.id, 1
		}
		b.WriteString(fairschedRow(vid, nid, pid, n))
	}
	return b.String()
}

func TestParseFairsched(t *testing.T) {
	host := fsNode{id: 0, weight: 1, tasks: 412, run: 2, cpus: 8}
	ct101 := fsNode{id: 101, weight: 500, tasks: 27, run: 3, cpus: 8}
	ct102 := fsNode{id: 102, weight: 1000, rate: 200, tasks: 123456, run: 150, cpus: 8}
	for _, c := range []struct {
		name, in string
		want     map[string]vzproc.Fairsched
	}{
		{"host", kernelFairsched([]fsNode{host, ct101, ct102}), map[string]vzproc.Fairsched{"101": {Tasks: 27, Run: 3}, "102": {Tasks: 123456, Run: 150}}},
		{"host without containers", kernelFairsched([]fsNode{host}), map[string]vzproc.Fairsched{}},
		{"inside a container: its own node only", kernelFairsched([]fsNode{ct101}), map[string]vzproc.Fairsched{"101": {Tasks: 27, Run: 3}}},
		{"no node: version line alone", kernelFairsched(nil), map[string]vzproc.Fairsched{}},
		{"2.6.18 flags", fairschedHeader + "         0        101          0    500     0    27     3    8  LD     1                12345                  678                    9\n", map[string]vzproc.Fairsched{"101": {Tasks: 27, Run: 3}}},
		{"largest veid", fairschedHeader + fairschedRow(0, math.MaxUint32, 0, fsNode{tasks: 4194304}), map[string]vzproc.Fairsched{"4294967295": {Tasks: 4194304}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := vzproc.ParseFairsched(strings.NewReader(c.in), "proc/fairsched")
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("%v %v, want %v", got, err, c.want)
			}
		})
	}
	good := kernelFairsched([]fsNode{host, ct101})
	row := fairschedRow(0, 101, 0, ct101)
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParseFairsched(r, s); return err }, []badInput{
		{"empty", "", "src/file: header missing"},
		{"fairsched2", "Version: 2.7 debug\n", "line 1: unsupported header \"Version: 2.7 debug\""},
		{"other version", "Version: 2.5\n", "line 1: unsupported header"},
		{"no title", "Version: 2.6 debug\n" + row, "line 2: unexpected title line"},
		{"fairsched2 title", "Version: 2.6 debug\n        id weight  rate   run cpus flg ready            start_tag                value                delay\n", "line 2: unexpected title line"},
		{"cut short", good[:len(good)-10], "line 7: last line has no newline"},
		{"column missing", fairschedHeader + strings.Replace(row, "  ..", "", 1), "line 3: expected 13 columns, found 12"},
		{"garbage", fairschedHeader + strings.Replace(row, "   27 ", "   2x ", 1), "line 3: column 6 (tasks) \"2x\" is not an unsigned 32-bit number"},
		{"negative", fairschedHeader + strings.Replace(row, "   27 ", "  -27 ", 1), "line 3: column 6 (tasks)"},
		{"overflow", fairschedHeader + strings.Replace(row, "       101", "4294967296", 1), "line 3: column 2 (id)"},
		{"64-bit overflow", fairschedHeader + strings.Replace(row, "                   0\n", "99999999999999999999\n", 1), "line 3: column 13 (delay)"},
		{"bad flags", fairschedHeader + strings.Replace(row, "  .. ", "  XY ", 1), "line 3: column 9 (flg) \"XY\" is not two flags"},
		{"negative count", fairschedHeader + fairschedRow(0, 101, 0, fsNode{tasks: math.MaxUint32}), "line 3: container 101: tasks 4294967295, run 0: not a thread count"},
		{"duplicate container", good + row, "line 8: second row for container 101"},
		{"too long", fairschedHeader + strings.Repeat(" ", 5000) + "\n", "line 3: longer than 4096 bytes"},
	})
}

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

func FuzzParseFairsched(f *testing.F) {
	f.Add(kernelFairsched([]fsNode{{id: 0, tasks: 9}, {id: 101, weight: 500, tasks: 27, run: 3, cpus: 8}}))
	f.Fuzz(func(t *testing.T, in string) {
		got, err := vzproc.ParseFairsched(strings.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for id, fs := range got {
			if n, err := strconv.ParseUint(id, 10, 32); err != nil || n == 0 || strconv.FormatUint(n, 10) != id {
				t.Fatalf("container ID %q", id)
			}
			if fs.Tasks < 0 || fs.Tasks > 4194304 || fs.Run < 0 || fs.Run > 4194304 {
				t.Fatalf("container %s: %+v", id, fs)
			}
		}
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
