// Package checkubc is check_ubc: usage of every (or selected) container's
// beancounters against barrier/limit, seen from the hardware node.
package checkubc

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/privilege"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/usage"
)

// Output budgets: NRPE 2.x cuts at 1,023 bytes, NRPE 3/4 at 65,504.
const (
	NodeBudget    = 1023
	VerboseBudget = 65504
	// summaryNames is how many problems the first line names.
	summaryNames = 3
)

// Flags are check_ubc's command line.
type Flags struct {
	cli.Common `embed:""`
	Select     selection.Flags `embed:""`
	Usage      usage.Flags     `embed:""`
	Perfdata   string          `enum:"problems,all" default:"problems" placeholder:"problems|all" help:"Perfdata for the problems and node totals (default), or for every resource of every selected container. A check of one container always gives all of it."`
	List       bool            `name:"list" icinga2:"-" help:"Print the node's containers and exit 0 instead of checking: as JSON (ID, name, state, ONBOOT), or (--format) as config that keeps the node's vars.openvz_containers current."`
	Format     string          `name:"format" icinga2:"-" enum:"json,icinga2,director" default:"json" placeholder:"json|icinga2|director" help:"With --list: json, every container with its name, state and ONBOOT; icinga2, a Host template vzmon-containers-<host-name> setting vars.openvz_containers, for the node's Host object to import; director, a JSON row {host, openvz_containers} for an Icinga Director import source."`
	HostName   string          `name:"host-name" icinga2:"-" placeholder:"NAME" help:"With --list --format icinga2 or director: the name of the node's Host object."`
	Mode       string          `enum:"usage,config,memory" default:"usage" placeholder:"usage|config|memory" help:"usage (default): held against barrier and limit. config: barriers and limits against vzcfgvalidate's consistency rules (kernel values of running containers, saved configs of stopped ones), with the vzctl set that fixes them. memory: the node's memory utilization (judged with -w/-c, percent) and commitment (WARNING above 100%), as vzmemcheck computes them, and the VSwap RAM and swap ratios."`
	Strict     bool            `name:"strict" help:"With --mode config: Warning and Recommendation rules alert too (default: only Error rules; -v lists the others)."`
	MaxOutput  *cli.MaxOutput  `name:"max-output" placeholder:"BYTES" help:"Cut the long output to fit BYTES: default 1023 for a node (NRPE 2 limit), 65504 with -v, --perfdata all or for one container; 0 = no limit."`
}

// Validate runs the embedded validations (kong validates the root only).
func (f *Flags) Validate() error {
	if f.Mode != "usage" {
		// Flags about usage mean nothing to the rules: refuse rather than
		// ignore them.
		for _, u := range []struct {
			flag string
			set  bool
		}{
			{"--resource", len(f.Select.Resource) > 0}, {"--exclude-resource", len(f.Select.ExcludeResource) > 0},
			{"--threshold", len(f.Usage.Threshold) > 0}, {"--maxheld", f.Usage.MaxHeld}, {"--perfdata all", f.Perfdata == "all"},
		} {
			if u.set {
				return fmt.Errorf("%s applies to --mode usage only, not --mode %s", u.flag, f.Mode)
			}
		}
	}
	if f.Strict && f.Mode != "config" {
		return fmt.Errorf("--strict applies to --mode config only")
	}
	if err := f.validateList(); err != nil {
		return err
	}
	if err := f.Select.Validate(); err != nil {
		return err
	}
	return f.Usage.Validate()
}

// app is check_ubc: its flags and its check.
type app struct {
	f Flags
}

// New returns check_ubc.
func New() *check.App {
	a := &app{}
	guard := func() error { return privilege.Guard(privilege.Root(a.f.Root)) } // no --root under raised privileges
	return &check.App{Name: "check_ubc", Tag: "UBC", Help: help, Icinga2: "ubc", Flags: &a.f, Common: &a.f.Common,
		Guard: guard, Check: a.Check, List: a.list}
}

