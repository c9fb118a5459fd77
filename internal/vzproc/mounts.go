package vzproc

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vzmon/vzmon/internal/text"
)

// Mount is one line of /proc/self/mounts, escapes decoded.
type Mount struct {
	Device, Point, Type string
	Options             []string
}

// maxMountLine bounds a line of /proc/self/mounts: a mount point may be
// PATH_MAX (4096) bytes, each escaped byte printed as four.
const maxMountLine = 64 << 10

// maxMounts bounds the mounts read: the kernel's default fs.mount-max.
const maxMounts = 100000

// ParseMounts reads /proc/self/mounts: "device mountpoint fstype options
// dump pass" per line, with the kernel's octal escapes (\040 space, \011
// tab, \012 newline, \134 backslash; \054 a comma in an option) decoded
// in every text field. Options are split at the commas.
func ParseMounts(r io.Reader, source string) ([]Mount, error) {
	var out []Mount
	_, err := linesMax(r, source, maxMountLine, func(_ int, line string) error {
		if len(out) == maxMounts {
			return fmt.Errorf("more than %d mounts (the kernel's default fs.mount-max)", maxMounts)
		}
		f := strings.Fields(line)
		if len(f) != 6 {
			return fmt.Errorf("expected 6 fields (device, mount point, type, options, dump, pass), found %d: %q", len(f), text.Excerpt(line))
		}
		var m Mount
		for i, dst := range []*string{&m.Device, &m.Point, &m.Type} {
			s, ok := unescapeMount(f[i])
			if !ok {
				return fmt.Errorf("field %d %q has a bad escape", i+1, text.Excerpt(f[i]))
			}
			*dst = s
		}
		for _, o := range strings.Split(f[3], ",") {
			s, ok := unescapeMount(o)
			if !ok {
				return fmt.Errorf("option %q has a bad escape", text.Excerpt(o))
			}
			m.Options = append(m.Options, s)
		}
		for _, n := range f[4:] {
			if _, ok := decimal(n, 1<<31); !ok {
				return fmt.Errorf("dump/pass %q is not a number", text.Excerpt(n))
			}
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// unescapeMount decodes the kernel's mangle()/seq_escape() escapes: a
// backslash and three octal digits for one byte. A backslash in any other
// form is not the kernel's (it escapes the backslash itself).
func unescapeMount(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+3 >= len(s) {
			return "", false
		}
		v := 0
		for _, c := range []byte(s[i+1 : i+4]) {
			if c < '0' || c > '7' {
				return "", false
			}
			v = v*8 + int(c-'0')
		}
		if v > 0xff {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 3
	}
	return b.String(), true
}

// CgroupMount returns the mount point of the cgroup v1 hierarchy (type
// "cgroup") whose options include every one of want, e.g.
// CgroupMount(ms, "cpu", "cpuacct"), CgroupMount(ms, "ve"),
// CgroupMount(ms, "name=fairsched"). The first match wins. With nothing
// wanted nothing matches, rather than any hierarchy.
func CgroupMount(ms []Mount, want ...string) (string, bool) {
	if len(want) == 0 {
		return "", false
	}
	for _, m := range ms {
		if m.Type != "cgroup" {
			continue
		}
		all := true
		for _, w := range want {
			if !slices.Contains(m.Options, w) {
				all = false
				break
			}
		}
		if all {
			return m.Point, true
		}
	}
	return "", false
}
