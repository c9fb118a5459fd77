package growth

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/failcnt"
	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Judged is an increase with its level.
type Judged struct {
	failcnt.Increase
	Level status.Status
}

// Outcome is one failcnt-growth run, ready for a report.
type Outcome struct {
	Report    failcnt.Report
	Increases []Judged // worst first, then largest
	State     status.Status
	Path      string
	Selected  int    // containers compared
	MovedTo   string // a corrupt state was moved here
	Corrupt   error
	Notes     []string
}

// Reader reads the beancounters and resolves the selection; Track calls
// it with the state lock held.
type Reader func() (*ubc.Snapshot, *selection.Selection, error)

// Track runs the comparison against the state file of the selection key
// (path, or a plain name in the user's state directory: statefile.Resolve):
// lock, read the node, load, compare, save, judge. The node is read under
// the lock: a run holding an older read than the state's would see
// counters go down and mistake that for a restart.
func (f *Flags) Track(ctx context.Context, pr *check.Progress, n node.Node, key, path string, judge Judge, read Reader) (*Outcome, *ubc.Snapshot, error) {
	out := &Outcome{Path: statefile.Resolve(path)}
	pr.Stage("opening state file %s", out.Path)
	store, err := statefile.Open(out.Path)
	if err != nil {
		return nil, nil, err
	}
	defer store.Close()
	pr.Stage("waiting for the lock on %s", store.LockName())
	pr.Hint(func() []string { return statefile.LockHint(store.Holder()) })
	if err := store.Lock(ctx); err != nil {
		return nil, nil, err
	}
	snap, sel, err := read()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	if f.Now != "" {
		now, _ = time.Parse(time.RFC3339, f.Now)
	}
	clock := n.ReadClock(pr)
	starts, noStarts := startsOf(n, pr, clock.Uptime)
	store.RemoveStaleTemps()
	pr.Stage("reading state file %s", out.Path)
	prev, movedTo, reason, err := store.Load(now)
	if err != nil {
		return nil, nil, err
	}
	out.MovedTo, out.Corrupt = movedTo, reason
	if prev != nil && prev.Selection != key {
		// Another selection's file (an explicit --state-file reused):
		// comparing would invent or hide increases.
		return nil, nil, &hint.Error{Msg: fmt.Sprintf("state file %s belongs to another selection (%s)", out.Path, prev.Selection),
			Hints: []string{"give each check its own --state-file, or leave the default path"}}
	}
	next, rep := failcnt.Update(prev, failcnt.Input{
		Snap: snap, Container: sel.Container, Resource: sel.Resource, Starts: starts,
		Now: statefile.Stamp{Wall: now.Unix(), Boot: clock.Uptime}, BootID: clock.BootID,
		Selection: key, Hold: f.Hold.D(), Forget: f.Forget.D(),
	})
	pr.Stage("writing state file %s", out.Path)
	if err := pr.Commit(func() error { return store.Save(next) }); err != nil {
		return nil, nil, err
	}
	out.Report = rep
	unknownStart := 0
	for i := range snap.Containers {
		if id := snap.Containers[i].ID; sel.Container(id) {
			out.Selected++
			if _, ok := starts[id]; !ok {
				unknownStart++
			}
		}
	}
	// The README promises this note: without a start time a restart whose
	// counters came back higher than before goes unseen.
	const countersOnly = "restarts are recognised by counters going down only: "
	vestat := n.Path("proc/vz/vestat")
	switch {
	case noStarts != "":
		out.Notes = append(out.Notes, countersOnly+noStarts)
	case unknownStart > 0 && unknownStart == out.Selected:
		out.Notes = append(out.Notes, countersOnly+vestat+" gives no uptime in certain units (2.6.18 counts CPU cycles)")
	case unknownStart > 0:
		out.Notes = append(out.Notes, fmt.Sprintf("restarts of %d of %s are recognised by counters going down only: %s gives no certain uptime for them",
			unknownStart, report.Plural(out.Selected, "container"), vestat))
	}
	out.Increases, out.State = judgeAll(failcnt.Aggregate(rep.Active), judge)
	if out.Corrupt != nil {
		out.State = status.Worse(out.State, status.Warning)
	}
	return out, snap, nil
}

// judgeAll judges the increases and orders them worst first; within a
// state they keep their order (Aggregate's: largest first).
func judgeAll(incs []failcnt.Increase, judge Judge) ([]Judged, status.Status) {
	judged := make([]Judged, len(incs))
	worst := status.OK
	for i, inc := range incs {
		judged[i] = Judged{inc, judge.Level(inc)}
		worst = status.Worse(worst, judged[i].Level)
	}
	slices.SortStableFunc(judged, func(a, b Judged) int { return status.Compare(b.Level, a.Level) })
	return judged, worst
}

// startsOf returns each container's start, in seconds since the host
// booted, where the kernel tells it; when it cannot tell for any, it says
// why instead.
func startsOf(n node.Node, pr *check.Progress, uptime float64) (map[string]float64, string) {
	st, err := n.VEStat(pr)
	if err != nil {
		return nil, err.Error()
	}
	if uptime <= 0 {
		return nil, n.Path("proc/uptime") + " is missing or unreadable"
	}
	starts := map[string]float64{}
	for id, v := range st {
		if up, ok := v.UptimeSeconds(); ok && up <= uptime {
			starts[id] = uptime - up
		}
	}
	return starts, ""
}

// Perf is the perfdata of an outcome: each flagged failcnt, and the total
// increase within the window, below the thresholds included (a graph of
// failing allocations must not read 0 while the long output shows +5).
func (o *Outcome) Perf() []check.Perf {
	var perf []check.Perf
	var total uint64
	for _, inc := range o.Increases {
		total = failcnt.AddSat(total, inc.Delta)
		if inc.Level != status.OK {
			perf = append(perf, report.FailcntPerf(inc.CT, ubc.Row{Name: inc.Resource, FailCnt: inc.FailCnt}))
		}
	}
	return append(perf, check.Perf{Label: "failcnt_increase", Value: strconv.FormatUint(total, 10), UOM: "c", Min: "0"})
}
