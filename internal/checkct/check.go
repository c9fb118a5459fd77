package checkct

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/privilege"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/vzconf"
	"github.com/vzmon/vzmon/internal/vzctl"
	"github.com/vzmon/vzmon/internal/vzproc"
)

// app is check_vz_container: its flags and its check.
type app struct {
	f Flags
	// euid and openDevice are this process's and the vzctl device's
	// opener: tests stand in for root and a kernel.
	euid       int
	openDevice func(string) (vzctl.Device, error)
}

// New returns check_vz_container.
func New() *check.App { return newApp(&app{euid: os.Geteuid()}) }

func newApp(a *app) *check.App {
	// Under raised privileges: no --root, no state file outside the user's state directory.
	guard := func() error {
		return privilege.Guard(privilege.Root(a.f.Root), privilege.Path{Flag: "--state-file", Value: a.f.StateFile, Dir: statefile.UserDir()})
	}
	return &check.App{Name: "check_vz_container", Tag: "VZ CONTAINER", Help: help, Icinga2: "vz_container",
		Flags: &a.f, Common: &a.f.Common, Guard: guard, Check: a.check}
}

const help = `Checks one container's health from the hardware node, without entering it
and without running vzctl: running or not, uptime, its load average (from the
kernel, or its threads counted now), its tasks, required processes, its
beancounters, failcnt growth (with --state-file) and disk quota. The worst
part decides the state. With --all: every container's state and load in one
run.

Examples:
  check_vz_container --ctid 204
  check_vz_container --ctid web1 --process apache2:2 --process slapd
  check_vz_container --ctid 204 --state-file ct204.json
  check_vz_container --ctid 206 --expect stopped --skip quota
  check_vz_container --all --exclude-ctid 206

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
	// phase is ve.state where the ve hierarchy has it (RUNNING, STOPPED,
	// STARTING, STOPPING); stateSource says so in the state line.
	phase, stateSource string
	snap               *ubc.Snapshot // the node's table, when it lists the container
	noBC               bool          // the node has no beancounter table at all
	veid               uint32        // its numeric ID, found once (kernel.veid)
	veidDone           bool
}

// listing is what lists the running containers, for resolving --ctid:
// the beancounter table and /proc/vz/veinfo, whichever exist.
func listing(n node.Node, snap *ubc.Snapshot, veinfo map[string]vzproc.VEInfo) *selection.Listing {
	l := &selection.Listing{Source: n.Path("proc/vz/veinfo")}
	if snap != nil {
		l.Source, l.IDs = snap.Source, selection.TableIDs(snap)
	}
	for id := range veinfo {
		l.IDs = append(l.IDs, id)
	}
	return l
}

// check runs the parts in order; a stopped container only gets state and
// quota.
func (a *app) check(ctx context.Context, pr *check.Progress) check.Result {
	n := node.Node{Root: a.f.Root}
	k := a.kernel(n, pr)
	if a.f.All {
		return a.all(ctx, k)
	}
	c, err := a.identify(k)
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
		add("uptime", func() *part { return a.uptime(k, c) })
		var lf loadFigure
		if !a.f.skipped("load") {
			lf = k.loadAvg(c)
		}
		// Tasks are counted for their own parts, and for the load when no
		// kernel source has it.
		var tf taskFigure
		if !a.f.skipped("tasks") || len(a.f.Process) > 0 && !a.f.skipped("processes") || !a.f.skipped("load") && !lf.ok {
			tf = a.tasks(ctx, k, c)
			if ctx.Err() != nil {
				return check.Unknownf(nil, "%s: timed out while %s", c.label, pr.Current())
			}
		}
		add("load", func() *part { return a.load(k, c, lf, tf) })
		add("tasks", func() *part { return a.taskPart(tf) })
		add("processes", func() *part { return a.processes(tf) })
		add("beancounters", func() *part { return a.beancounters(n, pr, c) })
		add("failcnt", func() *part { return a.failcnt(ctx, n, pr, c) })
	}
	add("quota", func() *part { return a.quota(n, pr, c) })
	return a.result(c, parts)
}

// identify resolves --ctid and reads what says whether it runs: ve.state
// where the ve hierarchy has it, else /proc/vz/veinfo, else the
// beancounter table.
func (a *app) identify(k *kernel) (*ct, error) {
	n, pr := k.n, k.pr
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
	switch {
	case err == nil:
	case node.IsNotExist(err) && k.cg.VE != "":
		// Virtuozzo Hybrid Server 8/9: no beancounter files, the ve
		// hierarchy says the rest.
		c.noBC = true
	default:
		return nil, err
	}
	c.id, err = selection.ResolveOne(n, pr, listing(n, snap, veinfo), a.f.CTID)
	if err != nil {
		return nil, err
	}
	switch state, err := n.VEState(pr, k.cg, c.id); {
	case err == nil:
		c.running, c.phase = state == "RUNNING", state
		c.stateSource = "ve.state " + state
	case veinfo != nil:
		_, c.running = veinfo[c.id]
	case snap != nil:
		_, c.running = snap.Container(c.id)
	}
	if c.running && snap != nil {
		if _, ok := snap.Container(c.id); ok {
			c.snap = snap
		}
	}
	c.cfg, c.cfgErr = n.Config(pr, c.id)
	if !c.running && c.phase == "" && node.NoConfig(c.cfgErr) {
		// A typo in a service definition must not stay green as
		// "stopped, as allowed".
		return nil, selection.NoContainer(n, pr, a.f.CTID, c.id, c.cfgErr, listing(n, snap, veinfo).IDs)
	}
	c.label = selection.CTLabel(c.id, c.cfg["NAME"])
	return c, nil
}

func joinShort(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// result makes the summary from the parts that are not OK, worst first,
// after a fixed tag and the state ("VZ CONTAINER CRITICAL - CT 204
// (web1): ..."): a container's name is user data and must not come first.
// The long output lists the entries worst first, so that a small
// --max-output drops OK entries before problems; the perfdata of the
// problems is never cut (only the detail).
func (a *app) result(c *ct, parts []*part) check.Result {
	res := check.Result{State: status.OK, MaxBytes: a.f.maxOutput(),
		More: func(n int) string { return strconv.Itoa(n) + " more findings not shown (raise --max-output)" }}
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
