package vzproc

import (
	"fmt"
	"io"
	"strings"

	"github.com/vzmon/vzmon/internal/text"
)

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
