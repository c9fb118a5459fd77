package checkct

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
)

// validateAll checks the flags of --all: those about one container's
// other parts would be silently ignored, so they are refused (the
// beancounter, quota and D-state ranges keep their defaults, which cannot
// be told from values given).
func (f *Flags) validateAll() error {
	for _, fl := range []struct {
		name string
		set  bool
	}{{"--ctid", f.CTID != ""}, {"--process", len(f.Process) > 0}, {"--state-file", f.StateFile != ""}, {"--envid", f.EnvID != ""},
		{"--restart-warning", f.RestartWarning > 0}, {"--resource", len(f.Resource) > 0}, {"--exclude-resource", len(f.ExcludeResource) > 0}} {
		if fl.set {
			return fmt.Errorf("%s is about one container: --all checks only each one's state and load; use it in a service per container (--ctid)", fl.name)
		}
	}
	for _, part := range f.Skip {
		if part != "state" && part != "load" {
			return fmt.Errorf("--skip %s: --all checks only state and load", part)
		}
	}
	sel := selection.Flags{ExcludeCTID: f.ExcludeCTID}
	if err := sel.Validate(); err != nil {
		return err
	}
	f.ExcludeCTID = sel.ExcludeCTID
	return nil
}

// maxOutput is --max-output, or its default: NRPE 3/4's limit for one
// container, NRPE 2's for the node-wide check (a small shop's one service).
func (f *Flags) maxOutput() int {
	switch {
	case f.MaxOutput != nil:
		return int(*f.MaxOutput)
	case f.All:
		return 1023
	}
	return 65504
}

// member is one container of the node-wide check.
type member struct {
	c      *ct
	state  status.Status
	what   string   // its findings: "not running, but it should (ONBOOT=yes)", "load 0.52, 0.40, 0.33"
	shorts []string // for the summary, when not OK
	perf   *check.Perf
	how    string // where its load came from
}

// add adds a finding to the summary's words for it.
func (m *member) add(short string) {
	if short != "" {
		m.shorts = append(m.shorts, short)
	}
}

// all checks every container in one run, with one read of each source:
// each that should run runs, and each one's load.
func (a *app) all(ctx context.Context, k *kernel) check.Result {
	n, pr := k.n, k.pr
	cts, err := a.members(k)
	if err != nil {
		return check.FromError(err)
	}
	var scan *node.AllTasks // read once, only when some container's load needs it
	var scanErr error
	var ms []member
	running, down := 0, 0
	for _, c := range cts {
		m := member{c: c}
		v := a.verdict(c)
		if v.st == status.Critical {
			down++ // should run and does not
		}
		switch {
		case a.f.skipped("state") && !c.running:
			m.what = "not running"
		case c.running && v.st == status.OK:
			// Running as it should: its line is its load (or "running").
		default:
			m.what = v.line
		}
		if !a.f.skipped("state") {
			m.state = v.st
			m.add(v.short)
			if short, line, bad := configProblem(c); bad {
				m.state = status.Worse(m.state, status.Warning)
				m.add(short)
				m.what += "; config: " + line
			}
		}
		if c.running {
			running++
			if !a.f.skipped("load") {
				if ctx.Err() != nil {
					return check.Unknownf(nil, "timed out while %s", pr.Current())
				}
				lf := k.loadAvg(c)
				var now runnable
				if !lf.ok {
					now = k.runnableNow(c)
				}
				if !lf.ok && now.err != nil {
					if scan == nil && scanErr == nil {
						scan, scanErr = n.ScanAllTasks(ctx, pr)
						if ctx.Err() != nil {
							return check.Unknownf(nil, "timed out while %s", pr.Current())
						}
					}
					now = a.scanned(scan, scanErr, c)
				}
				a.judgeMemberLoad(&m, k, lf, now)
			}
		}
		ms = append(ms, m)
	}
	return a.allResult(ms, running, down)
}

