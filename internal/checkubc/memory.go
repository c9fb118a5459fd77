package checkubc

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/memcheck"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
)

// commitWarn: a commitment above 100% promises more than the node has.
var commitWarn = threshold.MustParse("100")

// checkMemory is --mode memory: vzmemcheck's utilization and commitment
// of the node's memory by the selected running containers, and the VSwap
// ratios. Utilizations are judged with -w/-c (percent); commitments are
// WARNING above 100%.
func (a *app) checkMemory(pr *check.Progress) check.Result {
	n := node.Node{Root: a.f.Root}
	snap, err := n.Beancounters(pr) // first: "not an OpenVZ node" beats a missing meminfo
	if err != nil {
		return check.FromError(err)
	}
	mi, err := n.MemInfo(pr)
	if err != nil {
		return check.FromError(err)
	}
	sel, err := a.f.Select.Resolve(n, pr, snap)
	if err != nil {
		return check.FromError(err)
	}
	var cts []ubc.Container
	for _, c := range snap.Containers {
		if sel.Container(c.ID) {
			cts = append(cts, c)
		}
	}
	host := memcheck.Host{RAM: mi.Total, Swap: mi.SwapTotal, LowMem: memcheck.LowMemOf(mi.LowTotal)}
	util := threshold.Pair{Warn: a.f.Usage.Warning, Crit: a.f.Usage.Critical}
	res := check.Result{State: status.OK, MaxBytes: a.budget(false)}
	var problems, na []string
	type alert struct {
		st   status.Status
		line string
	}
	var alerts []alert
	for _, r := range memcheck.Compute(host, cts) {
		if r.NA != "" {
			na = append(na, r.Name+" ("+r.NA+")")
			continue
		}
		pair, warn, crit := util, rangeText(util.Warn), rangeText(util.Crit)
		if r.Commitment {
			pair, warn, crit = threshold.Pair{Warn: commitWarn}, "100", ""
		}
		st := pair.JudgePercent(r.Num, r.Den)
		pct := threshold.PercentText(r.Num, r.Den, pair.Warn, pair.Crit)
		line := fmt.Sprintf("%s %s: %s of %s", r.Name, pct, report.Bytes(r.Num), report.Bytes(r.Den))
		if st != status.OK {
			res.State = status.Worse(res.State, st)
			problems = append(problems, r.Name+" "+pct)
			alerts = append(alerts, alert{st, st.String() + ": " + line + ", " + r.What})
		} else {
			res.Tail = append(res.Tail, line)
		}
		res.Perf = append(res.Perf, check.Perf{Label: r.Name, Value: strings.TrimSuffix(pct, "%"), UOM: "%", Warn: warn, Crit: crit, Min: "0"})
	}
	// Worst first: the budget keeps a prefix of the items.
	slices.SortStableFunc(alerts, func(x, y alert) int { return status.Compare(y.st, x.st) })
	for _, a := range alerts {
		res.Items = append(res.Items, check.Item{Lines: []string{a.line}})
	}
	if len(problems) > 0 {
		res.Summary = strings.Join(problems, ", ") + fmt.Sprintf(" (%s)", report.Plural(len(cts), "container"))
	} else {
		res.Summary = fmt.Sprintf("memory of %s within thresholds", report.Plural(len(cts), "container"))
	}
	if len(na) > 0 {
		res.Tail = append(res.Tail, "not applicable: "+strings.Join(na, "; "))
	}
	res.Tail = append(res.Tail, fmt.Sprintf("RAM %s, swap %s (%s), beancounters of %s from %s; utilization: warning %s, critical %s; commitment: warning above 100%%",
		report.Bytes(mi.Total), report.Bytes(mi.SwapTotal), n.Path("proc/meminfo"), report.Plural(len(cts), "container"), snap.Source,
		orOff(util.Warn.Text()), orOff(util.Crit.Text())))
	res.Perf = append(res.Perf, check.Perf{Label: "containers", Value: strconv.Itoa(len(cts)), Min: "0"})
	return res
}

func rangeText(r *threshold.Range) string {
	if r == nil {
		return ""
	}
	return r.Text()
}
