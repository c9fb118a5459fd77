package vzproc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vzmon/vzmon/internal/text"
)

// Load is a load average in hundredths, as the kernel rounds it
// (LOAD_INT/LOAD_FRAC): 14852 = 148.52.
type Load uint64

// String prints the load as the kernel does: "148.52", "0.05".
func (l Load) String() string { return fmt.Sprintf("%d.%02d", uint64(l)/100, uint64(l)%100) }

// ErrEmpty means the file is empty: cpu.proc.loadavg of a stopped VZ7
// container (docs/formats.md §5.4a). Only ParseLoadAvg returns it: only
// there is an empty file a state the kernel produces; elsewhere it is
// damage, and worded as such.
var ErrEmpty = errors.New("empty")

// pidMaxLimit is the kernel's PID_MAX_LIMIT (4M on 64-bit): no pid, and
// no count of threads, is larger.
const pidMaxLimit = 4 << 20

// decimal parses digits only (no sign, no blank) into a number of at most
// limit.
func decimal(s string, limit uint64) (uint64, bool) {
	x, err := strconv.ParseUint(s, 10, 64)
	return x, err == nil && x <= limit
}

// oneLine reads a file the kernel prints as one line (the cgroup files),
// bounded: its text without the newline and trailing blanks; empty is
// true for an empty file. A missing newline is an error (a cut-short
// file) unless newlineOptional: the kernel prints none there, or a cut
// short file cannot parse anyway.
func oneLine(r io.Reader, source string, newlineOptional bool) (line string, empty bool, err error) {
	b, err := io.ReadAll(io.LimitReader(r, maxLine+2))
	if err != nil {
		return "", false, fmt.Errorf("%s: read: %w", source, err)
	}
	i := bytes.IndexByte(b, '\n')
	switch {
	case len(b) == 0:
		return "", true, nil
	case i > maxLine || i < 0 && len(b) > maxLine:
		return "", false, fmt.Errorf("%s line 1: longer than %d bytes", source, maxLine)
	case i >= 0 && i < len(b)-1:
		return "", false, fmt.Errorf("%s line 2: more than one line", source)
	case i < 0 && !newlineOptional:
		return "", false, fmt.Errorf("%s line 1: last line has no newline (file cut short?)", source)
	}
	return strings.TrimRight(string(bytes.TrimSuffix(b, []byte("\n"))), " \r"), false, nil
}

