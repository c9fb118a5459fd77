package checkfailcnt

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/failcnt"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/privilege"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/ubc"
)

// AppFlags are check_ubc_failcnt's command line.
type AppFlags struct {
	cli.Common `embed:""`
	Select     selection.Flags `embed:""`
	Ranges     `embed:""`
	Growth     Flags  `embed:""`
	StateFile  string `name:"state-file" placeholder:"PATH" help:"State file (default: <state-dir>/failcnt-<hash of the selection>.json, so checks with different selections never share one)."`
	StateDir   string `name:"state-dir" placeholder:"DIR" help:"Directory of the default state files (created 0700; default /var/lib/check_ubc)."`
	MaxOutput  int    `name:"max-output" default:"1023" placeholder:"BYTES" help:"Cut the long output to fit BYTES (default 1023, the NRPE 2 limit; 0 = no limit)."`
}

// Validate runs the embedded validations (kong validates the root only).
func (f *AppFlags) Validate() error {
	if err := f.Select.Validate(); err != nil {
		return err
	}
	if f.MaxOutput < 0 {
		return fmt.Errorf("--max-output must be 0 (no limit) or a number of bytes")
	}
	return f.Growth.Validate()
}

// App is check_ubc_failcnt; build it with New.
type App struct {
	check.Meta
	f AppFlags
}

// New returns the check.
func New() *App {
	return &App{Meta: check.Meta{Prog: "check_ubc_failcnt", StateTag: "UBC FAILCNT", Usage: help, Command: "ubc_failcnt"}}
}

func (a *App) Flags() any          { return &a.f }
func (a *App) Common() *cli.Common { return &a.f.Common }

// Guard refuses --root and state paths outside the state directory under
// raised privileges.
func (a *App) Guard() error {
	return privilege.Guard(
		privilege.Path{Flag: "--root", Value: a.f.Root, Default: "/"},
		privilege.Path{Flag: "--state-dir", Value: a.f.StateDir, Default: statefile.DefaultDir},
		privilege.Path{Flag: "--state-file", Value: a.f.StateFile, Dir: statefile.DefaultDir},
	)
}

const help = `Alerts when a beancounter failcnt of a container grew since the previous
run: allocations are failing now. A non-zero failcnt alone is history, not an
alarm. The first run records a baseline. An increase stays reported for
--hold (default 15m) so that Nagios/Icinga retries reach a HARD state.

Examples:
  check_ubc_failcnt                           whole node, state under /var/lib/check_ubc
  check_ubc_failcnt --ctid 204 --hold 30m
  check_ubc_failcnt -w 10 -c 1000 --critical-resource none
  check_ubc_failcnt --exclude-resource physpages,swappages

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`

