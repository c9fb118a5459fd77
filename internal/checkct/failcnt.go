package checkct

import (
	"context"
	"fmt"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/growth"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
)

// failcnt alerts on failcnt growth, with --state-file, as
// check_ubc_failcnt does.
func (a *app) failcnt(ctx context.Context, n node.Node, pr *check.Progress, c *ct) *part {
	if a.f.StateFile == "" {
		return nil
	}
	p := &part{}
	if c.noBC {
		p.set(status.Unknown, "failcnt unknown", "[UNKNOWN] failcnt: --state-file, but this kernel keeps no beancounters (no "+n.Path(node.BCResources)+"): drop --state-file")
		return p
	}
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
