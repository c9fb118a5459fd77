package checkubc

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/ubccheck"
	"github.com/vzmon/vzmon/internal/vzconf"
)

// ctConfig is one container's outcome in --mode config.
type ctConfig struct {
	id      string
	running bool // kernel values; else the saved config
	res     ubccheck.Result
	// drift lists the resources whose kernel values differ from the saved
	// config ("kmemsize 1:2 in the kernel, 3:4 in 204.conf").
	drift []string
	state status.Status
}

// checkConfig is --mode config: every selected container's barriers and
// limits against vzcfgvalidate's rules, from the kernel for running
// containers and from the config for stopped ones.
func (a *app) checkConfig(pr *check.Progress) check.Result {
	n := node.Node{Root: a.f.Root}
	snap, err := n.Beancounters(pr)
	if err != nil {
		return check.FromError(err)
	}
	configured, err := n.ConfigIDs(pr)
	if err != nil {
		return check.FromError(err)
	}
	// Stopped containers exist by their config: the listing has both, so
	// that --ctid names a stopped one without "not running".
	listing := selection.ListingOf(snap)
	var stopped []string
	for _, id := range configured {
		if _, ok := snap.Container(id); !ok {
			stopped = append(stopped, id)
		}
	}
	slices.Sort(stopped)
	all := &selection.Listing{Source: listing.Source, IDs: append(slices.Clone(listing.IDs), stopped...)}
	sel, err := a.f.Select.Resolver(n, pr).Resolve(all)
	if err != nil {
		return check.FromError(err)
	}
	host := ubccheck.Host{}
	hostNote := ""
	if mi, err := n.MemInfo(pr); err == nil {
		host = ubccheck.Host{RAMPages: mi.Total / ubc.PageSize, SwapPages: mi.SwapTotal / ubc.PageSize}
	} else {
		hostNote = fmt.Sprintf("; VSwap limits not compared with RAM and swap (%s)", err)
	}
	level := ubccheck.Error
	if a.f.Strict || a.f.Verbose > 0 {
		level = ubccheck.Recommendation
	}
	var cts []ctConfig
	for _, id := range all.IDs {
		if !sel.Container(id) {
			continue
		}
		c, err := a.configOf(n, pr, snap, id, host, level)
		if err != nil {
			return check.FromError(err)
		}
		cts = append(cts, c)
	}
	return a.configResult(n, pr, cts, listing.Source, hostNote)
}

// configOf checks one container: kernel values if it runs (and whether
// they match its config), else its config.
func (a *app) configOf(n node.Node, pr *check.Progress, snap *ubc.Snapshot, id string, host ubccheck.Host, level ubccheck.Level) (ctConfig, error) {
	c := ctConfig{id: id}
	cfg, err := n.Config(pr, id)
	if err != nil && !node.NoConfig(err) {
		return c, err
	}
	fromConf, avn, err := configSet(cfg, n.Path(node.ConfigRel(id)))
	if err != nil {
		return c, err
	}
	set := fromConf
	if k, ok := snap.Container(id); ok {
		c.running = true
		set = ubccheck.Set{}
		for _, r := range k.Rows {
			set[r.Name] = vzconf.BL{Barrier: r.Barrier, Limit: r.Limit}
		}
		c.drift = drift(set, fromConf, id)
	}
	c.res = ubccheck.Check(set, avn, host, level)
	c.state = status.OK
	for _, f := range c.res.Findings {
		if f.Level == ubccheck.Error || a.f.Strict {
			c.state = status.Warning
		}
	}
	if len(c.drift) > 0 {
		c.state = status.Warning
	}
	return c, nil
}

// configSet reads the UBC values of a config (nil config: none).
func configSet(cfg vzconf.Config, path string) (ubccheck.Set, uint64, error) {
	set := ubccheck.Set{}
	for _, name := range ubc.Names() {
		v, ok, err := cfg.UBC(name)
		if err != nil {
			return nil, 0, &hint.Error{Msg: path + ": " + err.Error(), Hints: []string{"fix the value (vzctl set CTID --save --" + name + " B:L), or see vzctl(8) for its syntax"}}
		}
		if ok {
			set[name] = v
		}
	}
	var avn uint64
	if v, ok := cfg["AVNUMPROC"]; ok {
		bl, err := vzconf.ParseBL("numproc", v) // a count, like numproc
		if err != nil {
			return nil, 0, &hint.Error{Msg: fmt.Sprintf("%s: AVNUMPROC=%q: %s", path, v, err)}
		}
		avn = bl.Barrier
	}
	return set, avn, nil
}

// drift lists the resources whose kernel barrier:limit differ from the
// saved config: a vzctl set without --save, lost at the next restart.
func drift(kernel, conf ubccheck.Set, id string) []string {
	var out []string
	for _, name := range ubc.Names() {
		c, ok := conf[name]
		k, inKernel := kernel[name]
		if !ok || !inKernel || sameBL(k, c) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s in the kernel, %s in %s.conf", name, blText(k), blText(c), id))
	}
	return out
}

