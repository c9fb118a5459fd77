package checkubc

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/plugin"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Listed is one container in --list.
type Listed struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	State  string `json:"state"` // running or stopped
	OnBoot bool   `json:"onboot"`
}

// list prints the containers: the running ones from the beancounters and
// the stopped ones from etc/vz/conf, CT 0 left out.
func list(n node.Node, pr *plugin.Progress, snap *ubc.Snapshot) plugin.Result {
	byID := map[string]*Listed{}
	for _, c := range snap.Containers {
		if c.ID != "0" {
			byID[c.ID] = &Listed{ID: c.ID, State: "running"}
		}
	}
	pr.Stage("listing %s", n.Path("etc/vz/conf"))
	if entries, err := os.ReadDir(n.Path("etc/vz/conf")); err == nil {
		for _, e := range entries {
			id, ok := strings.CutSuffix(e.Name(), ".conf")
			if ok && id != "0" && ubc.ValidID(id) && byID[id] == nil {
				byID[id] = &Listed{ID: id, State: "stopped"}
			}
		}
	}
	out := make([]Listed, 0, len(byID))
	for id, l := range byID {
		if cfg, err := n.Config(pr, id); err == nil {
			l.Name = text.Clean(cfg["NAME"], 128)
			l.OnBoot = cfg["ONBOOT"] == "yes"
		}
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return plugin.FromError(err)
	}
	return plugin.Result{State: plugin.OK, Raw: string(b) + "\n"}
}

// idLess orders numeric IDs by number, before names.
func idLess(a, b string) bool {
	na, ea := strconv.ParseUint(a, 10, 64)
	nb, eb := strconv.ParseUint(b, 10, 64)
	switch {
	case ea == nil && eb == nil:
		return na < nb
	case ea == nil:
		return true
	case eb == nil:
		return false
	}
	return a < b
}
