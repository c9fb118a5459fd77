package vzproc

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/ctid"
	"github.com/vzmon/vzmon/internal/text"
)

// VEInfo is one line of /proc/vz/veinfo: a running environment (CT 0
// included), its task count (threads on VZ7) and its venet IPs.
type VEInfo struct {
	ID    string
	Tasks uint64
	IPs   []string
}

// ParseVEInfo reads /proc/vz/veinfo (docs/formats.md §5.1): no header, one
// line per running environment: ID, class, task count, then IPs.
func ParseVEInfo(r io.Reader, source string) (map[string]VEInfo, error) {
	out := map[string]VEInfo{}
	_, err := lines(r, source, func(_ int, line string) error {
		f := strings.Fields(line)
		if len(f) < 3 {
			return fmt.Errorf("expected ID, class and task count, found %d fields: %q", len(f), text.Excerpt(line))
		}
		if !ctid.Valid(f[0]) {
			return fmt.Errorf("bad container ID %q", text.Excerpt(f[0]))
		}
		if _, dup := out[f[0]]; dup {
			return fmt.Errorf("second line for container %s", f[0])
		}
		if _, err := strconv.ParseUint(f[1], 10, 32); err != nil {
			return fmt.Errorf("class %q is not a number", text.Excerpt(f[1]))
		}
		tasks, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			return fmt.Errorf("task count %q is not a number", text.Excerpt(f[2]))
		}
		for _, ip := range f[3:] {
			if net.ParseIP(ip) == nil {
				return fmt.Errorf("%q is not an IP address", text.Excerpt(ip))
			}
		}
		out[f[0]] = VEInfo{ID: f[0], Tasks: tasks, IPs: f[3:]}
		return nil
	})
	return out, err
}

// Quota is one container's entry in /proc/vz/vzquota: disk blocks in KiB
// and inodes, each usage, soft and hard limit.
type Quota struct {
	ID, Path               string
	BlocksUsed, BlocksSoft uint64
	BlocksHard             uint64
	InodesUsed, InodesSoft uint64
	InodesHard             uint64
}

// ParseVZQuota reads /proc/vz/vzquota (docs/formats.md §5.3): two header lines,
// then per quota an "<id>: <path>" line (or "-- started --"/"-- stopped --"
// while it changes), a 1k-blocks line and an inodes line.
func ParseVZQuota(r io.Reader, source string) (map[string]Quota, error) {
	out := map[string]Quota{}
	var cur *Quota
	var skip bool // a transitioning entry: its numbers are not settled
	expect := "id"
	seen, err := lines(r, source, func(n int, line string) error {
		f := strings.Fields(line)
		switch n {
		case 1:
			if strings.TrimSpace(line) != "qid: path" {
				return fmt.Errorf("unexpected header %q", text.Excerpt(line))
			}
			return nil
		case 2:
			if strings.Join(f, " ") != "usage softlimit hardlimit time expire" {
				return fmt.Errorf("unexpected title line %q", text.Excerpt(line))
			}
			return nil
		}
		switch expect {
		case "id":
			if line == "-- started --" || line == "-- stopped --" {
				skip, expect = true, "1k-blocks"
				return nil
			}
			if len(f) < 1 || !strings.HasSuffix(f[0], ":") || !ctid.Valid(strings.TrimSuffix(f[0], ":")) {
				return fmt.Errorf("expected \"<id>: <path>\", found %q", text.Excerpt(line))
			}
			id := strings.TrimSuffix(f[0], ":")
			if _, dup := out[id]; dup {
				return fmt.Errorf("second entry for container %s", id)
			}
			cur, skip, expect = &Quota{ID: id, Path: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), f[0]))}, false, "1k-blocks"
			return nil
		case "1k-blocks", "inodes":
			if len(f) != 6 || f[0] != expect {
				return fmt.Errorf("expected a %s line with 5 numbers, found %q", expect, text.Excerpt(line))
			}
			var v [5]uint64
			for i := range v {
				x, err := strconv.ParseUint(f[i+1], 10, 64)
				if err != nil {
					return fmt.Errorf("%s: %q is not a number", expect, text.Excerpt(f[i+1]))
				}
				v[i] = x
			}
			if expect == "1k-blocks" {
				if cur != nil {
					cur.BlocksUsed, cur.BlocksSoft, cur.BlocksHard = v[0], v[1], v[2]
				}
				expect = "inodes"
				return nil
			}
			if cur != nil && !skip {
				cur.InodesUsed, cur.InodesSoft, cur.InodesHard = v[0], v[1], v[2]
				out[cur.ID] = *cur
			}
			cur, expect = nil, "id"
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if seen < 2 {
		return nil, fmt.Errorf("%s: header missing (empty or cut short)", source)
	}
	if expect != "id" {
		return nil, fmt.Errorf("%s: last entry is incomplete (file cut short?)", source)
	}
	return out, nil
}

// StatusFields are the fields of /proc/<pid>/status a container check
// needs; the slices point into the buffer parsed.
type StatusFields struct {
	Name  []byte
	State byte // R, S, D, Z, T, ...
	EnvID []byte
}

// ParseStatus reads Name (the first line), State and OpenVZ's envID from a
// /proc/<pid>/status. ok is false when the file lacks them (not an OpenVZ
// kernel, or cut short). It allocates nothing: a host scan reads tens of
// thousands of these.
func ParseStatus(b []byte) (f StatusFields, ok bool) {
	var haveName, haveState, haveEnv bool
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		c := bytes.IndexByte(line, ':')
		if c < 0 {
			continue
		}
		val := bytes.TrimLeft(line[c+1:], "\t ")
		switch string(line[:c]) {
		case "Name":
			f.Name, haveName = val, true
		case "State":
			if len(val) > 0 {
				f.State, haveState = val[0], true
			}
		case "envID":
			f.EnvID, haveEnv = val, true
			if haveName && haveState {
				return f, true // the rest of the file is not needed
			}
		}
	}
	return f, haveName && haveState && haveEnv
}

// StatusThreads returns the Threads: count of a /proc/<pid>/status (its
// thread group's); ok is false when the line is missing or malformed.
func StatusThreads(b []byte) (n int, ok bool) {
	i := bytes.Index(b, []byte("\nThreads:"))
	if i < 0 {
		return 0, false
	}
	v := bytes.TrimLeft(b[i+len("\nThreads:"):], "\t ")
	if j := bytes.IndexByte(v, '\n'); j >= 0 {
		v = v[:j]
	}
	for _, c := range v {
		if c < '0' || c > '9' || n > 1<<22 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(v) > 0
}

// CommLen is how many bytes of a command name the kernel keeps
// (TASK_COMM_LEN 16 with the NUL) in Name: and stat.
const CommLen = 15

// Comm returns name as the kernel stores it: systemd-journald shows as
// systemd-journal.
func Comm(name string) string {
	if len(name) > CommLen {
		return name[:CommLen]
	}
	return name
}

// ParseStatState returns the state of a /proc/<pid>/task/<tid>/stat: the
// field after the command name, which is in parentheses and may itself
// hold ") ", so the last ')' ends it (the fields after it are numbers).
// ok is false when the file is not of that form.
func ParseStatState(b []byte) (state byte, ok bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || len(b) < i+3 || b[i+1] != ' ' {
		return 0, false
	}
	c := b[i+2]
	return c, c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
