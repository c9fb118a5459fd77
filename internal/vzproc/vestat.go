// Package vzproc parses the OpenVZ files under /proc/vz and /proc/uptime
// and the per-container load, state and task sources (docs/formats.md §5,
// §5.4a). Parsers take a reader and name the file and line in every error;
// they know nothing about Nagios.
//
//   - vestat.go: /proc/vz/vestat, /proc/uptime
//   - veinfo.go: /proc/vz/veinfo, /proc/vz/vzquota, /proc/<pid>/status and stat
//   - cgroup.go: VZ7 cpu.proc.loadavg, ve.state, ve.clock_bootbased, ve.veid;
//     cgroup.procs and tasks lists
//   - fairsched.go: OpenVZ 6 /proc/fairsched and the fairsched cgroup's cpu.proc.stat
//   - mounts.go: /proc/self/mounts and the cgroup mount points in it
package vzproc

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/ctid"
	"github.com/vzmon/vzmon/internal/linereader"
	"github.com/vzmon/vzmon/internal/text"
)

// VEStat is one container's row of /proc/vz/vestat. Columns are addressed
// by position: "uptime" appears twice in the title.
type VEStat struct {
	ID                 string
	User, Nice, System uint64 // CPU jiffies
	UptimeJiffies      uint64 // column 5
	Idle               uint64
	UptimeCycles       uint64 // column 8: ns on RHEL6/VZ7, TSC cycles on 2.6.18
	Used               uint64
}

// vestatTitle is the title line, column by column.
var vestatTitle = []string{"VEID", "user", "nice", "system", "uptime", "idle", "strv", "uptime", "used", "maxlat", "totlat", "numsched"}

// maxLine bounds a line of the /proc/vz files (a vestat row is 251 bytes).
const maxLine = 4096

// lines reads r line by line, bounded, calling fn with the 1-based line
// number, and returns how many lines fn saw; a last line without newline
// is an error (a cut-short file).
func lines(r io.Reader, source string, fn func(n int, line string) error) (int, error) {
	return linesMax(r, source, maxLine, fn)
}

// linesMax is lines for files whose lines may be longer than maxLine.
func linesMax(r io.Reader, source string, limit int, fn func(n int, line string) error) (int, error) {
	lr := linereader.New(r, limit)
	for seen := 0; ; seen++ {
		line, err := lr.Next()
		n := lr.Line()
		switch {
		case errors.Is(err, io.EOF):
			return seen, nil
		case errors.Is(err, linereader.ErrTooLong):
			return seen, fmt.Errorf("%s line %d: longer than %d bytes", source, n, limit)
		case errors.Is(err, linereader.ErrNoNewline):
			return seen, fmt.Errorf("%s line %d: last line has no newline (file cut short?)", source, n)
		case err != nil:
			return seen, fmt.Errorf("%s: read: %w", source, err)
		}
		if err := fn(n, strings.TrimRight(string(line), " \r")); err != nil {
			return seen, fmt.Errorf("%s line %d: %w", source, n, err)
		}
	}
}

// ParseVEStat reads /proc/vz/vestat: a "Version: 2.2" line (padded with
// spaces by the kernel), the title, then one row per container (CT 0 is
// never listed).
func ParseVEStat(r io.Reader, source string) (map[string]VEStat, error) {
	out := map[string]VEStat{}
	seen, err := lines(r, source, func(n int, line string) error {
		f := strings.Fields(line)
		switch n {
		case 1:
			if line != "Version: 2.2" {
				return fmt.Errorf("unsupported header %q, this plugin reads \"Version: 2.2\"", text.Excerpt(line))
			}
			return nil
		case 2:
			if strings.Join(f, " ") != strings.Join(vestatTitle, " ") {
				return fmt.Errorf("unexpected title line %q", text.Excerpt(line))
			}
			return nil
		}
		if len(f) != len(vestatTitle) {
			return fmt.Errorf("expected %d columns, found %d: %q", len(vestatTitle), len(f), text.Excerpt(line))
		}
		if !ctid.Valid(f[0]) {
			return fmt.Errorf("bad container ID %q", text.Excerpt(f[0]))
		}
		if _, dup := out[f[0]]; dup {
			return fmt.Errorf("second row for container %s", f[0])
		}
		var v [11]uint64
		for i := range v {
			x, err := strconv.ParseUint(f[i+1], 10, 64)
			if err != nil {
				return fmt.Errorf("column %d (%s) is not an unsigned number: %q", i+2, vestatTitle[i+1], text.Excerpt(f[i+1]))
			}
			v[i] = x
		}
		out[f[0]] = VEStat{ID: f[0], User: v[0], Nice: v[1], System: v[2], UptimeJiffies: v[3], Idle: v[4], UptimeCycles: v[6], Used: v[7]}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if seen < 2 {
		// The kernel always prints both header lines, even with no container.
		return nil, fmt.Errorf("%s: header missing (empty or cut short)", source)
	}
	return out, nil
}

// knownHZ are the kernel HZ values of OpenVZ kernels.
var knownHZ = []uint64{100, 250, 300, 1000}

// UptimeSeconds returns the container's uptime in seconds, when the units
// are certain: on RHEL6 and VZ7 column 8 is nanoseconds, so column 8 over
// column 5 must be 1e9/HZ for a real HZ (docs/formats.md §5.2). On 2.6.18 it is
// TSC cycles, the ratio matches no HZ, and ok is false.
func (v VEStat) UptimeSeconds() (secs float64, ok bool) {
	if v.UptimeJiffies < 100 { // too young for a reliable ratio
		return 0, false
	}
	ratio := float64(v.UptimeCycles) / float64(v.UptimeJiffies)
	for _, hz := range knownHZ {
		want := 1e9 / float64(hz)
		if ratio > want*0.99 && ratio < want*1.01 {
			return float64(v.UptimeCycles) / 1e9, true
		}
	}
	return 0, false
}

// ParseUptime reads /proc/uptime: seconds since boot, then idle seconds.
func ParseUptime(r io.Reader, source string) (float64, error) {
	var up float64
	seen, err := lines(r, source, func(n int, line string) error {
		if n > 1 {
			return fmt.Errorf("more than one line")
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return fmt.Errorf("expected 2 numbers, found %d", len(f))
		}
		x, err := strconv.ParseFloat(f[0], 64)
		if err != nil || x < 0 || x != x || x > 1e10 {
			return fmt.Errorf("uptime %q is not a number of seconds", text.Excerpt(f[0]))
		}
		up = x
		return nil
	})
	if err == nil && seen == 0 {
		err = fmt.Errorf("%s: empty file", source)
	}
	return up, err
}
