// Package checkfailcnt is check_ubc_failcnt: it alerts when a failcnt grew
// since the previous run, and keeps reporting the increase for a window so
// that soft states can become hard.
package checkfailcnt

import (
	"context"

	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/failcnt"
	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Ranges are the -w/-c of check_ubc_failcnt; check_vz_container, whose
// -w/-c judge usage, offers them as --failcnt-warning/--failcnt-critical.
type Ranges struct {
	Warning  *threshold.Range `short:"w" default:"0" placeholder:"RANGE" help:"Warning range over the increase of one resource's failcnt within the window; the default 0 makes any increase at least WARNING."`
	Critical *threshold.Range `short:"c" placeholder:"RANGE" help:"Critical range over the increase of one resource (default: none; see --critical-resource)."`
}

// Flags are the failcnt-growth settings shared by check_ubc_failcnt and
// check_vz_container (which embeds them with the prefix "failcnt-"); they
// have no short flags, so that embedding never clashes.
type Flags struct {
	Warning          *threshold.Range `kong:"-"` // set from the plugin's own range flags
	Critical         *threshold.Range `kong:"-"`
	CriticalResource []string         `name:"critical-resource" sep:"," placeholder:"NAME" help:"Resources whose every increase is CRITICAL (replaces the default list; 'none' for no such resource). Default: every resource whose failure users see, including oomguarpages (OOM kills); not physpages, swappages, vmguarpages."`
	Hold             cli.Duration     `name:"hold" default:"15m" placeholder:"DURATION" help:"Keep reporting an increase this long after it was seen, so that retries reach a HARD state (default ${default}; 0: report it in one run only)."`
	Forget           cli.Duration     `name:"forget" default:"24h" placeholder:"DURATION" help:"Drop a container that has vanished from the state after this long (default ${default})."`
	Now              string           `name:"now" hidden:"" help:"Wall-clock time to use (RFC 3339), for tests and the demo."`
}

// capped resources grow under reclaim pressure, not failure: at most
// WARNING unless named with --critical-resource (docs/formats.md §2.2).
var capped = map[string]bool{"physpages": true, "swappages": true, "vmguarpages": true}

// Validate checks names and durations.
func (f *Flags) Validate() error {
	for _, n := range f.CriticalResource {
		if n != "none" && !ubc.IsKnown(n) {
			return fmt.Errorf("--critical-resource: unknown resource %q (known: %s)", n, strings.Join(ubc.Names(), ", "))
		}
	}
	if f.Now != "" {
		if _, err := time.Parse(time.RFC3339, f.Now); err != nil {
			return fmt.Errorf("--now: %v", err)
		}
	}
	return nil
}

// criticalSet is the resources whose every increase is CRITICAL.
func (f *Flags) criticalSet() map[string]bool {
	set := map[string]bool{}
	if len(f.CriticalResource) == 0 {
		for _, r := range ubc.Known {
			if r.FailureCritical && r.Name != "dummy" {
				set[r.Name] = true
			}
		}
		return set
	}
	for _, n := range f.CriticalResource {
		if n != "none" {
			set[n] = true
		}
	}
	return set
}

// Level judges one increase.
func (f *Flags) Level(inc failcnt.Increase, critical map[string]bool) status.Status {
	crit := critical[inc.Resource] || f.Critical != nil && f.Critical.Alerts(inc.Delta)
	switch {
	case crit && (!capped[inc.Resource] || critical[inc.Resource]):
		return status.Critical
	case crit, f.Warning != nil && f.Warning.Alerts(inc.Delta):
		return status.Warning
	}
	return status.OK
}

// StatePath is the default state file for a selection key: one per
// selection (and per --root, so tests never touch production state).
func StatePath(dir, key, root string) string {
	if filepath.Clean(root) != "/" {
		key += ";root=" + root
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "failcnt-"+hex.EncodeToString(sum[:6])+".json")
}

// Outcome is one failcnt-growth run, ready for a report.
type Outcome struct {
	Report    failcnt.Report
	Increases []failcnt.Increase
	Levels    []status.Status
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

// Track runs the comparison against the state file of the selection key:
// lock, read the node, load, compare, save. The node is read under the
// lock: a run holding an older read than the state's would see counters
// go down and mistake that for a restart. Shared by check_ubc_failcnt and
// check_vz_container.
func (f *Flags) Track(ctx context.Context, pr *check.Progress, n node.Node, key, path string, read Reader) (*Outcome, *ubc.Snapshot, error) {
	out := &Outcome{Path: path}
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
	out.Increases = failcnt.Aggregate(rep.Active)
	critical := f.criticalSet()
	out.State = status.OK
	for _, inc := range out.Increases {
		lv := f.Level(inc, critical)
		out.Levels = append(out.Levels, lv)
		out.State = status.Worse(out.State, lv)
	}
	out.sortWorstFirst()
	if out.Corrupt != nil {
		out.State = status.Worse(out.State, status.Warning)
	}
	return out, snap, nil
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

// sortWorstFirst orders the increases by state, then size (Aggregate
// already sorted by size, and the sort is stable).
func (o *Outcome) sortWorstFirst() {
	idx := make([]int, len(o.Increases))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		la, lb := o.Levels[idx[a]], o.Levels[idx[b]]
		return la != lb && status.Worse(la, lb) == la
	})
	incs, lvs := make([]failcnt.Increase, len(idx)), make([]status.Status, len(idx))
	for i, k := range idx {
		incs[i], lvs[i] = o.Increases[k], o.Levels[k]
	}
	o.Increases, o.Levels = incs, lvs
}

// Perf is the perfdata of an outcome: each flagged failcnt, and the total
// increase within the window, below the thresholds included (a graph of
// failing allocations must not read 0 while the long output shows +5).
func (o *Outcome) Perf() []check.Perf {
	var perf []check.Perf
	var total uint64
	for i, inc := range o.Increases {
		total = failcnt.AddSat(total, inc.Delta)
		if o.Levels[i] != status.OK {
			perf = append(perf, report.FailcntPerf(inc.CT, ubc.Row{Name: inc.Resource, FailCnt: inc.FailCnt}))
		}
	}
	return append(perf, check.Perf{Label: "failcnt_increase", Value: strconv.FormatUint(total, 10), UOM: "c", Min: "0"})
}
