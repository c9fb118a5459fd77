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
	cts      []ctTally            // every container of the table, in file order
	rows     map[string][]ubc.Row // of the containers kept
	problems []usage.Finding      // of every container, in file order
	unjudged []ctUnjudged         // in file order, then name order
	// worst is each container's highest usage, for -vv (nil without).
	worst map[string]usage.Finding
}

type ctTally struct {
	id        string
	resources int // resources judged
}

type ctUnjudged struct {
	ct string
	usage.Unjudged
}

// read scans the table once, judging each container's selected resources
// as its block ends; keep says whose rows to keep.
func read(n node.Node, t node.Tracer, res selection.Resources, settings *usage.Settings, wantWorst bool, keep func(id string) bool) (*tally, error) {
	tab := &tally{rows: map[string][]ubc.Row{}}
	if wantWorst {
		tab.worst = map[string]usage.Finding{}
	}
	source, err := n.ScanBeancounters(t, func(c *ubc.Container) error {
		if keep(c.ID) {
			tab.rows[c.ID] = slices.Clone(c.Rows)
		}
		var worst usage.Finding
		judged := settings.Rows(c, res.Resource, !wantWorst, func(f usage.Finding) {
			if f.State != status.OK {
				tab.problems = append(tab.problems, f)
			}
			if wantWorst && (worst.CT == "" || f.PerMille() > worst.PerMille()) {
				worst = f
			}
		})
		if worst.CT != "" {
			tab.worst[c.ID] = worst
		}
		if len(settings.Named) > 0 { // else nothing can be unjudged
			for _, u := range settings.Unjudged(c, res.Resource) {
				tab.unjudged = append(tab.unjudged, ctUnjudged{c.ID, u})
			}
		}
		tab.cts = append(tab.cts, ctTally{c.ID, judged})
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
		ids[i] = tab.cts[i].id
	}
	return &selection.Listing{Source: tab.source, IDs: ids}
}

// evaluation is what the check found in the selected containers.
type evaluation struct {
	tab        *tally
	sel        *selection.Selection
	problems   []usage.Finding // worst first
	containers int             // selected
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

// selected lists the selected containers in file order, with their rows
// where they were kept; only -vv and full perfdata need the list.
func (ev *evaluation) selected() []ubc.Container {
	cts := make([]ubc.Container, 0, ev.containers)
	for _, ct := range ev.tab.cts {
		if ev.sel.Container(ct.id) {
			cts = append(cts, ubc.Container{ID: ct.id, Rows: ev.tab.rows[ct.id]})
		}
	}
	return cts
}

// rowless are the selected containers whose rows were not kept.
func (ev *evaluation) rowless() []string {
	var ids []string
	for _, ct := range ev.selected() {
		if _, ok := ev.tab.rows[ct.ID]; !ok {
			ids = append(ids, ct.ID)
		}
	}
	return ids
}

// worst is a container's highest usage (with -vv).
func (ev *evaluation) worst(id string) (usage.Finding, bool) {
	f, ok := ev.tab.worst[id]
	return f, ok
}

// evaluate picks the selected containers' findings from the tally.
func evaluate(tab *tally, sel *selection.Selection) *evaluation {
	ev := &evaluation{tab: tab, sel: sel}
	for _, ct := range tab.cts {
		if sel.Container(ct.id) {
			ev.containers++
			ev.resources += ct.resources
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