const help = `Checks the user beancounters of the containers on an OpenVZ/Virtuozzo
hardware node: held against barrier (or limit where there is no barrier), in
percent. Run it on the node (CT 0) as root (see contrib/sudoers.d).

Examples:
  check_ubc                              whole node: WARNING above 90%, CRITICAL above 95%
  check_ubc -w 80 -c 90 --ctid 204       one container, with full perfdata
  check_ubc --ctid web1 --maxheld        by vzctl name; also judge the peak (maxheld)
  check_ubc --threshold physpages=90,98  also watch VSwap RAM (off by default)
  check_ubc --exclude-resource numiptent --exclude-ctid 0
  check_ubc --list --format icinga2 --host-name node1.example.com
                                         the containers as an Icinga 2 Host template

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad flags, unreadable or
damaged kernel files, timeout).`

// Check reads the table once, judging every container's rows as they
// come, then selects and reports: the table is never stored whole. The
// read is bounded by check.Run's timeout, which abandons it.
func (a *app) Check(_ context.Context, pr *check.Progress) check.Result {
	switch a.f.Mode {
	case "config":
		return a.checkConfig(pr)
	case "memory":
		return a.checkMemory(pr)
	}
	n := node.Node{Root: a.f.Root}
	res := a.f.Select.Resources()
	settings := a.f.Usage.Settings(res.NamedResources())
	r := a.f.Select.Resolver(n, pr)
	r.LookupNames()
	keep := r.Keep
	if a.f.Perfdata == "all" && len(a.f.Select.CTID) == 0 {
		keep = func(id string) bool { return id != "0" }
	}
	// A selected container whose perfdata is due but whose rows were not
	// kept (a name LookupNames could not foresee: an ID-shaped name of
	// another container) is read again with its rows. The arguments lead
	// to few containers, and each round keeps more of them: this ends.
	more := map[string]bool{}
	for {
		tab, err := read(n, pr, res, settings, a.f.Verbose >= 2, func(id string) bool { return keep(id) || more[id] })
		if err != nil {
			return check.FromError(err)
		}
		sel, err := r.Resolve(tab.listing())
		if err != nil {
			return check.FromError(err)
		}
		ev := evaluate(tab, sel)
		var rowless []string
		if a.fullPerf(ev, sel) {
			rowless = ev.rowless()
		}
		if len(rowless) == 0 {
			return a.result(pr, ev, tab.source, sel, settings, n.NewNames(pr))
		}
		for _, id := range rowless {
			more[id] = true
		}
	}
}

// fullPerf: a check of one container, or --perfdata all, gives every
// resource's perfdata.
func (a *app) fullPerf(ev *evaluation, sel *selection.Selection) bool {
	return ev.containers == 1 && len(sel.IDs) == 1 || a.f.Perfdata == "all"
}

