// Package failcnt compares the current failcnts with the previous run's
// and keeps the increases of a recent window. Pure: states in, state and
// report out; the file handling is in statefile.
package failcnt

import (
	"math"
	"sort"
	"time"

	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/ubc"
)

// startTolerance is how far two computations of one container's start may
// differ without meaning a restart (/proc/uptime has 10 ms resolution and
// the two files are read a moment apart).
const startTolerance = 2.0

// Input is one run's view of the node.
type Input struct {
	Snap      *ubc.Snapshot
	Container func(id string) bool   // selected containers
	Resource  func(name string) bool // selected resources
	// Starts holds each container's start in seconds since boot, where the
	// kernel tells it (vestat with certain units); missing otherwise.
	Starts    map[string]float64
	Now       statefile.Stamp
	BootID    string
	Selection string
	// Hold is how long this run reports an increase. The state keeps each
	// increase for the longest hold of the recent runs on it (see holds).
	Hold time.Duration
	// Forget is how long a vanished container, or the hold of a run that
	// stopped coming, is remembered.
	Forget time.Duration
}

// Report says what happened, for the output.
type Report struct {
	Baseline bool              // no previous state: this run only records
	Active   []statefile.Event // increases within this run's --hold, this run's included
	Restarts []string          // containers seen restarted this run
	Resets   []string          // containers with a counter reset, not restarted
	New      []string          // containers that appeared this run
	Dropped  []string          // vanished containers forgotten this run
	// History lists non-zero failcnts at the baseline (old, not alarms).
	History []statefile.Event
}

// Update computes the next state and the report. prev is nil on the first
// run (or after a corrupt state was moved aside).
func Update(prev *statefile.State, in Input) (*statefile.State, Report) {
	next := &statefile.State{Version: statefile.Version, Selection: in.Selection, BootID: in.BootID,
		Written: in.Now, Containers: map[string]*statefile.Container{}}
	var rep Report
	var keepFor time.Duration
	next.Holds, keepFor = holds(prev, in)
	if prev == nil {
		rep.Baseline = true
	} else {
		next.Events, rep.Active = keepRecent(prev, in, keepFor)
	}
	tracked := map[string]bool{}
	if prev != nil {
		for _, r := range prev.Resources {
			tracked[r] = true
		}
	}
	seenRes := map[string]bool{}
	var fresh []statefile.Event
	for i := range in.Snap.Containers {
		ct := &in.Snap.Containers[i]
		if !in.Container(ct.ID) {
			continue
		}
		cur := &statefile.Container{LastSeen: in.Now, FailCnt: map[string]uint64{}}
		if s, ok := in.Starts[ct.ID]; ok {
			cur.Start = &s
		}
		for _, r := range ct.Rows {
			if in.Resource(r.Name) && ubc.IsKnown(r.Name) {
				seenRes[r.Name] = true
				if r.FailCnt > 0 {
					cur.FailCnt[r.Name] = r.FailCnt
				}
			}
		}
		next.Containers[ct.ID] = cur
		if rep.Baseline {
			rep.History = append(rep.History, nonZero(ct.ID, cur, in.Now)...)
			continue
		}
		fresh = append(fresh, compare(prev.Containers[ct.ID], cur, ct.ID, tracked, in, &rep)...)
	}
	next.Resources = sortedKeys(seenRes)
	if prev != nil {
		for id, old := range prev.Containers {
			if _, seen := next.Containers[id]; seen || !in.Container(id) {
				continue
			}
			if age(old.LastSeen, in, prev.BootID) > in.Forget {
				rep.Dropped = append(rep.Dropped, id)
				continue
			}
			next.Containers[id] = old // gone for now; remembered a while
		}
	}
	next.Events = append(next.Events, fresh...)
	rep.Active = append(rep.Active, fresh...)
	sort.Strings(rep.Restarts)
	sort.Strings(rep.Resets)
	sort.Strings(rep.New)
	sort.Strings(rep.Dropped)
	return next, rep
}

// compare turns one container's change into events. Failcnts missing from
// a container's maps are 0; tracked says which resources had a baseline.
func compare(old, cur *statefile.Container, id string, tracked map[string]bool, in Input, rep *Report) []statefile.Event {
	if old == nil {
		// Appeared after the baseline: it started from 0, so its whole
		// failcnt is new.
		rep.New = append(rep.New, id)
		var evs []statefile.Event
		for _, e := range nonZero(id, cur, in.Now) {
			e.New = true
			evs = append(evs, e)
		}
		return evs
	}
	// With both start times known they decide; otherwise a counter that
	// went down means the beancounter was recreated. A counter that went
	// down while the start stayed the same was reset, not restarted.
	wentDown := false
	for res, p := range old.FailCnt {
		if tracked[res] && cur.FailCnt[res] < p {
			wentDown = true
		}
	}
	startsKnown := old.Start != nil && cur.Start != nil
	restarted := wentDown
	if startsKnown {
		restarted = math.Abs(*old.Start-*cur.Start) > startTolerance
	}
	switch {
	case restarted:
		rep.Restarts = append(rep.Restarts, id)
	case wentDown:
		rep.Resets = append(rep.Resets, id)
	}
	var evs []statefile.Event
	for _, res := range sortedKeys(cur.FailCnt) {
		v, p := cur.FailCnt[res], old.FailCnt[res]
		var delta uint64
		switch {
		case !tracked[res]:
			continue // a resource not tracked before has no baseline yet
		case restarted || v < p:
			delta = v // counted from 0 since the restart or the reset
		default:
			delta = v - p
		}
		if delta > 0 {
			evs = append(evs, statefile.Event{CT: id, Resource: res, Delta: delta, FailCnt: v, Seen: in.Now,
				Restart: restarted, Reset: !restarted && v < p})
		}
	}
	return evs
}

