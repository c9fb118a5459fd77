package checkct

import (
	"context"
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

// validateAll checks the flags of --all: those naming one container's
// things have no meaning for every container.
func (f *Flags) validateAll() error {
	for _, fl := range []struct {
		name string
		set  bool
	}{{"--ctid", f.CTID != ""}, {"--process", len(f.Process) > 0}, {"--state-file", f.StateFile != ""}, {"--envid", f.EnvID != ""}} {
		if fl.set {
			return fmt.Errorf("%s names one container's things: use it without --all, in a service per container", fl.name)
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
	c     *ct
	state status.Status
	what  string // its finding: "not running (ONBOOT=yes)", "load 0.52, 0.40, 0.33"
	short string // for the summary when not OK
	perf  *check.Perf
	how   string // where its load came from
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
		expect := a.expected(c)
		switch {
		case c.phase == "STARTING" || c.phase == "STOPPING":
			m.state, m.what = status.Warning, strings.ToLower(c.phase)
			m.short = c.label + " " + m.what
		case !c.running && expect == "running":
			down++
			m.state, m.what = status.Critical, "not running, but it should"+paren(onbootWhy(c))
			m.short = c.label + " not running"
		case c.running && expect == "stopped":
			m.state, m.what = status.Warning, "running, but --expect stopped"
			m.short = c.label + " running"
		case !c.running:
			m.what = "stopped" + paren(onbootWhy(c))
		}
		if a.f.skipped("state") && m.state != status.Critical {
			m.state, m.short = status.OK, ""
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

// expected is whether the container should run: --expect, or with auto
// its ONBOOT.
func (a *app) expected(c *ct) string {
	if a.f.Expect != "auto" {
		return a.f.Expect
	}
	if c.cfg["ONBOOT"] == "yes" {
		return "running"
	}
	return "any"
}

func onbootWhy(c *ct) string {
	if v := c.cfg["ONBOOT"]; v != "" {
		return "ONBOOT=" + v
	}
	return ""
}

// runnable is a container's runnable (R) and uninterruptible (D) threads
// now, and where they were counted.
type runnable struct {
	r, d   int
	source string
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
		m.how = "runnable + uninterruptible threads now, counted in " + now.source + " (" + noAverage(lf.why) + ")"
	}
	m.what = joinShort(m.what, text)
	if st != status.OK {
		m.short = joinShort(m.short, c.label+" "+strings.SplitN(text, " (", 2)[0])
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
		what := m.what
		if what == "" {
			what = "running"
		}
		res.Items = append(res.Items, check.Item{Lines: []string{fmt.Sprintf("[%s] %s: %s", m.state, m.c.label, what)}})
		if m.state != status.OK && m.short != "" {
			shorts = append(shorts, m.short)
		}
		if m.perf != nil {
			if m.state != status.OK {
				res.Perf = append(res.Perf, *m.perf)
			} else {
				res.Detail.Add(*m.perf)
			}
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
