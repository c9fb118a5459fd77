package checkubc

import (
	"path/filepath"
	"testing"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/usage"
)

// One pass keeps every container's totals and problems but the rows only
// of the containers asked for: the whole-node check stores no table.
func TestReadKeepsOnlyAskedRows(t *testing.T) {
	n := node.Node{Root: filepath.Join(checktest.RepoRoot(t), "testdata", "nodes", "incident-204")}
	flags := usage.Flags{Warning: threshold.MustParse("90"), Critical: threshold.MustParse("95")}
	settings := flags.Settings(nil)
	for _, tt := range []struct {
		what string
		keep func(string) bool
		want []string // containers with rows
	}{
		{"whole node", func(string) bool { return false }, nil},
		{"one container", func(id string) bool { return id == "204" }, []string{"204"}},
	} {
		tab, err := read(n, &check.Progress{}, selection.Resources{}, settings, false, tt.keep)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for id, rows := range tab.rows {
			if len(rows) == 0 {
				t.Errorf("%s: CT %s kept without rows", tt.what, id)
			}
			kept = append(kept, id)
		}
		if len(tab.cts) != 7 || len(tab.problems) != 2 || tab.worst != nil || len(kept) != len(tt.want) || len(kept) > 0 && kept[0] != tt.want[0] {
			t.Errorf("%s: %d containers, %d problems, worst %v, rows of %v; want 7, 2, nil, rows of %v", tt.what, len(tab.cts), len(tab.problems), tab.worst, kept, tt.want)
		}
	}
}
