package checkubc_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/nodegen"
)

// A container given by its vzctl name gives the same output as given by
// its ID: through etc/vz/names, through NAME= alone, and when the name is
// shaped like an ID (the one-pass read learns only after reading that the
// argument is not a running ID but another container's name, and then
// reads again for its rows). Exclusion resolves the same way.
func TestNameSelectsLikeID(t *testing.T) {
	node := func(name string, link bool) string {
		n := nodegen.Incident204()
		for i := range n.Cts {
			if c := &n.Cts[i]; c.ID == "204" {
				c.Name = name
				for j := range c.Conf {
					if c.Conf[j].Key == "NAME" {
						c.Conf[j].Value = name
					}
				}
			}
		}
		root := filepath.Join(t.TempDir(), "node")
		checktest.WriteNode(t, root, n.Write)
		if !link {
			if err := os.Remove(filepath.Join(root, "etc", "vz", "names", name)); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	for _, tt := range []struct {
		what         string
		name         string
		link         bool
		byName, byID []string
	}{
		{"names link", "web1", true, []string{"--ctid", "web1"}, []string{"--ctid", "204"}},
		{"NAME= only", "web1", false, []string{"--ctid", "web1"}, []string{"--ctid", "204"}},
		{"ID-shaped name", "999", false, []string{"--ctid", "999"}, []string{"--ctid", "204"}},
		{"ID-shaped name, linked", "999", true, []string{"--ctid", "999"}, []string{"--ctid", "204"}},
		{"ID-shaped name, -vv", "999", false, []string{"--ctid", "999", "-vv"}, []string{"--ctid", "204", "-vv"}},
		{"ID-shaped name and another, all perfdata", "999", false,
			[]string{"--ctid", "dns1,999", "--perfdata", "all"}, []string{"--ctid", "dns1,204", "--perfdata", "all"}},
		{"excluded ID-shaped name", "999", false, []string{"--exclude-ctid", "999"}, []string{"--exclude-ctid", "204"}},
		{"excluded name, all perfdata", "web1", false,
			[]string{"--exclude-ctid", "web1", "--perfdata", "all", "--max-output", "0"}, []string{"--exclude-ctid", "204", "--perfdata", "all", "--max-output", "0"}},
	} {
		t.Run(tt.what, func(t *testing.T) {
			root := node(tt.name, tt.link)
			byName, codeName := checktest.Run(checkubc.New(), append([]string{"--root", root}, tt.byName...)...)
			byID, codeID := checktest.Run(checkubc.New(), append([]string{"--root", root}, tt.byID...)...)
			byName, byID = checktest.Normalize(byName, root), checktest.Normalize(byID, root)
			if codeName != codeID || byName != byID || codeID == 3 {
				t.Errorf("by name: exit %d:\n%s\nby ID: exit %d:\n%s", codeName, byName, codeID, byID)
			}
		})
	}
}
