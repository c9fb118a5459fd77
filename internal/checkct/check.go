package checkct

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/growth"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/privilege"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/usage"
	"github.com/vzmon/vzmon/internal/vzconf"
	"github.com/vzmon/vzmon/internal/vzproc"
)

// App is check_vz_container; build it with New.
type App struct {
	check.Meta
	f Flags
}

// New returns the check.
func New() *App {
	return &App{Meta: check.Meta{Prog: "check_vz_container", StateTag: "VZ CONTAINER", Usage: help, Command: "vz_container"}}
}

func (a *App) Flags() any          { return &a.f }
func (a *App) Common() *cli.Common { return &a.f.Common }

// Guard refuses --root and a state file outside the state directory under
// raised privileges.
func (a *App) Guard() error {
	return privilege.Guard(
		privilege.Path{Flag: "--root", Value: a.f.Root, Default: "/"},
		privilege.Path{Flag: "--state-file", Value: a.f.StateFile, Dir: statefile.DefaultDir},
	)
}

const help = `Checks one container's health from the hardware node, without entering it
and without running vzctl: running or not, uptime, its tasks and load (counted
from the host's /proc), required processes, its beancounters, failcnt growth
(with --state-file) and disk quota. The worst part decides the state.

Examples:
  check_vz_container --ctid 204
  check_vz_container --ctid web1 --process apache2:2 --process slapd
  check_vz_container --ctid 204 --state-file /var/lib/check_ubc/ct204.json
  check_vz_container --ctid 206 --expect stopped --skip quota

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`

// part is one sub-check's result.
type part struct {
	name    string
	state   status.Status
	short   string  // for the summary when not OK
	entries []entry // long output
	// perf stays within any output budget: the part's key metrics, and
	// the beancounters that are problems.
	perf []check.Perf
	// detail is perfdata that goes last, the first to go when the output
	// budget is tight (the task breakdown, the other beancounters).
	detail []check.Perf
}

// entry is one finding of a part in the long output: a line with its
// state, and its continuation lines (a vzctl hint). The budget keeps or
// drops an entry whole, worst entries first.
type entry struct {
	state status.Status
	lines []string
}

// set sets the part's state and summary text and adds its line.
func (p *part) set(st status.Status, short, line string) {
	p.state, p.short = st, short
	p.add(st, line)
}

// add adds a long-output entry.
func (p *part) add(st status.Status, lines ...string) {
	p.entries = append(p.entries, entry{st, lines})
}

// ct is what the check knows of the container.
type ct struct {
	id, label string
	cfg       vzconf.Config
	cfgErr    error
	running   bool
	snap      *ubc.Snapshot // the node's table, when it lists the container
}

// Check runs the parts in order; a stopped container only gets state and
// quota.
func (a *App) Check(ctx context.Context, pr *check.Progress) check.Result {
	n := node.Node{Root: a.f.Root}
	c, err := a.identify(n, pr)
	if err != nil {
		return check.FromError(err)
	}
	var parts []*part
	add := func(name string, fn func() *part) {
		if !a.f.skipped(name) {
			if p := fn(); p != nil {
				p.name = name
				parts = append(parts, p)
			}
		}
	}
	add("state", func() *part { return a.state(c) })
	if c.running {
		add("uptime", func() *part { return a.uptime(n, pr, c) })
		var tasks *node.Tasks
		var taskErr error
		if !a.f.skipped("tasks") || !a.f.skipped("processes") {
			tasks, taskErr = a.scan(ctx, n, pr, c)
			if ctx.Err() != nil {
				return check.Unknownf(nil, "%s: timed out while %s", c.label, pr.Current())
			}
		}
		add("tasks", func() *part { return a.load(n, pr, c, tasks, taskErr) })
		add("processes", func() *part { return a.processes(tasks, taskErr) })
		add("beancounters", func() *part { return a.beancounters(n, pr, c) })
		add("failcnt", func() *part { return a.failcnt(ctx, n, pr, c) })
	}
	add("quota", func() *part { return a.quota(n, pr, c) })
	return a.result(c, parts)
}

