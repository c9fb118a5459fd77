// Package node reads a hardware node's files below one root directory
// (/ in production, a fake node in tests): the beancounter tables and the
// vzctl configs and names. Every path a plugin reads goes through here.
package node

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/vzmon/vzmon/internal/ctid"
	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/vzconf"
	"github.com/vzmon/vzmon/internal/vzproc"
)

// Node is the root below which proc/… and etc/vz/… are read.
type Node struct {
	Root string
}

// Tracer receives the stage names (reading which file). StageFunc sets a
// stage computed only when it is asked for (a scan of thousands of files
// names the one it is stuck on without formatting every name).
type Tracer interface {
	Stage(format string, args ...any)
	StageFunc(func() string)
}

// Path returns the real path of rel (slash-separated, relative to the root).
func (n Node) Path(rel string) string {
	return filepath.Join(n.Root, filepath.FromSlash(rel))
}

// PermissionHint says how to give the plugin the access it needs.
var PermissionHint = []string{
	"the kernel lets only root with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH read the beancounters:",
	"run the plugin through sudo (contrib/sudoers.d) or grant the capabilities with setcap (see README)",
}

// fileError words an open or read failure of path.
func (n Node) fileError(rel string, err error) error {
	p := n.Path(rel)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return &hint.Error{Msg: fmt.Sprintf("permission denied reading %s", p), Hints: PermissionHint, Err: err}
	case errors.Is(err, fs.ErrNotExist):
		return &hint.Error{Msg: fmt.Sprintf("%s does not exist", p), Err: err}
	}
	return &hint.Error{Msg: fmt.Sprintf("cannot read %s: %v", p, hint.PathErr(err)), Err: err}
}

// open opens rel for reading, naming the stage first so that a blocking
// open (a FIFO, a stuck kernel lock) times out with the file's name.
func (n Node) open(t Tracer, rel string) (*os.File, error) {
	t.Stage("reading %s", n.Path(rel))
	f, err := os.Open(n.Path(rel))
	if err != nil {
		return nil, n.fileError(rel, err)
	}
	return f, nil
}

// validName reports whether s may be a vzctl container name: letters,
// digits, space and "-+_." (docs/formats.md §6).
func validName(s string) bool {
	if s == "" || len(s) > 128 || s[0] == '.' {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.ContainsRune(" -+_.", c)) {
			return false
		}
	}
	return true
}

