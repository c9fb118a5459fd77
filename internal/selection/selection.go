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

// Resources is the resource part of a selection, which needs nothing
// resolved: check_vz_container judges one container's resources with it.
type Resources struct {
	res   map[string]bool // nil: every resource
	exres map[string]bool
}

// Resources returns the resource part of the flags (after Validate).
func (f *Flags) Resources() Resources {
	return Resources{res: set(f.Resource), exres: set(f.ExcludeResource)}
}

// Selection is the resolved selection.
type Selection struct {
	Resources
	only     map[string]bool // nil: every container but CT 0
	excluded map[string]bool
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
func (r Resources) Resource(name string) bool {
	return !r.exres[name] && (r.res == nil || r.res[name])
}

// NamedResources are the resources given with --resource.
func (r Resources) NamedResources() map[string]bool { return r.res }

// Resolve maps the container arguments to IDs against a stored table. A
// container named with --ctid that has no beancounters is an error: it is
// not running.
func (f *Flags) Resolve(n node.Node, t node.Tracer, snap *ubc.Snapshot) (*Selection, error) {
	return f.Resolver(n, t).Resolve(ListingOf(snap))
}

// Listing is what resolving needs of a beancounter table: the file, for
// messages, and the containers it lists, in file order.
type Listing struct {
	Source string
	IDs    []string
	has    func(id string) bool // a set of IDs built on first use, unless given
}

// ListingOf lists a stored table.
func ListingOf(snap *ubc.Snapshot) *Listing {
	return &Listing{Source: snap.Source, IDs: TableIDs(snap), has: func(id string) bool {
		_, ok := snap.Container(id)
		return ok
	}}
}

// Has reports whether the table lists the container.
func (l *Listing) Has(id string) bool {
	if l.has == nil {
		set := make(map[string]bool, len(l.IDs))
		for _, id := range l.IDs {
			set[id] = true
		}
		l.has = func(id string) bool { return set[id] }
	}
	return l.has(id)
}

// Resolver maps container arguments to IDs: an argument that the table
// lists is that container; else a vzctl name; else an argument shaped like
// a vzctl ID is a container that is not running.
type Resolver struct {
	f     *Flags
	n     node.Node
	t     node.Tracer
	names map[string]nameLookup // LookupName's answers, by argument
	keep  map[string]bool       // see Keep
}

type nameLookup struct {
	id    string
	found bool
	err   error
}

// Resolver returns a resolver of the container flags; it reads /etc/vz
// only when an argument needs it.
func (f *Flags) Resolver(n node.Node, t node.Tracer) *Resolver {
	return &Resolver{f: f, n: n, t: t}
}

// LookupNames looks up, before the table is read, the names among the
// --ctid arguments that vzctl would not take for an ID, so that a read in
// one pass knows whose rows to keep (Keep). A failed lookup is reported
// by Resolve, and only if the table does not list the argument itself.
// Arguments shaped like IDs are looked up as names only if Resolve finds
// them missing from the table, as before: that spares reading every
// config for "--ctid 204".
func (r *Resolver) LookupNames() {
	r.keep = map[string]bool{}
	for _, arg := range r.f.CTID {
		r.keep[arg] = true
		if !node.ValidCTID(arg) {
			if id, found, _ := r.name(arg); found {
				r.keep[id] = true
			}
		}
	}
}

// Keep reports whether the container may be one that --ctid names, as far
// as LookupNames can tell: a --ctid argument, or the container a name
// among them leads to.
func (r *Resolver) Keep(id string) bool { return r.keep[id] }

// name is LookupName, asked once per argument.
func (r *Resolver) name(arg string) (string, bool, error) {
	l, ok := r.names[arg]
	if !ok {
		l.id, l.found, l.err = r.n.LookupName(r.t, arg)
		if r.names == nil {
			r.names = map[string]nameLookup{}
		}
		r.names[arg] = l
	}
	return l.id, l.found, l.err
}

// Resolve maps the container arguments to IDs against the table's
// listing. A container named with --ctid that the table does not list is
// an error: it is not running.
func (r *Resolver) Resolve(l *Listing) (*Selection, error) {
	n, t := r.n, r.t
	s := &Selection{Resources: r.f.Resources()}
	for _, arg := range r.f.CTID {
		id, err := r.resolve(l, arg)
		if err != nil {
			return nil, err
		}
		if !l.Has(id) {
			if _, err := n.Config(t, id); node.NoConfig(err) {
				return nil, NoContainer(n, t, arg, id, err, l.IDs)
			}
			return nil, &hint.Error{Msg: fmt.Sprintf("%s is not running (no beancounters in %s)", CTLabel(id, n.NewNames(t).Of(id)), l.Source),
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
	for _, arg := range r.f.ExcludeCTID {
		id, err := r.resolve(l, arg)
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
// runs or not: a running ID (listed in l, the beancounter table or
// whatever lists the running containers), a vzctl name, or an ID-shaped
// argument.
func ResolveOne(n node.Node, t node.Tracer, l *Listing, arg string) (string, error) {
	return (&Resolver{n: n, t: t}).resolve(l, arg)
}

// resolve maps one argument: an ID in the table, else a vzctl name, else
// a valid container ID is taken as a container that is not running (the
// caller tells whether it exists).
func (r *Resolver) resolve(l *Listing, arg string) (string, error) {
	if l.Has(arg) {
		return arg, nil
	}
	id, found, err := r.name(arg)
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
		text.Clean(arg, 64), l.Source, r.n.Path("etc/vz/names"), r.n.Path("etc/vz/conf")),
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
