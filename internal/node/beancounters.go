package node

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/vzmon/vzmon/internal/ctid"
	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Beancounter table paths, preferred first: /proc/bc/resources carries
// swappages, /proc/user_beancounters stops at index 23 (docs/formats.md §0.2).
const (
	BCResources      = "proc/bc/resources"
	UserBeancounters = "proc/user_beancounters"
)

// Beancounters reads all containers' beancounters into a Snapshot.
func (n Node) Beancounters(t Tracer) (*ubc.Snapshot, error) {
	var snap *ubc.Snapshot
	_, err := n.readBeancounters(t, func(r io.Reader, source string) (err error) {
		snap, err = ubc.Parse(r, source)
		return err
	})
	return snap, err
}

// ScanBeancounters reads all containers' beancounters in one pass, handing
// each block to fn under the contract of ubc.Scan, and returns the path
// of the table it read.
func (n Node) ScanBeancounters(t Tracer, fn func(*ubc.Container) error) (string, error) {
	return n.readBeancounters(t, func(r io.Reader, source string) error {
		return ubc.Scan(r, source, fn)
	})
}

// readBeancounters reads the first beancounter table that exists.
func (n Node) readBeancounters(t Tracer, read func(io.Reader, string) error) (string, error) {
	var missing []string
	for _, rel := range []string{BCResources, UserBeancounters} {
		err := n.readTable(t, rel, read)
		if err == nil {
			return n.Path(rel), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		missing = append(missing, n.Path(rel))
	}
	return "", &hint.Error{
		Msg:   fmt.Sprintf("not an OpenVZ/Virtuozzo host (no %s)", strings.Join(missing, " or ")),
		Hints: []string{"run this plugin on the hardware node (CT 0), not inside a container or on a plain Linux host"},
		Err:   fs.ErrNotExist,
	}
}

// ContainerBeancounters reads one container's /proc/bc/<id>/resources,
// falling back to the whole table when the per-container file is missing.
func (n Node) ContainerBeancounters(t Tracer, id string) (*ubc.Snapshot, error) {
	if !ctid.Valid(id) {
		return nil, &hint.Error{Msg: fmt.Sprintf("invalid container ID %q", id)}
	}
	var snap *ubc.Snapshot
	err := n.readTable(t, "proc/bc/"+id+"/resources", func(r io.Reader, source string) (err error) {
		snap, err = ubc.ParseContainer(r, source, id)
		return err
	})
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return snap, err
	}
	return n.Beancounters(t)
}

// readTable opens rel and reads it with read; a damaged table is worded
// with what to do.
func (n Node) readTable(t Tracer, rel string, read func(io.Reader, string) error) error {
	f, err := n.open(t, rel)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := read(f, n.Path(rel)); err != nil {
		var se *ubc.SyntaxError
		if errors.As(err, &se) {
			return &hint.Error{Msg: err.Error(), Hints: []string{"the file is not in the kernel's beancounter format; if it comes from a new kernel, please report it with the file attached"}, Err: err}
		}
		return n.fileError(rel, err)
	}
	return nil
}
