package growth

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Result words an outcome.
func Result(out *Outcome, snap *ubc.Snapshot, label func(string) string, hold time.Duration) check.Result {
	res := check.Result{State: out.State, More: func(n int) string { return strconv.Itoa(n) + " more not shown (-v or --max-output shows more)" }}
	window := "since the last run"
	if hold > 0 {
		window = "in the last " + report.Duration(hold, 0)
	}
	switch {
	case out.Corrupt != nil:
		res.Summary = fmt.Sprintf("state file %s was unreadable (%v); moved to %s, new baseline recorded", out.Path, out.Corrupt, out.MovedTo)
	case out.Report.Baseline:
		res.Summary = fmt.Sprintf("baseline recorded for %s; later runs alert on failcnt growth", report.Plural(out.Selected, "container"))
	case len(out.Increases) == 0:
		res.Summary = fmt.Sprintf("no failcnt grew %s (%s)", window, report.Plural(out.Selected, "container"))
	default:
		res.Summary = growthSummary(out, label) + " " + window
	}
	for _, inc := range out.Increases {
		res.Items = append(res.Items, check.Item{Lines: increaseLines(inc, snap, label)})
	}
	if out.Report.Baseline && len(out.Report.History) > 0 {
		res.Head = append(res.Head, "failcnt history at the baseline (not alarms; only growth alerts):")
		for _, e := range out.Report.History {
			res.Items = append(res.Items, check.Item{Lines: []string{fmt.Sprintf("  %s %s failcnt %d", label(e.CT), e.Resource, e.FailCnt)}})
		}
	}
	if len(out.Report.Restarts) > 0 {
		res.Tail = append(res.Tail, "restarted since the last run (counted from 0): "+labels(out.Report.Restarts, label))
	}
	if len(out.Report.Resets) > 0 {
		res.Tail = append(res.Tail, "counter went down without a restart (reset, counted from 0): "+labels(out.Report.Resets, label))
	}
	if len(out.Report.New) > 0 {
		res.Tail = append(res.Tail, "new since the last run: "+labels(out.Report.New, label))
	}
	if len(out.Report.Dropped) > 0 {
		res.Tail = append(res.Tail, "gone too long, forgotten: "+labels(out.Report.Dropped, label))
	}
	res.Tail = append(res.Tail, out.Notes...)
	res.Tail = append(res.Tail, "state: "+out.Path)
	res.Perf = out.Perf()
	return res
}

func labels(ids []string, label func(string) string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = label(id)
	}
	return strings.Join(parts, ", ")
}

// growthSummary names the largest increases, grouped by container.
func growthSummary(out *Outcome, label func(string) string) string {
	var parts []string
	prev := ""
	shown := 0
	for _, inc := range out.Increases {
		if inc.Level == status.OK {
			continue
		}
		if shown == 3 {
			parts = append(parts, fmt.Sprintf("+%d more", alerting(out)-shown))
			break
		}
		text := fmt.Sprintf("%s +%d", inc.Resource, inc.Delta)
		if inc.CT != prev {
			text = label(inc.CT) + " " + text
		}
		parts = append(parts, text)
		prev = inc.CT
		shown++
	}
	if len(parts) == 0 {
		return report.Plural(len(out.Increases), "failcnt increase") + " below the thresholds"
	}
	return strings.Join(parts, ", ")
}

func alerting(out *Outcome) int {
	n := 0
	for _, inc := range out.Increases {
		if inc.Level != status.OK {
			n++
		}
	}
	return n
}

func increaseLines(inc Judged, snap *ubc.Snapshot, label func(string) string) []string {
	when := "at " + stamp(inc.Last.Wall)
	if inc.First.Wall != inc.Last.Wall {
		when = "between " + stamp(inc.First.Wall) + " and " + stamp(inc.Last.Wall)
	}
	why := ""
	switch {
	case inc.New:
		why = " (new container, counted from 0)"
	case inc.Restart:
		why = " (after a restart, counted from 0)"
	case inc.Reset:
		why = " (counter went down (reset), counted from 0)"
	}
	lines := []string{fmt.Sprintf("[%s] %s %s failcnt +%d%s %s, now %d", inc.Level, label(inc.CT), inc.Resource, inc.Delta, why, when, inc.FailCnt)}
	if ct, ok := snap.Container(inc.CT); ok {
		if r, ok := ct.Row(inc.Resource); ok {
			lines[0] += "; " + report.Values(*r)
			lines = append(lines, "    raise: "+report.Raise(inc.CT, *r))
		}
	}
	return lines
}

func stamp(unix int64) string {
	return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04:05Z")
}