func sameBL(a, b vzconf.BL) bool {
	eq := func(x, y uint64) bool { return x == y || ubc.Unlimited(x) && ubc.Unlimited(y) }
	return eq(a.Barrier, b.Barrier) && eq(a.Limit, b.Limit)
}

func limitWord(v uint64) string {
	if ubc.Unlimited(v) {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

func blText(v vzconf.BL) string { return limitWord(v.Barrier) + ":" + limitWord(v.Limit) }

// fixLine is the vzctl command that makes a container consistent.
func fixLine(c ctConfig) string {
	var b strings.Builder
	b.WriteString("vzctl set " + c.id + " --save")
	for _, name := range c.res.FixOrder() {
		b.WriteString(" --" + name + " " + blText(c.res.Fix[name]))
	}
	return b.String()
}

func (a *app) configResult(n node.Node, pr *check.Progress, cts []ctConfig, source, hostNote string) check.Result {
	res := check.Result{State: status.OK, MaxBytes: a.budget(len(cts) == 1)}
	names := n.NewNames(pr)
	label := func(id string) string { return selection.CTLabel(id, names.Of(id)) }
	// Alerting containers first: the budget keeps a prefix of the items.
	slices.SortStableFunc(cts, func(x, y ctConfig) int { return status.Compare(y.state, x.state) })
	var summary []string
	bad, running, findings := 0, 0, 0
	for _, c := range cts {
		if c.running {
			running++
		}
		findings += len(c.res.Findings) + len(c.drift)
		if c.state == status.OK && len(c.res.Findings) == 0 {
			continue
		}
		res.State = status.Worse(res.State, c.state)
		if c.state != status.OK {
			bad++
		}
		src := "config " + n.Path(node.ConfigRel(c.id)) + " (stopped)"
		if c.running {
			src = "kernel values"
		}
		if c.res.VSwap {
			src += ", VSwap"
		}
		lines := []string{fmt.Sprintf("%s [%s]:", label(c.id), src)}
		for _, f := range c.res.Findings {
			lines = append(lines, fmt.Sprintf("  %s %s: %s", f.Level, f.Rule, f.Text))
		}
		if len(c.res.Fix) > 0 {
			lines = append(lines, "  fix: "+fixLine(c))
		}
		for _, d := range c.drift {
			lines = append(lines, "  not saved: "+d+" (lost at the next restart)")
		}
		res.Items = append(res.Items, check.Item{Lines: lines})
		if c.state != status.OK && len(summary) < summaryNames {
			summary = append(summary, label(c.id)+" "+problems(c, a.f.Strict))
		}
	}
	switch {
	case len(cts) == 0:
		res.Summary = "no containers selected"
	case bad == 0:
		res.Summary = fmt.Sprintf("%s consistent", report.Plural(len(cts), "container"))
		if findings > 0 {
			res.Summary += fmt.Sprintf(" (%s below the alert level, shown in the long output)", report.Plural(findings, "note"))
		}
	default:
		if bad > len(summary) {
			summary = append(summary, fmt.Sprintf("+%d more", bad-len(summary)))
		}
		res.Summary = strings.Join(summary, ", ") + fmt.Sprintf(" (%s checked)", report.Plural(len(cts), "container"))
	}
	res.More = func(n int) string {
		return report.Plural(n, "more container") + " not shown (--max-output shows more)"
	}
	levels := "Error rules alert, -v lists the others"
	switch {
	case a.f.Strict:
		levels = "every rule alerts (--strict)"
	case a.f.Verbose > 0:
		levels = "Error rules alert, the others listed (-v)"
	}
	res.Tail = append(res.Tail, fmt.Sprintf("checked %d running (%s), %d stopped (saved configs); %s%s",
		running, source, len(cts)-running, levels, hostNote))
	res.Perf = append(res.Perf,
		check.Perf{Label: "containers", Value: strconv.Itoa(len(cts)), Min: "0"},
		check.Perf{Label: "containers_inconsistent", Value: strconv.Itoa(bad), Min: "0"},
		check.Perf{Label: "findings", Value: strconv.Itoa(findings), Min: "0"},
	)
	return res
}

// problems names a container's alerting findings for the summary:
// "tcpsndbuf-gap", "kmemsize barrier<=limit", "numproc not saved".
func problems(c ctConfig, strict bool) string {
	var out []string
	for _, f := range c.res.Findings {
		if f.Level != ubccheck.Error && !strict {
			continue
		}
		name := f.Rule
		if !strings.HasPrefix(name, f.Resource) {
			name = f.Resource + " " + name
		}
		out = append(out, name)
	}
	for _, d := range c.drift {
		res, _, _ := strings.Cut(d, " ")
		out = append(out, res+" not saved")
	}
	return strings.Join(out, ", ")
}
