// Package selection turns --ctid/--exclude-ctid/--resource/--exclude-resource
// into the set of containers and resources a check looks at.
package selection

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Flags are the selection flags shared by the beancounter checks. The lists
// are split by Validate, not by kong: kong drops empty items, so that
// --ctid "" (an unset Nagios macro) would select every container.
type Flags struct {
	CTID            []string `name:"ctid" sep:"none" placeholder:"ID|NAME,..." help:"Check only these containers: IDs or vzctl names, repeatable or comma-separated. CT 0 (the host) is checked only when named."`
	ExcludeCTID     []string `name:"exclude-ctid" sep:"none" placeholder:"ID|NAME,..." help:"Skip these containers."`
	Resource        []string `name:"resource" sep:"none" placeholder:"NAME,..." help:"Check only these resources (naming vmguarpages, oomguarpages or physpages also turns their evaluation on)."`
	ExcludeResource []string `name:"exclude-resource" sep:"none" placeholder:"NAME,..." help:"Skip these resources."`
}

// Validate splits the comma-separated lists and rejects empty items and
// unknown resource names.
func (f *Flags) Validate() error {
	for _, list := range []struct {
		flag, what string
		items      *[]string
	}{{"--ctid", "container ID or name", &f.CTID}, {"--exclude-ctid", "container ID or name", &f.ExcludeCTID},
		{"--resource", "resource name", &f.Resource}, {"--exclude-resource", "resource name", &f.ExcludeResource}} {
		items, err := SplitList(list.flag, list.what, *list.items)
		if err != nil {
			return err
		}
		*list.items = items
	}
	for _, list := range []struct {
		flag  string
		names []string
	}{{"--resource", f.Resource}, {"--exclude-resource", f.ExcludeResource}} {
		for _, n := range list.names {
			if !ubc.IsKnown(n) {
				return fmt.Errorf("%s: unknown resource %q (known: %s)", list.flag, n, strings.Join(ubc.Names(), ", "))
			}
		}
	}
	return nil
}

// SplitList splits the values of a repeatable, comma-separated list flag
// (declared with sep:"none"). An empty item ("", "204,", ",") is an error:
// it is most likely an unset macro, and an empty list would mean "all".
func SplitList(flag, what string, values []string) ([]string, error) {
	var items []string
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			if strings.TrimSpace(item) == "" {
				return nil, fmt.Errorf("%s %q: empty %s (an unset macro in the command?)", flag, text.Clean(v, 64), what)
			}
			items = append(items, item)
		}
	}
	return items, nil
}

// Key is a canonical text of the selection as given (sorted, without
// duplicates): it names a check's state before anything is read, so that
// the state lock can be taken first.
func (f *Flags) Key() string {
	part := func(items []string) string {
		m := set(items)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return strings.Join(keys, ",")
	}
	return "ct=" + part(f.CTID) + ";xct=" + part(f.ExcludeCTID) + ";res=" + part(f.Resource) + ";xres=" + part(f.ExcludeResource)
}

// Selection is the resolved selection.
type Selection struct {
	only     map[string]bool // nil: every container but CT 0
	excluded map[string]bool
	res      map[string]bool // nil: every resource
	exres    map[string]bool
	// IDs are the containers named with --ctid, resolved, in the order given.
	IDs []string
}

