package checkubc

import (
	"slices"

	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/usage"
)

// tally is what one pass over the beancounter table keeps: every
// container's totals and problems, judged row by row as the table is
// read, and the rows only of the containers whose perfdata the output may
// carry. Which containers are selected is known only after the read (an
// ID the table lists wins over a vzctl name), so every container is
// judged and the selection picks from the tally.
type tally struct {
	source   string
	cts      []ctTally       // every container of the table, in file order
	problems []usage.Finding // of every container, in file order
	unjudged []ctUnjudged    // in file order, then name order
	// worst is each container's highest usage, for -vv (nil without).
	worst map[string]usage.Finding
}

type ctTally struct {
	ubc.Container      // Rows only when kept
	kept          bool // the rows were kept
	resources     int  // resources judged
}

type ctUnjudged struct {
	ct string
	usage.Unjudged
}

// read scans the table once, judging each container's selected resources
// as its block ends; keep says whose rows to keep.
func read(n node.Node, t node.Tracer, res selection.Resources, settings *usage.Settings, wantWorst bool, keep func(id string) bool) (*tally, error) {
	tab := &tally{}
	if wantWorst {
		tab.worst = map[string]usage.Finding{}
	}
	source, err := n.ScanBeancounters(t, func(c *ubc.Container) error {
		ct := ctTally{Container: ubc.Container{ID: c.ID}}
		if keep(c.ID) {
			ct.Rows, ct.kept = slices.Clone(c.Rows), true
		}
		var worst usage.Finding
		ct.resources = settings.Rows(c, res.Resource, !wantWorst, func(f usage.Finding) {
			if worst.CT == "" || f.PerMille() > worst.PerMille() {
				worst = f
			}
			if f.State != status.OK {
				tab.problems = append(tab.problems, f)
			}
		})
		if wantWorst && worst.CT != "" {
			tab.worst[c.ID] = worst
		}
		for _, u := range settings.Unjudged(c, res.Resource) {
			tab.unjudged = append(tab.unjudged, ctUnjudged{c.ID, u})
		}
		tab.cts = append(tab.cts, ct)
		return nil
	})
	tab.source = source
	return tab, err
}

// listing is the table's containers, for resolving --ctid and
// --exclude-ctid.
func (tab *tally) listing() *selection.Listing {
	ids := make([]string, len(tab.cts))
	for i := range tab.cts {
		ids[i] = tab.cts[i].ID
	}
	return &selection.Listing{Source: tab.source, IDs: ids}
}

// evaluation is what the check found in the selected containers.
type evaluation struct {
	problems   []usage.Finding  // worst first
	cts        []*ubc.Container // selected, in file order
	rowless    []string         // selected, their rows not kept
	worst      map[string]usage.Finding
	resources  int
	warn, crit int
	// unjudged are the named resources some containers could not be
	// judged on, with those containers.
	unjudged []unjudged
}

type unjudged struct {
	usage.Unjudged
	cts []string
}

// notJudgedCTs is how many containers a "not judged" line names.
const notJudgedCTs = 5

// evaluate picks the selected containers' findings from the tally.
func evaluate(tab *tally, sel *selection.Selection) *evaluation {
	ev := &evaluation{worst: tab.worst}
	for i := range tab.cts {
		ct := &tab.cts[i]
		if !sel.Container(ct.ID) {
			continue
		}
		ev.cts = append(ev.cts, &ct.Container)
		ev.resources += ct.resources
		if !ct.kept {
			ev.rowless = append(ev.rowless, ct.ID)
		}
	}
	for _, f := range tab.problems {
		if !sel.Container(f.CT) {
			continue
		}
		if f.State == status.Warning {
			ev.warn++
		} else {
			ev.crit++
		}
		ev.problems = append(ev.problems, f)
	}
	usage.SortProblems(ev.problems)
	for _, u := range tab.unjudged {
		if !sel.Container(u.ct) {
			continue
		}
		i := slices.IndexFunc(ev.unjudged, func(g unjudged) bool { return g.Unjudged == u.Unjudged })
		if i < 0 {
			i = len(ev.unjudged)
			ev.unjudged = append(ev.unjudged, unjudged{Unjudged: u.Unjudged})
		}
		ev.unjudged[i].cts = append(ev.unjudged[i].cts, u.ct)
	}
	return ev
}