// keepRecent returns the previous run's events to keep (younger than
// keepFor) and those of them inside this run's hold. Events seen "in the
// future" (the wall clock went back, without a boot clock to rely on) are
// re-anchored to now, so they expire one window later instead of never or
// at once.
func keepRecent(prev *statefile.State, in Input, keepFor time.Duration) (keep, active []statefile.Event) {
	for _, e := range prev.Events {
		if !in.Container(e.CT) || !in.Resource(e.Resource) {
			continue
		}
		a := age(e.Seen, in, prev.BootID)
		if a < 0 {
			e.Seen, a = in.Now, 0
		}
		if a < keepFor {
			keep = append(keep, e)
		}
		if a < in.Hold {
			active = append(active, e)
		}
	}
	return keep, active
}

// holds records this run's hold beside those of the other recent runs on
// the state, and returns them with the longest, how long events are kept.
// A hold no run has used for --forget, and for the hold itself, lapses: a
// one-off long --hold does not keep events for ever, and a check that
// runs within its own hold never loses its window.
func holds(prev *statefile.State, in Input) ([]statefile.Hold, time.Duration) {
	type used struct {
		h   statefile.Hold
		age time.Duration
	}
	all := []used{{h: statefile.Hold{Seconds: in.Hold.Seconds(), LastUsed: in.Now}}}
	if prev != nil {
		for _, h := range prev.Holds {
			if h.Seconds == all[0].h.Seconds {
				continue // this run's, used now
			}
			a := age(h.LastUsed, in, prev.BootID)
			if a < 0 {
				h.LastUsed, a = in.Now, 0 // from the future: re-anchored, as events are
			}
			if a <= max(h.D(), in.Forget) {
				all = append(all, used{h, a})
			}
		}
	}
	// Most recently used first, so that a cut to MaxHolds drops the stalest.
	sort.SliceStable(all, func(a, b int) bool { return all[a].age < all[b].age })
	all = all[:min(len(all), statefile.MaxHolds)]
	kept := make([]statefile.Hold, len(all))
	var keepFor time.Duration
	for i, u := range all {
		kept[i] = u.h
		keepFor = max(keepFor, u.h.D())
	}
	return kept, keepFor
}

// age is how long ago s was: by the boot clock when both moments are from
// this boot, else by the wall clock (negative when it went back).
func age(s statefile.Stamp, in Input, bootID string) time.Duration {
	if bootID != "" && bootID == in.BootID && s.Boot > 0 && in.Now.Boot >= s.Boot {
		return time.Duration((in.Now.Boot - s.Boot) * float64(time.Second))
	}
	return time.Duration(in.Now.Wall-s.Wall) * time.Second
}

func nonZero(id string, c *statefile.Container, now statefile.Stamp) []statefile.Event {
	var evs []statefile.Event
	for _, res := range sortedKeys(c.FailCnt) {
		if v := c.FailCnt[res]; v > 0 {
			evs = append(evs, statefile.Event{CT: id, Resource: res, Delta: v, FailCnt: v, Seen: now})
		}
	}
	return evs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Increase is the sum of one resource's events in the window.
type Increase struct {
	CT, Resource        string
	Delta               uint64
	FailCnt             uint64 // latest value
	First, Last         statefile.Stamp
	Restart, Reset, New bool
}

// Aggregate sums the active events per container and resource, largest
// increase first.
func Aggregate(events []statefile.Event) []Increase {
	idx := map[[2]string]int{}
	var out []Increase
	for _, e := range events {
		k := [2]string{e.CT, e.Resource}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, Increase{CT: e.CT, Resource: e.Resource, First: e.Seen})
			i = len(out) - 1
		}
		inc := &out[i]
		inc.Delta = AddSat(inc.Delta, e.Delta)
		inc.FailCnt, inc.Last = e.FailCnt, e.Seen
		inc.Restart = inc.Restart || e.Restart
		inc.Reset = inc.Reset || e.Reset
		inc.New = inc.New || e.New
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Delta != out[b].Delta {
			return out[a].Delta > out[b].Delta
		}
		if out[a].CT != out[b].CT {
			return out[a].CT < out[b].CT
		}
		return out[a].Resource < out[b].Resource
	})
	return out
}

// AddSat adds failcnt increases, saturating instead of wrapping: a damaged
// state or counter must not turn a huge increase into a small one.
func AddSat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}
