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

	"github.com/vzmon/vzmon/internal/ubc"
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

// Error is a failure worded for an UNKNOWN line, with what to do about it.
type Error struct {
	Msg  string
	Hint []string
	Err  error
}

func (e *Error) Error() string { return e.Msg }

// Hints says what to do about the error.
func (e *Error) Hints() []string { return e.Hint }
func (e *Error) Unwrap() error   { return e.Err }

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
		return &Error{Msg: fmt.Sprintf("permission denied reading %s", p), Hint: PermissionHint, Err: err}
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Msg: fmt.Sprintf("%s does not exist", p), Err: err}
	}
	return &Error{Msg: fmt.Sprintf("cannot read %s: %v", p, unwrapPath(err)), Err: err}
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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

// Beancounter table paths, preferred first: /proc/bc/resources carries
// swappages, /proc/user_beancounters stops at index 23 (formats doc §0.2).
const (
	BCResources      = "proc/bc/resources"
	UserBeancounters = "proc/user_beancounters"
)

// Beancounters reads all containers' beancounters.
func (n Node) Beancounters(t Tracer) (*ubc.Snapshot, error) {
	var missing []string
	for _, rel := range []string{BCResources, UserBeancounters} {
		snap, err := n.readTable(t, rel, "")
		if err == nil {
			return snap, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, n.Path(rel))
	}
	return nil, &Error{
		Msg:  fmt.Sprintf("not an OpenVZ/Virtuozzo host (no %s)", strings.Join(missing, " or ")),
		Hint: []string{"run this plugin on the hardware node (CT 0), not inside a container or on a plain Linux host"},
		Err:  fs.ErrNotExist,
	}
}

// ContainerBeancounters reads one container's /proc/bc/<id>/resources,
// falling back to the whole table when the per-container file is missing.
func (n Node) ContainerBeancounters(t Tracer, id string) (*ubc.Snapshot, error) {
	if !ubc.ValidID(id) {
		return nil, &Error{Msg: fmt.Sprintf("invalid container ID %q", id)}
	}
	snap, err := n.readTable(t, "proc/bc/"+id+"/resources", id)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return snap, err
	}
	return n.Beancounters(t)
}

func (n Node) readTable(t Tracer, rel, id string) (*ubc.Snapshot, error) {
	f, err := n.open(t, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var snap *ubc.Snapshot
	if id == "" {
		snap, err = ubc.Parse(f, n.Path(rel))
	} else {
		snap, err = ubc.ParseContainer(f, n.Path(rel), id)
	}
	if err != nil {
		var se *ubc.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{Msg: err.Error(), Hint: []string{"the file is not in the kernel's beancounter format; if it comes from a new kernel, please report it with the file attached"}, Err: err}
		}
		return nil, n.fileError(rel, err)
	}
	return snap, nil
}

// validName reports whether s may be a vzctl container name: letters,
// digits, space and "-+_." (formats doc §6).
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

// Config reads etc/vz/conf/<id>.conf.
func (n Node) Config(t Tracer, id string) (vzconf.Config, error) {
	if !ubc.ValidID(id) {
		return nil, &Error{Msg: fmt.Sprintf("invalid container ID %q", id)}
	}
	rel := "etc/vz/conf/" + id + ".conf"
	f, err := n.open(t, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, err := vzconf.Parse(f, n.Path(rel)) // not readParsed: the ID check comes first
	if err != nil {
		return nil, &Error{Msg: err.Error(), Err: err}
	}
	return cfg, nil
}

// LookupName finds the container ID of a vzctl name: the etc/vz/names/<name>
// link (only the target's base name counts, as in vzctl), else a NAME= in
// etc/vz/conf/*.conf. ok is false when no container has that name.
func (n Node) LookupName(t Tracer, name string) (id string, ok bool, err error) {
	if !validName(name) {
		return "", false, nil
	}
	rel := "etc/vz/names/" + name
	t.Stage("reading %s", n.Path(rel))
	if target, err := os.Readlink(n.Path(rel)); err == nil {
		id := strings.TrimSuffix(path.Base(filepath.ToSlash(target)), ".conf")
		if ubc.ValidID(id) {
			return id, true, nil
		}
	}
	t.Stage("searching %s for NAME=%s", n.Path("etc/vz/conf"), name)
	entries, err := os.ReadDir(n.Path("etc/vz/conf"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, nil
		}
		return "", false, n.fileError("etc/vz/conf", err)
	}
	for _, e := range entries {
		id, isConf := strings.CutSuffix(e.Name(), ".conf")
		if !isConf || !ubc.ValidID(id) || e.IsDir() {
			continue
		}
		cfg, err := n.Config(t, id)
		if err == nil && cfg["NAME"] == name {
			return id, true, nil
		}
	}
	return "", false, nil
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
		if id := strings.TrimSpace(string(b[:k])); ubc.ValidID(id) {
			c.BootID = id
		}
	}
	return c
}

// readParsed opens rel and parses it; parse errors name file and line.
func readParsed[T any](n Node, t Tracer, rel string, parse func(io.Reader, string) (T, error)) (T, error) {
	var zero T
	f, err := n.open(t, rel)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	v, err := parse(f, n.Path(rel))
	if err != nil {
		return zero, &Error{Msg: err.Error(), Err: err}
	}
	return v, nil
}

// VEStat reads proc/vz/vestat.
func (n Node) VEStat(t Tracer) (map[string]vzproc.VEStat, error) {
	return readParsed(n, t, "proc/vz/vestat", vzproc.ParseVEStat)
}