// identify resolves --ctid and reads what says whether it runs.
func (a *App) identify(n node.Node, pr *check.Progress) (*ct, error) {
	c := &ct{}
	veinfo, err := n.VEInfo(pr)
	switch {
	case err == nil:
	case node.IsNotExist(err):
		veinfo = nil // fall back to the beancounters
	default:
		return nil, err
	}
	snap, err := n.Beancounters(pr)
	if err != nil {
		return nil, err
	}
	c.id, err = selection.ResolveOne(n, pr, snap, a.f.CTID, func(id string) bool { _, ok := veinfo[id]; return ok })
	if err != nil {
		return nil, err
	}
	if veinfo != nil {
		_, c.running = veinfo[c.id]
	} else {
		_, c.running = snap.Container(c.id)
	}
	if c.running {
		if _, ok := snap.Container(c.id); ok {
			c.snap = snap
		}
	}
	c.cfg, c.cfgErr = n.Config(pr, c.id)
	if !c.running && node.NoConfig(c.cfgErr) {
		// A typo in a service definition must not stay green as
		// "stopped, as allowed".
		known := selection.TableIDs(snap)
		for id := range veinfo {
			known = append(known, id)
		}
		return nil, selection.NoContainer(n, pr, a.f.CTID, c.id, c.cfgErr, known)
	}
	c.label = selection.CTLabel(c.id, c.cfg["NAME"])
	return c, nil
}

func (a *App) state(c *ct) *part {
	p := &part{}
	onboot := c.cfg["ONBOOT"]
	expect := a.f.Expect
	if expect == "auto" {
		expect = "any"
		if onboot == "yes" {
			expect = "running"
		}
	}
	why := ""
	if onboot != "" {
		why = " (ONBOOT=" + text.Clean(onboot, 16) + ")"
	}
	switch {
	case !c.running && expect == "running":
		p.set(status.Critical, "not running", "[CRITICAL] state: not running, but it should"+why)
	case c.running && expect == "stopped":
		p.set(status.Warning, "running, expected stopped", "[WARNING] state: running, but --expect stopped")
	case c.running:
		p.set(status.OK, "", "[OK] state: running"+why)
	default:
		p.set(status.OK, "", "[OK] state: stopped"+why)
	}
	runningPerf := "0"
	if c.running {
		runningPerf = "1"
	}
	p.perf = append(p.perf, check.Perf{Label: "running", Value: runningPerf, Min: "0", Max: "1"})
	switch {
	case c.cfgErr == nil:
	case node.NoConfig(c.cfgErr): // running: identify refused it otherwise
		p.state = status.Worse(p.state, status.Warning)
		p.short = joinShort(p.short, "no config")
		p.add(status.Warning, "[WARNING] config: none for a running container ("+c.cfgErr.Error()+")")
	default:
		p.state = status.Worse(p.state, status.Warning)
		p.short = joinShort(p.short, "config unreadable")
		p.add(status.Warning, "[WARNING] config: "+c.cfgErr.Error())
	}
	return p
}

