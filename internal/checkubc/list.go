package checkubc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/icinga2"
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
	listing, err := a.f.render(out)
	return listing, true, err
}

// validateList refuses --format and --host-name where they mean nothing,
// and a host name Icinga would not take as an object's name.
func (f *Flags) validateList() error {
	switch {
	case f.Format != "json" && !f.List:
		return fmt.Errorf("--format goes with --list")
	case f.HostName != "" && f.Format == "json":
		return fmt.Errorf("--host-name goes with --list --format icinga2 or director")
	case f.Format != "json" && f.HostName == "":
		return fmt.Errorf("--format %s needs --host-name: the name of the node's Host object", f.Format)
	case strings.ContainsFunc(f.HostName, func(r rune) bool { return r < ' ' || r == 0x7f || r == '!' }):
		return fmt.Errorf("--host-name %q: an Icinga object name has no control characters and no '!'", f.HostName)
	}
	return nil
}

// render writes the listing in the --format asked for. The icinga2 and
// director forms carry every container's ID (stopped ones too: a
// container that should run and does not is what its service is for).
func (f *Flags) render(cts []Listed) ([]byte, error) {
	var b bytes.Buffer
	ids := make([]string, len(cts))
	for i, c := range cts {
		ids[i] = c.ID
	}
	switch f.Format {
	case "icinga2":
		quoted := make([]string, len(ids))
		for i, id := range ids {
			quoted[i] = icinga2.String(id)
		}
		fmt.Fprintf(&b, "// The containers of %s, by check_ubc --list --format icinga2: its Host\n", f.HostName)
		b.WriteString("// object imports this template. Generated; rewrite it, do not edit it.\n")
		fmt.Fprintf(&b, "template Host %s {\n\tvars.openvz_containers = [ %s ]\n}\n", icinga2.String(ContainersTemplate(f.HostName)), strings.Join(quoted, ", "))
		return b.Bytes(), nil
	case "director":
		return encodeJSON(&b, []map[string]any{{"host": f.HostName, "openvz_containers": ids}})
	}
	return encodeJSON(&b, cts)
}

// ContainersTemplate is the name of the Host template that --list --format
// icinga2 writes for a node.
func ContainersTemplate(host string) string { return "vzmon-containers-" + host }

func encodeJSON(b *bytes.Buffer, v any) ([]byte, error) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