func set(items []string) map[string]bool {
	if len(items) == 0 {
		return nil
	}
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

// Container reports whether a container is selected.
func (s *Selection) Container(id string) bool {
	if s.excluded[id] {
		return false
	}
	if s.only == nil {
		return id != "0"
	}
	return s.only[id]
}

// Resource reports whether a resource is selected.
func (s *Selection) Resource(name string) bool {
	return !s.exres[name] && (s.res == nil || s.res[name])
}

// NamedResources are the resources given with --resource.
func (s *Selection) NamedResources() map[string]bool { return s.res }

// Resolve maps the container arguments to IDs. A container named with
// --ctid that has no beancounters is an error: it is not running.
func (f *Flags) Resolve(n node.Node, t node.Tracer, snap *ubc.Snapshot) (*Selection, error) {
	s := &Selection{res: set(f.Resource), exres: set(f.ExcludeResource)}
	names := n.NewNames(t)
	for _, arg := range f.CTID {
		id, err := resolve(n, t, snap, arg)
		if err != nil {
			return nil, err
		}
		if _, running := snap.Container(id); !running {
			if _, err := n.Config(t, id); node.NoConfig(err) {
				return nil, NoContainer(n, t, arg, id, err, TableIDs(snap))
			}
			return nil, &hint.Error{Msg: fmt.Sprintf("%s is not running (no beancounters in %s)", CTLabel(id, names.Of(id)), snap.Source),
				Hints: []string{"start it (vzctl start " + id + "), or remove it from this check"}}
		}
		if s.only == nil {
			s.only = map[string]bool{}
		}
		if !s.only[id] {
			s.only[id] = true
			s.IDs = append(s.IDs, id)
		}
	}
	for _, arg := range f.ExcludeCTID {
		id, err := resolve(n, t, snap, arg)
		if err != nil {
			return nil, err
		}
		if s.excluded == nil {
			s.excluded = map[string]bool{}
		}
		s.excluded[id] = true
	}
	return s, nil
}

// ResolveOne maps one container argument to its ID, whether the container
// runs or not: a running ID (in the table, or running() says so), a vzctl
// name, or an ID-shaped argument.
func ResolveOne(n node.Node, t node.Tracer, snap *ubc.Snapshot, arg string, running func(string) bool) (string, error) {
	if running(arg) {
		return arg, nil
	}
	return resolve(n, t, snap, arg)
}

// resolve maps one argument: an ID in the table, else a vzctl name, else
// a valid container ID is taken as a container that is not running (the
// caller tells whether it exists).
func resolve(n node.Node, t node.Tracer, snap *ubc.Snapshot, arg string) (string, error) {
	if _, ok := snap.Container(arg); ok {
		return arg, nil
	}
	id, found, err := n.LookupName(t, arg)
	if err != nil {
		return "", err
	}
	if found {
		return id, nil
	}
	if node.ValidCTID(arg) {
		return arg, nil
	}
	return "", &hint.Error{Msg: fmt.Sprintf("no container with ID or name %q (not in %s, %s or NAME= in %s)",
		text.Clean(arg, 64), snap.Source, n.Path("etc/vz/names"), n.Path("etc/vz/conf")),
		Hints: []string{"check the spelling, or list the containers with: check_ubc --list"}}
}

// NoContainer is the error for a container that neither runs nor has a
// config (why is Config's error): "no container 240 (no
// /etc/vz/conf/240.conf and not running)". arg is what was given, when a
// name led to id. An ID that differs from an existing one only in case is
// pointed out: Virtuozzo 7 IDs are case-sensitive directory names, so it
// is not that container.
func NoContainer(n node.Node, t node.Tracer, arg, id string, why error, running []string) error {
	rel := node.ConfigRel(id)
	reason := why.Error() + "; not running"
	if node.IsNotExist(why) {
		reason = "no " + n.Path(rel) + " and not running"
	}
	msg := fmt.Sprintf("no container %s (%s)", id, reason)
	if arg != id {
		msg += fmt.Sprintf("; %s points to it", n.Path(node.NamesRel(arg)))
	}
	if _, err := os.Lstat(n.Path(rel + ".destroyed")); err == nil {
		msg += fmt.Sprintf("; %s.conf.destroyed: it was destroyed", id)
	}
	configured, _ := n.ConfigIDs(t) // best effort: only for the suggestion
	for _, other := range append(running, configured...) {
		if other != id && strings.EqualFold(other, id) {
			msg += fmt.Sprintf("; did you mean %s? (container IDs are case-sensitive)", other)
			break
		}
	}
	return &hint.Error{Msg: msg, Hints: []string{"check the ID in the service definition, or list the containers with: check_ubc --list"}}
}

// TableIDs are the IDs of the containers in a beancounter table.
func TableIDs(snap *ubc.Snapshot) []string {
	ids := make([]string, len(snap.Containers))
	for i := range snap.Containers {
		ids[i] = snap.Containers[i].ID
	}
	return ids
}

// CTLabel names a container for people: "CT 204 (web1)", or "CT 204".
func CTLabel(id, name string) string {
	if name == "" || name == id {
		return "CT " + id
	}
	return "CT " + id + " (" + text.Clean(name, 64) + ")"
}