func joinShort(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

func (a *App) uptime(n node.Node, pr *check.Progress, c *ct) *part {
	p := &part{}
	st, err := n.VEStat(pr)
	unknown := status.OK // uptime is informational unless asked for
	if a.f.RestartWarning > 0 {
		unknown = status.Unknown
	}
	if err != nil {
		p.set(unknown, "uptime unknown", fmt.Sprintf("[%s] uptime: unknown (%s)", unknown, err))
		return p
	}
	v, ok := st[c.id]
	if !ok {
		p.set(unknown, "uptime unknown", fmt.Sprintf("[%s] uptime: %s has no line for it", unknown, n.Path("proc/vz/vestat")))
		return p
	}
	secs, ok := v.UptimeSeconds()
	if !ok {
		p.set(unknown, "uptime unknown", fmt.Sprintf("[%s] uptime: this kernel's vestat units are not certain (2.6.18 counts CPU cycles)", unknown))
		return p
	}
	up := time.Duration(secs * float64(time.Second))
	p.perf = append(p.perf, check.Perf{Label: "uptime", Value: strconv.FormatInt(int64(secs), 10), UOM: "s", Min: "0"})
	if a.f.RestartWarning > 0 && up < a.f.RestartWarning.D() {
		ago := report.Duration(up, 2)
		p.set(status.Warning, "restarted "+ago+" ago", "[WARNING] uptime: restarted "+ago+" ago (less than --restart-warning "+report.Duration(a.f.RestartWarning.D(), 0)+")")
		return p
	}
	p.set(status.OK, "", "[OK] uptime: "+report.Duration(up, 2))
	return p
}

// envIDs are the values its tasks may carry in envID: of
// /proc/<pid>/status: its ID (OpenVZ 6 prints the numeric veid, Virtuozzo
// 7 the CTID, a UUID for UUID-named containers), the numeric VEID= of its
// config and --envid, for kernels that print a legacy number.
func (a *App) envIDs(c *ct) []string {
	ids := []string{c.id}
	for _, id := range []string{c.cfg["VEID"], a.f.EnvID} {
		if isNumeric(id) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func isNumeric(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

func (a *App) scan(ctx context.Context, n node.Node, pr *check.Progress, c *ct) (*node.Tasks, error) {
	ids := a.envIDs(c)
	tasks, err := n.ScanTasks(ctx, pr, ids)
	if err != nil {
		return nil, err
	}
	if tasks.Scanned > 0 && tasks.NoEnvID == tasks.Scanned {
		return nil, fmt.Errorf("no /proc/<pid>/status under %s has an envID line: not an OpenVZ kernel", n.Path("proc"))
	}
	// A running container has at least its init: none found means its
	// tasks carry an envID not tried, not that it is idle.
	if tasks.Processes == 0 {
		return nil, fmt.Errorf("no process under %s has envID %s, though %s runs; if this kernel shows another ID there, give it with --envid", n.Path("proc"), strings.Join(ids, " or "), c.label)
	}
	return tasks, nil
}

// load judges runnable + uninterruptible tasks: the container's
// instantaneous load, which the host can count even when the container is
// too sick to report it.
func (a *App) load(n node.Node, pr *check.Progress, c *ct, tasks *node.Tasks, err error) *part {
	p := &part{}
	if err != nil {
		p.set(status.Unknown, "tasks unknown", "[UNKNOWN] tasks: "+err.Error())
		return p
	}
	cpus := 0
	if v, err := strconv.Atoi(c.cfg["CPUS"]); err == nil && v > 0 {
		cpus = v
	}
	if cpus == 0 {
		cpus = max(1, n.HostCPUs(pr))
	}
	warn, crit := a.f.LoadWarning, a.f.LoadCritical
	if warn == nil {
		warn = threshold.MustParse(strconv.Itoa(2 * cpus))
	}
	if crit == nil {
		crit = threshold.MustParse(strconv.Itoa(5 * cpus))
	}
	r, d := tasks.ByState['R'], tasks.ByState['D']
	load := uint64(r + d)
	detail := fmt.Sprintf("%d runnable/blocked (R %d, D %d, S %d, Z %d) of %d threads in %d processes; %d CPUs", load, r, d, tasks.ByState['S'], tasks.ByState['Z'], tasks.Threads, tasks.Processes, cpus)
	st := threshold.Pair{Warn: warn, Crit: crit}.Judge(load)
	dst := threshold.Pair{Warn: a.f.DstateWarning, Crit: a.f.DstateCritical}.Judge(uint64(d))
	switch {
	case st != status.OK:
		p.set(st, fmt.Sprintf("%d runnable/blocked tasks", load), fmt.Sprintf("[%s] tasks: %s", st, detail))
	default:
		p.set(status.OK, "", "[OK] tasks: "+detail)
	}
	if dst != status.OK {
		p.state = status.Worse(p.state, dst)
		p.short = joinShort(p.short, fmt.Sprintf("%d tasks in D state", d))
		p.add(dst, fmt.Sprintf("[%s] tasks: %d uninterruptible (D): blocked on storage or the kernel", dst, d))
	}
	p.perf = append(p.perf,
		check.Perf{Label: "load", Value: strconv.FormatUint(load, 10), Warn: warn.String(), Crit: crit.String(), Min: "0"},
		check.Perf{Label: "tasks_blocked", Value: strconv.Itoa(d), Warn: a.f.DstateWarning.Text(), Crit: a.f.DstateCritical.Text(), Min: "0"},
	)
	// The breakdown is detail: under NRPE 2's budget a problem's lines
	// matter more than graphs of sleeping threads.
	p.detail = append(p.detail,
		check.Perf{Label: "tasks_total", Value: strconv.Itoa(tasks.Threads), Min: "0"},
		check.Perf{Label: "processes", Value: strconv.Itoa(tasks.Processes), Min: "0"},
		check.Perf{Label: "tasks_running", Value: strconv.Itoa(r), Min: "0"},
		check.Perf{Label: "tasks_sleeping", Value: strconv.Itoa(tasks.ByState['S']), Min: "0"},
		check.Perf{Label: "tasks_zombie", Value: strconv.Itoa(tasks.ByState['Z']), Min: "0"},
	)
	return p
}

func (a *App) processes(tasks *node.Tasks, err error) *part {
	if len(a.f.Process) == 0 {
		return nil
	}
	p := &part{state: status.OK}
	if err != nil {
		p.set(status.Unknown, "processes unknown", "[UNKNOWN] processes: "+err.Error())
		return p
	}
	var bad, good []string
	for _, spec := range a.f.Process {
		req, _ := parseProcess(spec) // validated
		n := tasks.ByName[vzproc.Comm(req.name)]
		name := text.Clean(req.name, 64)
		switch {
		case n == 0 && req.min > 0:
			bad = append(bad, name+" missing")
		case n < req.min:
			bad = append(bad, fmt.Sprintf("%s %d < %d", name, n, req.min))
		case req.max >= 0 && n > req.max:
			bad = append(bad, fmt.Sprintf("%s %d > %d", name, n, req.max))
		default:
			good = append(good, fmt.Sprintf("%s %d", name, n))
		}
	}
	if len(bad) > 0 {
		p.set(status.Critical, strings.Join(bad, ", "), "[CRITICAL] processes: "+strings.Join(append(bad, good...), ", "))
	} else {
		p.set(status.OK, "", "[OK] processes: "+strings.Join(good, ", "))
	}
	return p
}

func (a *App) beancounters(n node.Node, pr *check.Progress, c *ct) *part {
	p := &part{}
	snap := c.snap // read by identify; a second read would see the same values
	if snap == nil {
		var err error
		if snap, err = n.ContainerBeancounters(pr, c.id); err != nil {
			p.set(status.Unknown, "beancounters unknown", "[UNKNOWN] beancounters: "+err.Error())
			return p
		}
	}
	blk, ok := snap.Container(c.id)
	if !ok {
		p.set(status.Unknown, "no beancounters", "[UNKNOWN] beancounters: none for "+c.label+" in "+snap.Source)
		return p
	}
	res := a.f.selection().Resources()
	settings := a.f.Usage.Settings(res.NamedResources())
	want := res.Resource
	var problems []usage.Finding
	evaluated := settings.Rows(blk, want, true, func(f usage.Finding) { problems = append(problems, f) })
	usage.SortProblems(problems)
	p.state = status.OK
	var shorts []string
	problem := map[string]bool{}
	for _, f := range problems {
		p.state = status.Worse(p.state, f.State)
		shorts = append(shorts, report.Short(f))
		p.add(f.State, report.ProblemLines(c.label, f)...)
		problem[f.Row.Name] = true
	}
	if len(problems) == 0 {
		p.add(status.OK, fmt.Sprintf("[OK] beancounters: %s within thresholds", report.Plural(evaluated, "resource")))
	}
	p.short = strings.Join(shorts, ", ")
	// The problems' perfdata stays within any budget, as in check_ubc.
	p.perf = report.ContainerPerf(blk, func(name string) bool { return want(name) && problem[name] }, settings)
	p.detail = report.ContainerPerf(blk, func(name string) bool { return want(name) && !problem[name] }, settings)
	return p
}

func (a *App) failcnt(ctx context.Context, n node.Node, pr *check.Progress, c *ct) *part {
	if a.f.StateFile == "" {
		return nil
	}
	p := &part{}
	sf := a.f.selection()
	sf.CTID = []string{c.id}
	judge := a.f.Growth.Judge(threshold.Pair{Warn: a.f.FailcntRanges.Warning, Crit: a.f.FailcntRanges.Critical})
	out, snap, err := a.f.Growth.Track(ctx, pr, n, sf.Key(), a.f.StateFile, judge, func() (*ubc.Snapshot, *selection.Selection, error) {
		snap, err := n.ContainerBeancounters(pr, c.id)
		if err != nil {
			return nil, nil, err
		}
		sel, err := sf.Resolve(n, pr, snap)
		return snap, sel, err
	})
	if err != nil {
		p.set(status.Unknown, "failcnt unknown", "[UNKNOWN] failcnt: "+err.Error())
		return p
	}
	res := growth.Result(out, snap, func(string) string { return c.label }, a.f.Growth.Hold.D())
	p.state = res.State
	// The summary names the container first; the first line already does.
	summary := strings.TrimPrefix(res.Summary, c.label+" ")
	if res.State != status.OK {
		p.short = "failcnt " + summary
	}
	p.add(res.State, fmt.Sprintf("[%s] failcnt: %s", res.State, summary))
	for _, it := range res.Items {
		p.add(res.State, it.Lines...)
	}
	p.perf = res.Perf
	return p
}

func (a *App) quota(n node.Node, pr *check.Progress, c *ct) *part {
	p := &part{}
	layout := c.cfg["VE_LAYOUT"]
	if layout == "ploop" { // no need to take vzquota's global lock
		p.set(status.OK, "", "[OK] quota: ploop (VE_LAYOUT=ploop): its quota is inside the image, not visible from the host")
		return p
	}
	quotas, err := n.VZQuota(pr)
	if err != nil && !node.IsNotExist(err) {
		p.set(status.Unknown, "quota unknown", "[UNKNOWN] quota: "+err.Error())
		return p
	}
	q, ok := quotas[c.id]
	if !ok {
		p.set(status.OK, "", "[OK] quota: "+noQuota(n, c, layout, err == nil))
		return p
	}
	p.state = status.OK
	var shorts []string
	for _, m := range []struct {
		what             string
		used, soft, hard uint64
		unit             uint64
		uom              string
	}{{"disk", q.BlocksUsed, q.BlocksSoft, q.BlocksHard, 1024, "B"}, {"inodes", q.InodesUsed, q.InodesSoft, q.InodesHard, 1, ""}} {
		basis, basisName := m.soft, "soft limit"
		if basis == 0 {
			basis, basisName = m.hard, "hard limit"
		}
		perf := check.Perf{Label: "quota_" + m.what, Value: strconv.FormatUint(m.used*m.unit, 10), UOM: m.uom, Min: "0"}
		if m.hard > 0 {
			perf.Max = strconv.FormatUint(m.hard*m.unit, 10)
		}
		if basis == 0 {
			p.add(status.OK, fmt.Sprintf("[OK] quota: %s %s used, no limit", m.what, quotaValue(m.used, m.unit)))
			p.perf = append(p.perf, perf)
			continue
		}
		pct := m.used * 1000 / basis
		st := threshold.Pair{Warn: a.f.QuotaWarning, Crit: a.f.QuotaCritical}.JudgePercent(m.used, basis)
		if a.f.QuotaWarning != nil {
			perf.Warn = a.f.QuotaWarning.PercentOf(basis * m.unit)
		}
		if a.f.QuotaCritical != nil {
			perf.Crit = a.f.QuotaCritical.PercentOf(basis * m.unit)
		}
		p.perf = append(p.perf, perf)
		text := fmt.Sprintf("%s %d.%d%% of %s", m.what, pct/10, pct%10, basisName)
		p.add(st, fmt.Sprintf("[%s] quota: %s (%s of %s, hard %s)", st, text, quotaValue(m.used, m.unit), quotaValue(basis, m.unit), quotaValue(m.hard, m.unit)))
		if st != status.OK {
			p.state = status.Worse(p.state, st)
			shorts = append(shorts, text)
		}
	}
	p.short = strings.Join(shorts, ", ")
	return p
}

// noQuota says what is known about a container without a vzquota entry
// (ploop is handled before): simfs without an active quota, not running,
// or no layout in its config.
func noQuota(n node.Node, c *ct, layout string, haveFile bool) string {
	where := "no entry in " + n.Path("proc/vz/vzquota")
	if !haveFile {
		where = "no " + n.Path("proc/vz/vzquota") + " on this node (vzquota module not loaded)"
	}
	switch {
	case !c.running:
		return "not running (vzquota shows a quota only while the container is mounted)"
	case layout == "simfs" && c.cfg["DISK_QUOTA"] == "no":
		return "simfs without an active quota (DISK_QUOTA=no in its config; " + where + ")"
	case layout == "simfs":
		return "simfs without an active quota (" + where + ")"
	case layout == "":
		return where + " and no VE_LAYOUT in its config (ploop, or simfs without quota)"
	}
	return where + " (VE_LAYOUT=" + text.Clean(layout, 32) + ")"
}

func quotaValue(v, unit uint64) string {
	if unit == 1 {
		return strconv.FormatUint(v, 10)
	}
	return report.Bytes(v * unit)
}

// result makes the summary from the parts that are not OK, worst first,
// after a fixed tag and the state ("VZ CONTAINER CRITICAL - CT 204
// (web1): ..."): a container's name is user data and must not come first.
// The long output lists the entries worst first, so that a small
// --max-output drops OK entries before problems; the perfdata of the
// problems is never cut (only the detail).
func (a *App) result(c *ct, parts []*part) check.Result {
	res := check.Result{State: status.OK, MaxBytes: a.f.MaxOutput, More: "%d more findings not shown (raise --max-output)"}
	var entries []entry
	for _, p := range parts {
		entries = append(entries, p.entries...)
	}
	slices.SortStableFunc(entries, func(x, y entry) int { return status.Compare(y.state, x.state) })
	parts = slices.Clone(parts)
	slices.SortStableFunc(parts, func(x, y *part) int { return status.Compare(y.state, x.state) })
	var shorts []string
	for _, p := range parts {
		res.State = status.Worse(res.State, p.state)
		if p.state != status.OK && p.short != "" {
			shorts = append(shorts, p.short)
		}
		res.Perf = append(res.Perf, p.perf...) // the worst parts' first, should even they be cut
		res.Detail.Add(p.detail...)
	}
	for _, e := range entries {
		res.Items = append(res.Items, check.Item{Lines: e.lines})
	}
	summary := strings.Join(shorts, ", ")
	switch {
	case summary != "":
	case c.running:
		summary = "running, all checks OK"
	default:
		summary = "stopped, as allowed"
	}
	res.Summary = c.label + ": " + summary
	return res
}
