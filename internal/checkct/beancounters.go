package checkct

import (
	"fmt"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/usage"
)

// beancounters judges the container's usage, as check_ubc does for one
// container.
func (a *app) beancounters(n node.Node, pr *check.Progress, c *ct) *part {
	p := &part{}
	if c.noBC {
		// Not a judgement of the container: the kernel keeps none.
		p.set(status.OK, "", "[OK] beancounters: none on this kernel (no "+n.Path(node.BCResources)+" or "+n.Path(node.UserBeancounters)+": Virtuozzo Hybrid Server 9 keeps none)")
		return p
	}
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
	// A resource named with --resource or --threshold that gives nothing
	// to measure against is said so, as check_ubc does, not passed over.
	for _, u := range settings.Unjudged(blk, want) {
		p.add(status.OK, fmt.Sprintf("[OK] beancounters: %s not judged (%s, nothing to measure usage against)", u.Resource, u.Why))
	}
	p.short = strings.Join(shorts, ", ")
	// The problems' perfdata stays within any budget, as in check_ubc.
	p.perf = report.ContainerPerf(blk, func(name string) bool { return want(name) && problem[name] }, settings)
	p.detail = report.ContainerPerf(blk, func(name string) bool { return want(name) && !problem[name] }, settings)
	return p
}