// ValidCTID reports whether s is a container ID as vzctl names configs:
// a decimal number (no leading zero; libvzctl parses it into an int) or a
// Virtuozzo 7 UUID (8-4-4-4-12 hex digits). "vps.basic", "old-101" and
// "0204" are not.
func ValidCTID(s string) bool {
	if s == "0" {
		return true
	}
	if n := len(s); n > 0 && n <= 10 && s[0] != '0' && strings.Trim(s, "0123456789") == "" {
		return len(s) < 10 || s <= "2147483647"
	}
	if len(s) != 36 {
		return false
	}
	for i, c := range []byte(s) {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// ErrNotConfig marks an etc/vz/conf/<id>.conf that is not a container's
// config (a directory, a device, a symlink other than Virtuozzo 7's).
var ErrNotConfig = errors.New("not a container's config")

// NoConfig reports whether err (from Config) says the container has no
// config: the file is missing or is not a container's config.
func NoConfig(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrNotConfig)
}

// veConf is the config in a Virtuozzo 7 container's private area, which
// libvzctl registers as a symlink etc/vz/conf/<id>.conf -> <private>/ve.conf.
const veConf = "ve.conf"

// configPath checks that etc/vz/conf/<id>.conf is a container's config:
// a regular file, or Virtuozzo 7's symlink to a ve.conf that is one. Any
// other symlink (an alias of another container's config, a link to
// anything else) does not make a container.
func (n Node) configPath(rel string) error {
	p := n.Path(rel)
	fi, err := os.Lstat(p)
	if err != nil {
		return n.fileError(rel, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(p)
		if err != nil {
			return n.fileError(rel, err)
		}
		if path.Base(filepath.ToSlash(target)) != veConf {
			return &hint.Error{Msg: fmt.Sprintf("%s is a symlink to %s, not a container's config (only Virtuozzo 7's link to <private>/%s is)", p, text.Clean(target, 128), veConf), Err: ErrNotConfig}
		}
		if fi, err = os.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// The container exists; its private area is not there.
				return &hint.Error{Msg: fmt.Sprintf("%s links to %s, which does not exist (is the private area's filesystem mounted?)", p, text.Clean(target, 128))}
			}
			return n.fileError(rel, err)
		}
	}
	if !fi.Mode().IsRegular() {
		return &hint.Error{Msg: fmt.Sprintf("%s is a %s, not a container's config", p, fileKind(fi.Mode())), Err: ErrNotConfig}
	}
	return nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// Config reads etc/vz/conf/<id>.conf. An error for which NoConfig holds
// means the container has no config.
func (n Node) Config(t Tracer, id string) (vzconf.Config, error) {
	if !ctid.Valid(id) {
		return nil, &hint.Error{Msg: fmt.Sprintf("invalid container ID %q", id)}
	}
	rel := ConfigRel(id)
	t.Stage("reading %s", n.Path(rel))
	if err := n.configPath(rel); err != nil {
		return nil, err
	}
	f, err := os.Open(n.Path(rel))
	if err != nil {
		return nil, n.fileError(rel, err)
	}
	defer f.Close()
	cfg, err := vzconf.Parse(f, n.Path(rel)) // not readParsed: the ID check comes first
	if err != nil {
		return nil, &hint.Error{Msg: err.Error(), Err: err}
	}
	return cfg, nil
}

// ConfigRel is the path of a container's config, relative to the root.
func ConfigRel(id string) string { return "etc/vz/conf/" + id + ".conf" }

// ConfigIDs lists the IDs that have an etc/vz/conf/<id>.conf with a valid
// container ID (vps.basic.conf, ve-*.conf-sample, old-101.conf and
// directories are left out; Config tells whether the rest are configs).
// A missing directory is an empty list.
func (n Node) ConfigIDs(t Tracer) ([]string, error) {
	t.Stage("listing %s", n.Path("etc/vz/conf"))
	entries, err := os.ReadDir(n.Path("etc/vz/conf"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, n.fileError("etc/vz/conf", err)
	}
	var ids []string
	for _, e := range entries {
		id, isConf := strings.CutSuffix(e.Name(), ".conf")
		if isConf && ValidCTID(id) && (e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// NamesRel is the path of a vzctl name's link, relative to the root.
func NamesRel(name string) string { return "etc/vz/names/" + name }

// LookupName finds the container ID of a vzctl name: the etc/vz/names/<name>
// link decides when its target is named <id>.conf (only the target's base
// name counts, as in vzctl); else the one config with NAME=<name>. ok is
// false when no container has that name; a name in several configs is an
// error, as vzctl would pick one of them silently.
func (n Node) LookupName(t Tracer, name string) (id string, ok bool, err error) {
	if !validName(name) {
		return "", false, nil
	}
	rel := NamesRel(name)
	t.Stage("reading %s", n.Path(rel))
	if target, err := os.Readlink(n.Path(rel)); err == nil {
		// Virtuozzo 7 links to <private>/ve.conf: no ID in the name, so
		// the configs decide.
		id, isConf := strings.CutSuffix(path.Base(filepath.ToSlash(target)), ".conf")
		if isConf && ValidCTID(id) {
			return id, true, nil
		}
	}
	ids, err := n.ConfigIDs(t)
	if err != nil {
		return "", false, err
	}
	t.Stage("searching %s for NAME=%s", n.Path("etc/vz/conf"), name)
	var found []string
	for _, id := range ids {
		cfg, err := n.Config(t, id)
		if err == nil && cfg["NAME"] == name {
			found = append(found, id)
		}
	}
	switch len(found) {
	case 0:
		return "", false, nil
	case 1:
		return found[0], true, nil
	}
	return "", false, &hint.Error{Msg: fmt.Sprintf("name %s is ambiguous (%s)", text.Clean(name, 64), strings.Join(found, ", ")),
		Hints: []string{fmt.Sprintf("NAME=%q is in the configs of %s in %s and %s has no link deciding it;", text.Clean(name, 64), strings.Join(found, ", "), n.Path("etc/vz/conf"), n.Path(rel)),
			"give the container ID instead, or rename all but one (vzctl set ID --name NEW --save)"}}
}

// Names caches container names (NAME= of each config) for display.
type Names struct {
	node  Node
	t     Tracer
	cache map[string]string
}

// NewNames returns a lazy name cache: configs are read only for the
// containers that appear in the output.
func (n Node) NewNames(t Tracer) *Names {
	return &Names{node: n, t: t, cache: map[string]string{}}
}

// Of returns the container's name, or "" when it has none or its config
// cannot be read (the ID alone is still a correct label).
func (c *Names) Of(id string) string {
	if name, ok := c.cache[id]; ok {
		return name
	}
	name := ""
	if cfg, err := c.node.Config(c.t, id); err == nil {
		name = cfg["NAME"]
	}
	c.cache[id] = name
	return name
}

// Clock is the node's boot-relative time: seconds since boot and the boot
// ID, each zero when the file is missing or unreadable.
type Clock struct {
	Uptime float64
	BootID string
}

// ReadClock reads proc/uptime and proc/sys/kernel/random/boot_id.
func (n Node) ReadClock(t Tracer) Clock {
	var c Clock
	if f, err := n.open(t, "proc/uptime"); err == nil {
		c.Uptime, _ = vzproc.ParseUptime(f, n.Path("proc/uptime"))
		f.Close()
	}
	if f, err := n.open(t, "proc/sys/kernel/random/boot_id"); err == nil {
		var b [64]byte
		k, _ := io.ReadFull(f, b[:])
		f.Close()
		if id := strings.TrimSpace(string(b[:k])); ctid.Valid(id) {
			c.BootID = id
		}
	}
	return c
}

// readParsed opens rel and parses it; parse errors name file and line.
func readParsed[T any](n Node, t Tracer, rel string, parse func(io.Reader, string) (T, error)) (T, error) {
	f, err := n.open(t, rel)
	return parseFile(n, f, err, rel, parse)
}

// parseFile parses f, the file rel opened (or the error opening it), and
// closes it.
func parseFile[T any](n Node, f *os.File, err error, rel string, parse func(io.Reader, string) (T, error)) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	defer f.Close()
	v, err := parse(f, n.Path(rel))
	if err != nil {
		return zero, &hint.Error{Msg: err.Error(), Err: err}
	}
	return v, nil
}

// VEStat reads proc/vz/vestat.
func (n Node) VEStat(t Tracer) (map[string]vzproc.VEStat, error) {
	return readParsed(n, t, "proc/vz/vestat", vzproc.ParseVEStat)
}

// MemInfo reads proc/meminfo.
func (n Node) MemInfo(t Tracer) (vzproc.MemInfo, error) {
	return readParsed(n, t, "proc/meminfo", vzproc.ParseMemInfo)
}
