package checkubc_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/nodegen"
)

// --list lists containers only: <ID>.conf regular files with a valid
// container ID (and Virtuozzo 7's symlink to <private>/ve.conf), running
// containers; a config that does not parse carries an error instead of a
// made-up onboot; names are the real ones, escaped by JSON (issue 10 item
// 14).
func TestListOnlyContainers(t *testing.T) {
	evil := "web1 | 'x'=1;2;3 \x1b[31m\t\"quoted\" <b>"
	n := nodegen.Incident204()
	for i := range n.Cts {
		if n.Cts[i].ID == "204" {
			for j, v := range n.Cts[i].Conf {
				if v.Key == "NAME" {
					n.Cts[i].Conf[j].Value = strings.ReplaceAll(evil, `"`, `\"`) // as vzctl writes it
				}
			}
		}
	}
	n.Files = map[string]string{
		"etc/vz/conf/vps.basic.conf":          "ONBOOT=\"yes\"\n",
		"etc/vz/conf/ve-vswap.conf-sample":    "ONBOOT=\"yes\"\n",
		"etc/vz/conf/old-101.conf":            "ONBOOT=\"yes\"\n",
		"etc/vz/conf/0204.conf":               "ONBOOT=\"yes\"\n",
		"etc/vz/conf/211.conf/x":              "",
		"etc/vz/conf/212.conf":                "symlink:207.conf", // an alias of another config
		"etc/vz/conf/213.conf":                "NAME=\"broken\nONBOOT=yes\n",
		"etc/vz/conf/214.conf":                "symlink:../../../vz/private/214/ve.conf", // Virtuozzo 7 registration
		"vz/private/214/ve.conf":              "NAME=\"vz7ct\"\nONBOOT=\"yes\"\n",
		"etc/vz/conf/215.conf":                "symlink:../../../vz/private/215/ve.conf", // its private area not mounted
		"etc/vz/conf/216.conf.destroyed":      "ONBOOT=\"yes\"\n",
		"etc/vz/conf/7f3e2d1c-0b9a-4876.conf": "ONBOOT=\"yes\"\n",
	}
	root := filepath.Join(t.TempDir(), "node")
	checktest.WriteNode(t, root, n.Write)
	out, code := checktest.Run(checkubc.New(), "--root", root, "--list")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var got []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		State  string `json:"state"`
		OnBoot *bool  `json:"onboot"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	var ids []string
	byID := map[string]int{}
	for i, l := range got {
		ids = append(ids, l.ID)
		byID[l.ID] = i
	}
	// 215 is a container whose private area is not mounted: listed, with
	// the error, not left out.
	if strings.Join(ids, " ") != "201 202 203 204 205 206 207 213 214 215" || !strings.Contains(got[byID["215"]].Error, "which does not exist (is the private area's filesystem mounted?)") {
		t.Errorf("listed %v:\n%s", ids, out)
	}
	if l := got[byID["204"]]; l.Name != evil || l.State != "running" || l.OnBoot == nil || !*l.OnBoot {
		t.Errorf("204: %+v, name want %q", l, evil)
	}
	if l := got[byID["213"]]; l.OnBoot != nil || !strings.Contains(l.Error, "213.conf line 1") || l.State != "stopped" {
		t.Errorf("213 (unparsable): %+v", l)
	}
	if l := got[byID["214"]]; l.Name != "vz7ct" || l.OnBoot == nil || !*l.OnBoot {
		t.Errorf("214 (VZ7 link): %+v", l)
	}
	if strings.ContainsAny(out, "\x1b\t") {
		t.Errorf("raw control bytes in the JSON:\n%q", out)
	}
}

// --list --format icinga2 and director carry every container's ID for the
// node's Host object (issue 14 item 6); the flags that make no sense
// together are refused, naming the flag.
func TestListFormats(t *testing.T) {
	root := filepath.Join(checktest.RepoRoot(t), "testdata", "nodes", "incident-204")
	ids := `"201", "202", "203", "204", "205", "206", "207"`
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"icinga2", []string{"--list", "--format", "icinga2", "--host-name", "node1.example.com"}, 0,
			"template Host \"vzmon-containers-node1.example.com\" {\n\tvars.openvz_containers = [ " + ids + " ]\n}\n"},
		{"icinga2 quotes the host name", []string{"--list", "--format", "icinga2", "--host-name", `n"1\x`}, 0,
			`template Host "vzmon-containers-n\"1\\x" {`},
		{"director", []string{"--list", "--format=director", "--host-name", "node1"}, 0,
			`[{"host":"node1","openvz_containers":[` + strings.ReplaceAll(ids, " ", "") + `]}]`},
		{"format without list", []string{"--format", "icinga2", "--host-name", "n"}, 3, "--format goes with --list"},
		{"no host name", []string{"--list", "--format", "director"}, 3, "--format director needs --host-name"},
		{"host name with json", []string{"--list", "--host-name", "n"}, 3, "--host-name goes with --list --format icinga2 or director"},
		{"host name with !", []string{"--list", "--format", "icinga2", "--host-name", "a!b"}, 3, `--host-name "a!b": an Icinga object name has no control characters and no '!'`},
		{"unknown format", []string{"--list", "--format", "yaml", "--host-name", "n"}, 3, "--format must be one of"},
	}
	for _, tc := range cases {
		out, code := checktest.Run(checkubc.New(), append([]string{"--root", root}, tc.args...)...)
		got := out
		if tc.name == "director" {
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%s: %v\n%s", tc.name, err, out)
			}
			b, _ := json.Marshal(v)
			got = string(b)
		}
		if code != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", tc.name, code, tc.code, tc.want, out)
		}
	}
}