// members lists the containers: those with a config and those running,
// less --exclude-ctid.
func (a *app) members(k *kernel) ([]*ct, error) {
	n, pr := k.n, k.pr
	ids, err := n.ConfigIDs(pr)
	if err != nil {
		return nil, err
	}
	runningIDs, source, err := a.runningIDs(k)
	if err != nil {
		return nil, err
	}
	l := &selection.Listing{Source: source, IDs: runningIDs}
	excluded := map[string]bool{}
	for _, arg := range a.f.ExcludeCTID {
		id, err := selection.ResolveOne(n, pr, l, arg)
		if err != nil {
			return nil, fmt.Errorf("--exclude-ctid: %w", err)
		}
		excluded[id] = true
	}
	isRunning := map[string]bool{}
	for _, id := range runningIDs {
		isRunning[id] = true
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var cts []*ct
	for _, id := range ids {
		if id == "0" || excluded[id] {
			continue
		}
		c := &ct{id: id, running: isRunning[id]}
		c.cfg, c.cfgErr = n.Config(pr, id)
		if !c.running && errors.Is(c.cfgErr, node.ErrNotConfig) {
			continue // a stray file in etc/vz/conf, not a container
		}
		if state, err := n.VEState(pr, k.cg, id); err == nil {
			c.running, c.phase = state == "RUNNING", state
		}
		c.label = selection.CTLabel(id, c.cfg["NAME"])
		cts = append(cts, c)
	}
	return cts, nil
}

// runningIDs lists the running containers from /proc/vz/veinfo, else the
// beancounter table; source names the file.
func (a *app) runningIDs(k *kernel) ([]string, string, error) {
	n, pr := k.n, k.pr
	veinfo, err := n.VEInfo(pr)
	if err == nil {
		ids := make([]string, 0, len(veinfo))
		for id := range veinfo {
			ids = append(ids, id)
		}
		return ids, n.Path("proc/vz/veinfo"), nil
	}
	if !node.IsNotExist(err) {
		return nil, "", err
	}
	snap, err := n.Beancounters(pr)
	if err != nil {
		return nil, "", err
	}
	return selection.TableIDs(snap), snap.Source, nil
}

// runnable is a container's runnable (R) and uninterruptible (D) threads
// now, and where they were counted.
type runnable struct {
	r, d   int
	source string
	ioWait bool // d counts only threads in I/O wait
	err    error
}

// scanned is the container's share of the node-wide task scan.
func (a *app) scanned(scan *node.AllTasks, err error, c *ct) runnable {
	if err != nil {
		return runnable{err: err}
	}
	var now runnable
	found := false
	for _, id := range a.envIDs(c) {
		if tk := scan.ByEnvID[id]; tk != nil {
			found = true
			now.r += tk.ByState['R']
			now.d += tk.ByState['D']
		}
	}
	if !found {
		return runnable{err: fmt.Errorf("no process has envID %s in the /proc scan", strings.Join(a.envIDs(c), " or "))}
	}
	now.source = "the /proc scan"
	return now
}

// judgeMemberLoad judges one container's load, from the kernel's averages
// or the threads counted now.
func (a *app) judgeMemberLoad(m *member, k *kernel, lf loadFigure, now runnable) {
	c := m.c
	ncpu := k.cpus(c)
	warn, crit := a.loadRanges(ncpu)
	var st status.Status
	var text, label, value string
	var w, cr *threshold.Range
	switch {
	case lf.ok:
		st = judgeLoad(lf.avg, warn, crit)
		text = fmt.Sprintf("load %s (%d CPUs)", loadText(lf.avg), ncpu)
		label, value, w, cr = "load5", lf.avg[1].String(), warn[1], crit[1]
		m.how = "1, 5 and 15-minute averages from " + lf.kind
	case now.err != nil:
		st, text = status.Unknown, "load unknown: "+now.err.Error()
	default:
		rd := uint64(now.r + now.d)
		st = threshold.Pair{Warn: warn[0], Crit: crit[0]}.Judge(rd)
		text = fmt.Sprintf("%d runnable/blocked threads now (%d CPUs)", rd, ncpu)
		label, value, w, cr = "load", strconv.FormatUint(rd, 10), warn[0], crit[0]
		blocked := "uninterruptible"
		if now.ioWait {
			blocked = "I/O-waiting"
		}
		m.how = "runnable + " + blocked + " threads now, counted in " + now.source + " (" + noAverage(lf.why) + ")"
	}
	m.what = joinShort(m.what, text)
	if st != status.OK {
		m.add(strings.SplitN(text, " (", 2)[0])
	}
	m.state = status.Worse(m.state, st)
	if label != "" {
		m.perf = &check.Perf{Label: check.Label("ct"+c.id, label), Value: value, Warn: w.Text(), Crit: cr.Text(), Min: "0"}
	}
}

// allResult lists the containers worst first; the problems' perfdata is
// kept within any budget, the others' is detail.
func (a *app) allResult(ms []member, running, down int) check.Result {
	slices.SortStableFunc(ms, func(x, y member) int { return status.Compare(y.state, x.state) })
	res := check.Result{State: status.OK, MaxBytes: a.f.maxOutput(),
		More: func(n int) string { return report.Plural(n, "more container") + " not shown (raise --max-output)" }}
	res.Perf = append(res.Perf,
		check.Perf{Label: "containers_running", Value: strconv.Itoa(running), Min: "0"},
		check.Perf{Label: "containers_down", Value: strconv.Itoa(down), Crit: "0", Min: "0"},
	)
	var shorts []string
	hows := map[string]int{}
	for _, m := range ms {
		if m.how != "" {
			hows[m.how]++
		}
	}
	for _, how := range slices.Sorted(maps.Keys(hows)) {
		res.Head = append(res.Head, "load of "+report.Plural(hows[how], "container")+": "+how)
	}
	for _, m := range ms {
		res.State = status.Worse(res.State, m.state)
		// A container's perfdata goes with its line: the budget keeps or
		// drops both, OK containers first.
		what := m.what
		if what == "" {
			what = "running"
		}
		item := check.Item{Lines: []string{fmt.Sprintf("[%s] %s: %s", m.state, m.c.label, what)}}
		if m.perf != nil {
			item.Perf = []check.Perf{*m.perf}
		}
		res.Items = append(res.Items, item)
		if m.state != status.OK && len(m.shorts) > 0 {
			shorts = append(shorts, m.c.label+" "+strings.Join(m.shorts, ", "))
		}
	}
	summary := fmt.Sprintf("%s, %d running", report.Plural(len(ms), "container"), running)
	if len(shorts) > 3 {
		shorts = append(shorts[:3], fmt.Sprintf("%d more", len(shorts)-3))
	}
	if len(shorts) > 0 {
		summary += ": " + strings.Join(shorts, ", ")
	} else {
		summary += ", all checks OK"
	}
	res.Summary = summary
	return res
}
