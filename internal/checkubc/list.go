package checkubc

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Listed is one container in --list. Name is the real NAME= (JSON escapes
// what needs escaping; it is not plugin text). OnBoot is absent when the
// config cannot tell, and Error then says why.
type Listed struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	State  string `json:"state"` // running or stopped
	OnBoot *bool  `json:"onboot,omitempty"`
	Error  string `json:"error,omitempty"`
}

// list is --list: the containers, the running ones from the beancounters
// and the stopped ones from etc/vz/conf (only <ID>.conf files that are a
// container's config), CT 0 left out.
func (a *app) list(_ context.Context, pr *check.Progress) ([]byte, bool, error) {
	if !a.f.List {
		return nil, false, nil
	}
	n := node.Node{Root: a.f.Root}
	byID := map[string]*Listed{}
	_, err := n.ScanBeancounters(pr, func(c *ubc.Container) error {
		if c.ID != "0" {
			byID[c.ID] = &Listed{ID: c.ID, State: "running"}
		}
		return nil
	})
	if err != nil {
		return nil, true, err
	}
	configured, err := n.ConfigIDs(pr)
	if err != nil {
		return nil, true, err
	}
	for _, id := range configured {
		if id != "0" && byID[id] == nil {
			byID[id] = &Listed{ID: id, State: "stopped"}
		}
	}
	out := make([]Listed, 0, len(byID))
	for id, l := range byID {
		cfg, err := n.Config(pr, id)
		switch {
		case err == nil:
			onboot := cfg["ONBOOT"] == "yes"
			l.Name, l.OnBoot = cfg["NAME"], &onboot
		case node.NoConfig(err) && l.State == "stopped":
			continue // a directory, a stray symlink: not a container
		case node.NoConfig(err):
			l.Error = "no config: " + err.Error()
		default:
			l.Error = err.Error()
		}
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, true, err
	}
	return b.Bytes(), true, nil
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
