package selection_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkct"
	"github.com/vzmon/vzmon/internal/checkfailcnt"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/selection"
)

// An empty item in a container or resource list (an unset Nagios macro in
// "--ctid $ARG1$") is a usage error in every plugin, never "all
// containers" (issue 10 item 10). kong's own splitting dropped such items.
func TestEmptyItemsAreUsageErrors(t *testing.T) {
	root := filepath.Join(checktest.RepoRoot(t), "testdata", "nodes", "incident-204")
	apps := map[string]func() *check.App{
		"check_ubc":          checkubc.New,
		"check_ubc_failcnt":  checkfailcnt.New,
		"check_vz_container": checkct.New,
	}
	for _, c := range []struct {
		plugins []string
		args    []string
	}{
		{[]string{"check_ubc", "check_ubc_failcnt", "check_vz_container"}, []string{"--ctid", ""}},
		{[]string{"check_ubc", "check_ubc_failcnt", "check_vz_container"}, []string{"--ctid", ","}},
		{[]string{"check_ubc", "check_ubc_failcnt", "check_vz_container"}, []string{"--ctid", "204,"}},
		{[]string{"check_ubc", "check_ubc_failcnt", "check_vz_container"}, []string{"--ctid", " "}},
		{[]string{"check_ubc", "check_ubc_failcnt", "check_vz_container"}, []string{"--ctid=", "--resource", "numproc"}},
		{[]string{"check_ubc", "check_ubc_failcnt"}, []string{"--ctid", "204", "--ctid", ""}},
		{[]string{"check_ubc", "check_ubc_failcnt"}, []string{"--ctid", ",204"}},
		{[]string{"check_ubc", "check_ubc_failcnt"}, []string{"--exclude-ctid", ""}},
		{[]string{"check_ubc", "check_ubc_failcnt"}, []string{"--exclude-ctid", "204,,205"}},
		{[]string{"check_ubc", "check_ubc_failcnt", "check_vz_container"}, []string{"--ctid", "204", "--resource", ""}},
		{[]string{"check_ubc", "check_ubc_failcnt", "check_vz_container"}, []string{"--ctid", "204", "--exclude-resource", "numproc,"}},
		{[]string{"check_vz_container"}, []string{"--ctid", "204,205"}},
	} {
		for _, name := range c.plugins {
			args := append([]string{"--root", root}, c.args...)
			if name == "check_ubc_failcnt" {
				args = append(args, "--state-dir", t.TempDir())
			}
			out, code := checktest.Run(apps[name](), args...)
			if code != 3 || !strings.Contains(out, "invalid arguments: --") {
				t.Errorf("%s %q: exit %d, want a usage error:\n%s", name, c.args, code, out)
			}
		}
	}
	// Lists still work, given either way.
	for _, args := range [][]string{{"--ctid", "204,203"}, {"--ctid", "204", "--ctid", "203"}, {"--ctid", "204,dns1", "--resource", "numproc,tcpsndbuf"}} {
		out, code := checktest.Run(checkubc.New(), append([]string{"--root", root}, args...)...)
		if code != 2 || !strings.Contains(out, "(2 containers checked)") {
			t.Errorf("%q: exit %d:\n%s", args, code, out)
		}
	}
}

// The state key is the same however a list is written, so a state file
// is not orphaned by writing "--ctid 205,204" as two flags.
func TestKeyOfSplitLists(t *testing.T) {
	a := &selection.Flags{CTID: []string{"205,204"}, Resource: []string{"numproc"}}
	b := &selection.Flags{CTID: []string{"204", "205"}, Resource: []string{"numproc"}}
	for _, f := range []*selection.Flags{a, b} {
		if err := f.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	if a.Key() != b.Key() || a.Key() != "ct=204,205;xct=;res=numproc;xres=" {
		t.Errorf("keys %q and %q", a.Key(), b.Key())
	}
}

// A NAME in two configs is ambiguous unless etc/vz/names decides; a
// Virtuozzo 7 names link to <private>/ve.conf carries no ID, so NAME=
// decides (issue 10 item 15).
func TestAmbiguousName(t *testing.T) {
	const uuid = "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f"
	n := nodegen.Incident204()
	for i := range n.Cts {
		if n.Cts[i].ID == "205" {
			for j, v := range n.Cts[i].Conf {
				if v.Key == "NAME" {
					n.Cts[i].Conf[j].Value = "web1"
				}
			}
		}
	}
	root := filepath.Join(t.TempDir(), "node")
	checktest.WriteNode(t, root, n.Write)
	// names/web1 -> 204.conf decides.
	for _, app := range []*check.App{checkct.New(), checkubc.New()} {
		out, _ := checktest.Run(app, "--root", root, "--ctid", "web1")
		if !strings.Contains(out, "CT 204 (web1)") || strings.Contains(out, "ambiguous") {
			t.Errorf("%s with names/web1: %s", app.Name, out)
		}
	}
	if err := os.Remove(filepath.Join(root, "etc", "vz", "names", "web1")); err != nil {
		t.Fatal(err)
	}
	for _, app := range []*check.App{checkct.New(), checkubc.New()} {
		out, code := checktest.Run(app, "--root", root, "--ctid", "web1")
		if code != 3 || !strings.Contains(out, "UNKNOWN - name web1 is ambiguous (204, 205)") {
			t.Errorf("%s without names/web1: exit %d:\n%s", app.Name, code, out)
		}
	}
	// check_ubc --exclude-ctid resolves names the same way.
	if out, code := checktest.Run(checkubc.New(), "--root", root, "--exclude-ctid", "web1"); code != 3 || !strings.Contains(out, "ambiguous") {
		t.Errorf("--exclude-ctid: exit %d:\n%s", code, out)
	}

	vz7 := filepath.Join(t.TempDir(), "vz7")
	checktest.WriteNode(t, vz7, nodegen.VZ7UUID().Write)
	link := filepath.Join(vz7, "etc", "vz", "names", "app1")
	os.Remove(link)
	if err := os.Symlink("/vz/private/"+uuid+"/ve.conf", link); err != nil {
		t.Fatal(err)
	}
	out, code := checktest.Run(checkct.New(), "--root", vz7, "--ctid", "app1", "--skip", "tasks")
	if code != 1 || !strings.Contains(out, "CT "+uuid+" (app1)") || !strings.Contains(out, "numproc 92.5% of barrier") {
		t.Errorf("VZ7 names link: exit %d:\n%s", code, out)
	}
}

// The resource filter needs nothing resolved (check_vz_container uses it
// alone); --exclude-resource wins over --resource.
func TestResources(t *testing.T) {
	for _, tt := range []struct {
		only, excluded []string
		want           map[string]bool
	}{
		{nil, nil, map[string]bool{"numproc": true, "physpages": true}},
		{[]string{"numproc"}, nil, map[string]bool{"numproc": true, "physpages": false}},
		{nil, []string{"numproc"}, map[string]bool{"numproc": false, "physpages": true}},
		{[]string{"numproc", "physpages"}, []string{"numproc"}, map[string]bool{"numproc": false, "physpages": true}},
	} {
		f := &selection.Flags{Resource: tt.only, ExcludeResource: tt.excluded}
		if err := f.Validate(); err != nil {
			t.Fatal(err)
		}
		r := f.Resources()
		for name, want := range tt.want {
			if got := r.Resource(name); got != want {
				t.Errorf("--resource %v --exclude-resource %v: %s selected %v, want %v", tt.only, tt.excluded, name, got, want)
			}
		}
		if got := len(r.NamedResources()); got != len(tt.only) {
			t.Errorf("--resource %v: %d named", tt.only, got)
		}
	}
}