// Check reads the beancounters and compares them with the state.
func (a *App) Check(ctx context.Context, pr *check.Progress) check.Result {
	n := node.Node{Root: a.f.Root}
	a.f.Growth.Warning, a.f.Growth.Critical = a.f.Warning, a.f.Critical
	key := a.f.Select.Key()
	path := a.f.StateFile
	if path == "" {
		dir := a.f.StateDir
		if dir == "" {
			dir = statefile.DefaultDir
		}
		path = StatePath(dir, key, n.Root)
	}
	out, snap, err := a.f.Growth.Track(ctx, pr, n, key, path, func() (*ubc.Snapshot, *selection.Selection, error) {
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
	res := Result(out, snap, label, a.f.Growth.Hold.D())
	res.MaxBytes = a.f.MaxOutput
	return res
}

// Result words an outcome.
func Result(out *Outcome, snap *ubc.Snapshot, label func(string) string, hold time.Duration) check.Result {
	res := check.Result{State: out.State, More: "%d more not shown (-v or --max-output shows more)"}
	window := "since the last run"
	if hold > 0 {
		window = "in the last " + report.Duration(hold, 0)
	}
	switch {
	case out.Corrupt != nil:
		res.Summary = fmt.Sprintf("state file %s was unreadable (%v); moved to %s, new baseline recorded", out.Path, out.Corrupt, out.MovedTo)
	case out.Report.Baseline:
		res.Summary = fmt.Sprintf("baseline recorded for %s; later runs alert on failcnt growth", report.Plural(out.Selected, "container"))
	case len(out.Increases) == 0:
		res.Summary = fmt.Sprintf("no failcnt grew %s (%s)", window, report.Plural(out.Selected, "container"))
	default:
		res.Summary = growthSummary(out, label) + " " + window
	}
	for i, inc := range out.Increases {
		res.Items = append(res.Items, check.Item{Lines: increaseLines(inc, out.Levels[i], snap, label)})
	}
	if out.Report.Baseline && len(out.Report.History) > 0 {
		res.Head = append(res.Head, "failcnt history at the baseline (not alarms; only growth alerts):")
		for _, e := range out.Report.History {
			res.Items = append(res.Items, check.Item{Lines: []string{fmt.Sprintf("  %s %s failcnt %d", label(e.CT), e.Resource, e.FailCnt)}})
		}
	}
	if len(out.Report.Restarts) > 0 {
		res.Tail = append(res.Tail, "restarted since the last run (counted from 0): "+labels(out.Report.Restarts, label))
	}
	if len(out.Report.Resets) > 0 {
		res.Tail = append(res.Tail, "counter went down without a restart (reset, counted from 0): "+labels(out.Report.Resets, label))
	}
	if len(out.Report.New) > 0 {
		res.Tail = append(res.Tail, "new since the last run: "+labels(out.Report.New, label))
	}
	if len(out.Report.Dropped) > 0 {
		res.Tail = append(res.Tail, "gone too long, forgotten: "+labels(out.Report.Dropped, label))
	}
	res.Tail = append(res.Tail, out.Notes...)
	res.Tail = append(res.Tail, "state: "+out.Path)
	res.Perf = out.Perf()
	return res
}

func labels(ids []string, label func(string) string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = label(id)
	}
	return strings.Join(parts, ", ")
}

// growthSummary names the largest increases, grouped by container.
func growthSummary(out *Outcome, label func(string) string) string {
	var parts []string
	prev := ""
	shown := 0
	for i, inc := range out.Increases {
		if out.Levels[i] == status.OK {
			continue
		}
		if shown == 3 {
			parts = append(parts, fmt.Sprintf("+%d more", alerting(out)-shown))
			break
		}
		text := fmt.Sprintf("%s +%d", inc.Resource, inc.Delta)
		if inc.CT != prev {
			text = label(inc.CT) + " " + text
		}
		parts = append(parts, text)
		prev = inc.CT
		shown++
	}
	if len(parts) == 0 {
		return report.Plural(len(out.Increases), "failcnt increase") + " below the thresholds"
	}
	return strings.Join(parts, ", ")
}

func alerting(out *Outcome) int {
	n := 0
	for _, l := range out.Levels {
		if l != status.OK {
			n++
		}
	}
	return n
}

func increaseLines(inc failcnt.Increase, lv status.Status, snap *ubc.Snapshot, label func(string) string) []string {
	when := "at " + stamp(inc.Last.Wall)
	if inc.First.Wall != inc.Last.Wall {
		when = "between " + stamp(inc.First.Wall) + " and " + stamp(inc.Last.Wall)
	}
	why := ""
	switch {
	case inc.New:
		why = " (new container, counted from 0)"
	case inc.Restart:
		why = " (after a restart, counted from 0)"
	case inc.Reset:
		why = " (counter went down (reset), counted from 0)"
	}
	lines := []string{fmt.Sprintf("[%s] %s %s failcnt +%d%s %s, now %d", lv, label(inc.CT), inc.Resource, inc.Delta, why, when, inc.FailCnt)}
	if ct, ok := snap.Container(inc.CT); ok {
		if r, ok := ct.Row(inc.Resource); ok {
			lines[0] += "; " + report.Values(*r)
			lines = append(lines, "    raise: "+report.Raise(inc.CT, *r))
		}
	}
	return lines
}

func stamp(unix int64) string {
	return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04:05Z")
}
