// Package checkfailcnt is check_ubc_failcnt: it alerts when a failcnt grew
// since the previous run, and keeps reporting the increase for a window so
// that soft states can become hard (package growth does the work).
package checkfailcnt

import (
	"context"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/growth"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/privilege"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Ranges are the -w/-c of check_ubc_failcnt; check_vz_container, whose
// -w/-c judge usage, offers them as --failcnt-warning/--failcnt-critical.
type Ranges struct {
	Warning  *threshold.Range `short:"w" default:"0" placeholder:"RANGE" help:"Warning range over the increase of one resource's failcnt within the window; the default 0 makes any increase at least WARNING."`
	Critical *threshold.Range `short:"c" placeholder:"RANGE" help:"Critical range over the increase of one resource (default: none; see --critical-resource)."`
}

// Flags are check_ubc_failcnt's command line.
type Flags struct {
	cli.Common `embed:""`
	Select     selection.Flags `embed:""`
	Ranges     `embed:""`
	Growth     growth.Flags  `embed:""`
	StateFile  string        `name:"state-file" placeholder:"PATH" help:"State file (default: <state-dir>/failcnt-<hash of the selection>.json, so checks with different selections never share one); a plain name is a file in /var/lib/check_ubc/<uid>/."`
	StateDir   string        `name:"state-dir" placeholder:"DIR" help:"Directory of the default state files (created 0700; default /var/lib/check_ubc/<uid>, one per user)."`
	MaxOutput  cli.MaxOutput `name:"max-output" default:"1023" placeholder:"BYTES" help:"Cut the long output to fit BYTES (default 1023, the NRPE 2 limit; 0 = no limit)."`
}

// Validate runs the embedded validations (kong validates the root only).
func (f *Flags) Validate() error {
	if err := f.Select.Validate(); err != nil {
		return err
	}
	return f.Growth.Validate()
}

// app is check_ubc_failcnt: its flags and its check.
type app struct {
	f Flags
}

// New returns check_ubc_failcnt.
func New() *check.App {
	a := &app{}
	// Under raised privileges: no --root, no state outside the user's state directory.
	guard := func() error {
		return privilege.Guard(privilege.Root(a.f.Root),
			privilege.Path{Flag: "--state-dir", Value: a.f.StateDir, Default: statefile.UserDir()},
			privilege.Path{Flag: "--state-file", Value: a.f.StateFile, Dir: statefile.UserDir()})
	}
	return &check.App{Name: "check_ubc_failcnt", Tag: "UBC FAILCNT", Help: help, Icinga2: "ubc_failcnt",
		Flags: &a.f, Common: &a.f.Common, Guard: guard, Check: a.check}
}

const help = `Alerts when a beancounter failcnt of a container grew since the previous
run: allocations are failing now. A non-zero failcnt alone is history, not an
alarm. The first run records a baseline. An increase stays reported for
--hold (default 15m) so that Nagios/Icinga retries reach a HARD state.

Examples:
  check_ubc_failcnt                           whole node, state under /var/lib/check_ubc/<uid>
  check_ubc_failcnt --ctid 204 --hold 30m
  check_ubc_failcnt -w 10 -c 1000 --critical-resource none
  check_ubc_failcnt --exclude-resource physpages,swappages

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`

// check reads the beancounters and compares them with the state.
func (a *app) check(ctx context.Context, pr *check.Progress) check.Result {
	n := node.Node{Root: a.f.Root}
	key := a.f.Select.Key()
	path := a.f.StateFile
	if path == "" {
		dir := a.f.StateDir
		if dir == "" {
			dir = statefile.UserDir()
		}
		path = growth.StatePath(dir, key, n.Root)
	}
	judge := a.f.Growth.Judge(threshold.Pair{Warn: a.f.Warning, Crit: a.f.Critical})
	out, snap, err := a.f.Growth.Track(ctx, pr, n, key, path, judge, func() (*ubc.Snapshot, *selection.Selection, error) {
		snap, err := n.Beancounters(pr)
		if err != nil {
			return nil, nil, err
		}
		sel, err := a.f.Select.Resolve(n, pr, snap)
		return snap, sel, err
	})
	if err != nil {
		return check.FromError(err)
	}
	names := n.NewNames(pr)
	label := func(id string) string { return selection.CTLabel(id, names.Of(id)) }
	res := growth.Result(out, snap, label, a.f.Growth.Hold.D())
	res.MaxBytes = int(a.f.MaxOutput)
	return res
}
