package vzproc

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/text"
)

// Fairsched is one container's node in /proc/fairsched: its threads and
// how many of them are runnable now.
type Fairsched struct{ Tasks, Run int }

// fairschedTitle is the title line of /proc/fairsched, column by column.
var fairschedTitle = []string{"veid", "id", "parent", "weight", "rate", "tasks", "run", "cpus", "flg", "ready", "start_tag", "value", "delay"}

// Columns of a /proc/fairsched row.
const (
	fsVeid = iota
	fsID
	_ // parent
	_ // weight
	_ // rate
	fsTasks
	fsRun
	_ // cpus
	fsFlags
)

// ParseFairsched reads OpenVZ 6's /proc/fairsched (docs/formats.md §5.4a):
// "Version: 2.6 debug", the title, then each scheduler node as up to three
// rows "%10u %10u %10u %6u %5u %5u %5u %4u  %c%c %5u %20Lu %20Lu %20Lu"
// (veid, id, parent, weight, rate, tasks, run, cpus, flags, ready,
// start_tag, value, delay). A container's node is the one row with
// veid 0 and a nonzero id, which is its CTID (as vzlist reads it); the
// result is keyed by that CTID.
func ParseFairsched(r io.Reader, source string) (map[string]Fairsched, error) {
	out := map[string]Fairsched{}
	seen, err := lines(r, source, func(n int, line string) error {
		f := strings.Fields(line)
		switch n {
		case 1:
			if line != "Version: 2.6 debug" {
				return fmt.Errorf("unsupported header %q, this plugin reads \"Version: 2.6 debug\"", text.Excerpt(line))
			}
			return nil
		case 2:
			if strings.Join(f, " ") != strings.Join(fairschedTitle, " ") {
				return fmt.Errorf("unexpected title line %q", text.Excerpt(line))
			}
			return nil
		}
		if len(f) != len(fairschedTitle) {
			return fmt.Errorf("expected %d columns, found %d: %q", len(fairschedTitle), len(f), text.Excerpt(line))
		}
		var v [fsFlags]uint64
		for i := range v {
			x, ok := decimal(f[i], math.MaxUint32)
			if !ok {
				return fmt.Errorf("column %d (%s) %q is not an unsigned 32-bit number", i+1, fairschedTitle[i], text.Excerpt(f[i]))
			}
			v[i] = x
		}
		if fl := f[fsFlags]; len(fl) != 2 || !strings.ContainsRune("L.", rune(fl[0])) || !strings.ContainsRune("D.", rune(fl[1])) {
			return fmt.Errorf("column %d (flg) %q is not two flags", fsFlags+1, text.Excerpt(fl))
		}
		for i := fsFlags + 1; i < len(f); i++ {
			if _, ok := decimal(f[i], math.MaxUint64); !ok {
				return fmt.Errorf("column %d (%s) %q is not an unsigned number", i+1, fairschedTitle[i], text.Excerpt(f[i]))
			}
		}
		if v[fsVeid] != 0 || v[fsID] == 0 {
			return nil // the host's node, or a node's other rows
		}
		id := strconv.FormatUint(v[fsID], 10)
		if _, dup := out[id]; dup {
			return fmt.Errorf("second row for container %s", id)
		}
		if v[fsTasks] > pidMaxLimit || v[fsRun] > pidMaxLimit {
			// An int count printed with %u: a negative one shows as 4294967295.
			return fmt.Errorf("container %s: tasks %d, run %d: not a thread count", id, v[fsTasks], v[fsRun])
		}
		out[id] = Fairsched{Tasks: int(v[fsTasks]), Run: int(v[fsRun])}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if seen == 0 {
		return nil, fmt.Errorf("%s: header missing (empty file)", source)
	}
	// The version line alone is a table without nodes: the kernel prints
	// 3n-1 rows after the two header lines, and for n = 0 not even the
	// title (042stab fairsched_seq_start). A host always has node 0.
	return out, nil
}

// ProcStat is what a container check needs of the fairsched cgroup's
// cpu.proc.stat: runnable threads and threads waiting for I/O.
type ProcStat struct{ Running, Blocked int }

// maxStatLine bounds a line of a /proc/stat-like file: its "intr" line
// has a counter per interrupt (tens of kilobytes on a large host).
const maxStatLine = 256 << 10

// ParseCPUProcStat reads the procs_running and procs_blocked lines of
// OpenVZ 6's /proc/vz/fairsched/<veid>/cpu.proc.stat (docs/formats.md
// §5.4a), a /proc/stat-like file; the other lines are not read. Both
// lines are required, once each.
func ParseCPUProcStat(r io.Reader, source string) (ProcStat, error) {
	var st ProcStat
	var haveRunning, haveBlocked bool
	_, err := linesMax(r, source, maxStatLine, func(_ int, line string) error {
		f := strings.Fields(line)
		var dst *int
		var have *bool
		switch {
		case len(f) == 0:
			return nil
		case f[0] == "procs_running":
			dst, have = &st.Running, &haveRunning
		case f[0] == "procs_blocked":
			dst, have = &st.Blocked, &haveBlocked
		default:
			return nil
		}
		if *have {
			return fmt.Errorf("second %s line", f[0])
		}
		if len(f) != 2 {
			return fmt.Errorf("expected \"%s <count>\", found %q", f[0], text.Excerpt(line))
		}
		x, ok := decimal(f[1], pidMaxLimit)
		if !ok {
			return fmt.Errorf("%s %q is not a thread count", f[0], text.Excerpt(f[1]))
		}
		*dst, *have = int(x), true
		return nil
	})
	switch {
	case err != nil:
		return ProcStat{}, err
	case !haveRunning:
		return ProcStat{}, fmt.Errorf("%s: no procs_running line", source)
	case !haveBlocked:
		return ProcStat{}, fmt.Errorf("%s: no procs_blocked line", source)
	}
	return st, nil
}