// parseLoad parses the kernel's "%lu.%02lu": exactly two fraction digits.
func parseLoad(s string) (Load, bool) {
	i := strings.IndexByte(s, '.')
	if i < 1 || len(s)-i != 3 || !isDigit(s[i+1]) || !isDigit(s[i+2]) {
		return 0, false
	}
	n, ok := decimal(s[:i], (math.MaxUint64-99)/100)
	if !ok {
		return 0, false
	}
	return Load(n*100 + uint64(s[i+1]-'0')*10 + uint64(s[i+2]-'0')), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ParseLoadAvg reads a VZ7 cpu cgroup's cpu.proc.loadavg (docs/formats.md
// §5.4a): "%lu.%02lu %lu.%02lu %lu.%02lu %d/%d %d\n". It returns the 1-,
// 5- and 15-minute averages; the running/total and last-pid fields are
// only checked to be numbers (they describe the top cgroup only). An
// empty file (a stopped container) gives an error wrapping ErrEmpty.
func ParseLoadAvg(r io.Reader, source string) ([3]Load, error) {
	var out [3]Load
	line, empty, err := oneLine(r, source, false)
	switch {
	case err != nil:
		return out, err
	case empty:
		return out, fmt.Errorf("%s: %w", source, ErrEmpty)
	}
	f := strings.Fields(line)
	if len(f) != 5 {
		return out, fmt.Errorf("%s line 1: expected 5 fields (3 load averages, running/total, last pid), found %d: %q", source, len(f), text.Excerpt(line))
	}
	for i := range out {
		l, ok := parseLoad(f[i])
		if !ok {
			return [3]Load{}, fmt.Errorf("%s line 1: load average %d %q is not of the form N.NN", source, i+1, text.Excerpt(f[i]))
		}
		out[i] = l
	}
	running, total, ok := strings.Cut(f[3], "/")
	if !ok || !isInt(running) || !isInt(total) {
		return [3]Load{}, fmt.Errorf("%s line 1: field 4 %q is not running/total", source, text.Excerpt(f[3]))
	}
	if !isInt(f[4]) {
		return [3]Load{}, fmt.Errorf("%s line 1: field 5 %q is not a pid", source, text.Excerpt(f[4]))
	}
	return out, nil
}

// isInt: a "%d" (the last pid of a fresh namespace prints as -1).
func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// veStates are the words ve.state prints (kernel ve_state_show).
var veStates = []string{"RUNNING", "STOPPED", "STOPPING", "STARTING"}

// ParseVEState reads a VZ7 ve cgroup's ve.state (docs/formats.md §5.4a):
// RUNNING, STOPPED, STOPPING or STARTING and a newline.
func ParseVEState(r io.Reader, source string) (string, error) {
	line, empty, err := oneLine(r, source, true)
	switch {
	case err != nil:
		return "", err
	case empty:
		return "", fmt.Errorf("%s: empty file", source)
	}
	for _, s := range veStates {
		if line == s {
			return s, nil
		}
	}
	return "", fmt.Errorf("%s line 1: unknown state %q, expected one of %s", source, text.Excerpt(line), strings.Join(veStates, ", "))
}

// ParseClockBootbased reads a VZ7 ve cgroup's ve.clock_bootbased
// (docs/formats.md §5.4a): "sec nsec" with no newline, the time since the
// container started. A container without a namespace prints "0 0".
func ParseClockBootbased(r io.Reader, source string) (time.Duration, error) {
	line, empty, err := oneLine(r, source, true)
	switch {
	case err != nil:
		return 0, err
	case empty:
		return 0, fmt.Errorf("%s: empty file", source)
	}
	f := strings.Fields(line)
	if len(f) != 2 {
		return 0, fmt.Errorf("%s line 1: expected \"seconds nanoseconds\", found %q", source, text.Excerpt(line))
	}
	sec, ok := decimal(f[0], math.MaxInt64/uint64(time.Second)-1)
	if !ok {
		return 0, fmt.Errorf("%s line 1: seconds %q is not a number of seconds", source, text.Excerpt(f[0]))
	}
	nsec, ok := decimal(f[1], uint64(time.Second)-1)
	if !ok {
		return 0, fmt.Errorf("%s line 1: nanoseconds %q is not a number below 1000000000", source, text.Excerpt(f[1]))
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}

// ParseVEID reads a VZ7 ve cgroup's ve.veid (docs/formats.md §5.4a): the
// container's numeric ID and a newline. 0 is refused: it is the host's,
// and asking the kernel about it would say "not running".
func ParseVEID(r io.Reader, source string) (uint32, error) {
	line, empty, err := oneLine(r, source, false)
	switch {
	case err != nil:
		return 0, err
	case empty:
		return 0, fmt.Errorf("%s: empty file", source)
	}
	id, ok := decimal(line, math.MaxUint32)
	if !ok || id == 0 {
		return 0, fmt.Errorf("%s line 1: %q is not a container's numeric ID (1 to %d)", source, text.Excerpt(line), uint32(math.MaxUint32))
	}
	return uint32(id), nil
}

// ParsePIDList reads a cgroup's cgroup.procs or tasks file: one decimal
// pid per line, each 1 to PID_MAX_LIMIT. An empty file is an empty list.
// At most PID_MAX_LIMIT lines are read, so that a damaged file cannot
// exhaust memory.
func ParsePIDList(r io.Reader, source string) ([]int, error) {
	out := make([]int, 0, 64)
	_, err := lines(r, source, func(_ int, line string) error {
		if len(out) == pidMaxLimit {
			return fmt.Errorf("more than %d pids (PID_MAX_LIMIT)", pidMaxLimit)
		}
		pid, ok := decimal(line, pidMaxLimit)
		if !ok || pid == 0 {
			return fmt.Errorf("%q is not a pid (1 to %d)", text.Excerpt(line), pidMaxLimit)
		}
		out = append(out, int(pid))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