func (a *app) result(pr *check.Progress, ev *evaluation, source string, sel *selection.Selection, settings *usage.Settings, names *node.Names) check.Result {
	fullPerf := a.fullPerf(ev, sel)
	res := check.Result{State: status.OK, MaxBytes: a.budget(fullPerf)}
	label := func(id string) string { return selection.CTLabel(id, names.Of(id)) }
	// Naming a container reads its config. The budget keeps a prefix of
	// the items, so once the lines so far exceed it no later problem can
	// be shown: those are not named (a large node has hundreds).
	lineBytes := 0
	for _, f := range ev.problems {
		res.State = status.Worse(res.State, f.State)
		who := "CT " + f.CT
		if res.MaxBytes <= 0 || lineBytes <= res.MaxBytes {
			who = label(f.CT)
		}
		it := check.Item{Lines: report.ProblemLines(who, f)}
		for _, l := range it.Lines {
			lineBytes += len(l)
		}
		if !fullPerf {
			it.Perf = []check.Perf{report.FindingPerf(f)}
		}
		res.Items = append(res.Items, it)
	}
	res.More = func(n int) string {
		return strconv.Itoa(n) + " more problems not shown (-v or --max-output shows more)"
	}
	res.Summary = summary(ev, label)
	if a.f.Verbose >= 2 {
		res.More = func(n int) string { return strconv.Itoa(n) + " more lines not shown (raise --max-output)" }
		for _, ct := range ev.selected() {
			res.Items = append(res.Items, check.Item{Lines: []string{containerLine(ct.ID, ev, label)}})
		}
	}
	if fullPerf {
		pr.Stage("collecting the perfdata of %s", report.Plural(ev.containers, "container"))
		report.AddContainerPerf(&res.Detail, ev.selected(), sel.Resource, settings)
	}
	for _, u := range ev.unjudged {
		labels := make([]string, 0, notJudgedCTs+1)
		for _, id := range u.cts[:min(len(u.cts), notJudgedCTs)] {
			labels = append(labels, label(id))
		}
		if more := len(u.cts) - notJudgedCTs; more > 0 {
			labels = append(labels, fmt.Sprintf("+%d more", more))
		}
		res.Tail = append(res.Tail, fmt.Sprintf("not judged: %s (%s, nothing to measure usage against) in %s", u.Resource, u.Why, strings.Join(labels, ", ")))
	}
	res.Tail = append(res.Tail, fmt.Sprintf("checked %s, %s (warning %s, critical %s; %% of barrier, or of limit without one) from %s",
		report.Plural(ev.containers, "container"), report.Plural(ev.resources, "resource"), orOff(settings.Default.Warn.Text()), orOff(settings.Default.Crit.Text()), source))
	res.Perf = append(res.Perf,
		check.Perf{Label: "containers", Value: strconv.Itoa(ev.containers), Min: "0"},
		check.Perf{Label: "resources_warning", Value: strconv.Itoa(ev.warn), Min: "0"},
		check.Perf{Label: "resources_critical", Value: strconv.Itoa(ev.crit), Min: "0"},
	)
	return res
}

// budget is --max-output, or by scope: full perfdata (one container,
// --perfdata all) or -v raise it.
func (a *app) budget(fullPerf bool) int {
	switch {
	case a.f.MaxOutput != nil:
		return int(*a.f.MaxOutput)
	case fullPerf || a.f.Verbose > 0:
		return VerboseBudget
	}
	return NodeBudget
}

// orOff shows an unset range as "off".
func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

// summary names the worst problems, grouping consecutive ones of the same
// container: "CT 204 (web1) tcpsndbuf 157% of barrier, numtcpsock 91% of
// barrier".
func summary(ev *evaluation, label func(string) string) string {
	if ev.containers == 0 {
		return "no containers selected (only CT 0 is running, or every container is excluded)"
	}
	if len(ev.problems) == 0 {
		s := fmt.Sprintf("%s, %s within thresholds", report.Plural(ev.containers, "container"), report.Plural(ev.resources, "resource"))
		if len(ev.unjudged) > 0 { // a resource asked for and silently skipped would look judged
			var parts []string
			for _, u := range ev.unjudged {
				part := fmt.Sprintf("%s (%s)", u.Resource, u.Why)
				if ev.containers > 1 {
					part += " in " + report.Plural(len(u.cts), "container")
				}
				parts = append(parts, part)
			}
			s += "; not judged: " + strings.Join(parts, ", ")
		}
		return s
	}
	var parts []string
	prev := ""
	for i, f := range ev.problems {
		if i == summaryNames {
			parts = append(parts, fmt.Sprintf("+%d more", len(ev.problems)-i))
			break
		}
		if f.CT != prev {
			parts = append(parts, label(f.CT)+" "+report.Short(f))
		} else {
			parts = append(parts, report.Short(f))
		}
		prev = f.CT
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (%s checked)", report.Plural(ev.containers, "container"))
}

func containerLine(id string, ev *evaluation, label func(string) string) string {
	w, ok := ev.worst(id)
	if !ok {
		return label(id) + ": no limited resources"
	}
	return fmt.Sprintf("%s: %s, highest %s", label(id), w.State, report.Short(w))
}
