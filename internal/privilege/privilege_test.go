package privilege_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/privilege"
)

func TestGuardWithoutPrivileges(t *testing.T) {
	if elevated, _ := privilege.Elevated(); elevated {
		t.Skip("the test itself runs elevated")
	}
	if err := privilege.Guard(privilege.Path{Flag: "--root", Value: "/tmp/x", Default: "/"}); err != nil {
		t.Fatalf("refused without privileges: %v", err)
	}
}

// Under sudo for another user, Guard keeps --root at /, a directory flag
// at its default, and a state file directly in its directory or a plain
// name (which the plugin places there).
func TestGuardUnderSudo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: SUDO_UID only counts for a root process")
	}
	t.Setenv("SUDO_UID", "65534")
	const dir = "/var/lib/check_ubc/0"
	file := func(v string) privilege.Path { return privilege.Path{Flag: "--state-file", Value: v, Dir: dir} }
	for _, c := range []struct {
		p    privilege.Path
		want string // "" accepted, else in the error
	}{
		{privilege.Root(""), ""},
		{privilege.Root("/"), ""},
		{privilege.Root("/tmp/node"), `refusing --root "/tmp/node": the plugin runs with privileges its caller lacks (run as root for SUDO_UID=65534), so paths must stay the default (/)`},
		{privilege.Path{Flag: "--state-dir", Value: dir, Default: dir}, ""},
		{privilege.Path{Flag: "--state-dir", Value: "/var/lib/check_ubc", Default: dir}, "paths must stay the default (/var/lib/check_ubc/0)"},
		{file(""), ""},
		{file("ct204.json"), ""},
		{file("..."), ""},
		{file(dir + "/ct204.json"), ""},
		{file(".."), "refusing --state-file"},
		{file("."), "refusing --state-file"},
		{file("a/x.json"), "refusing --state-file"},
		{file("/var/lib/check_ubc/x.json"), "directly in /var/lib/check_ubc/0 (or a plain file name)"},
		{file(dir + "/a/x.json"), "refusing --state-file"},
		{file(dir + "/../1/x.json"), "refusing --state-file"},
	} {
		err := privilege.Guard(c.p)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %q refused: %v", c.p.Flag, c.p.Value, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %q: got %v, want %q", c.p.Flag, c.p.Value, err, c.want)
		}
	}
}

// The built plugins refuse caller-chosen paths when run as root for
// another user (what sudo sets up), and accept the defaults.
func TestPluginsRefuseCallerPathsUnderSudo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: SUDO_UID only counts for a root process")
	}
	root := checktest.RepoRoot(t)
	node := filepath.Join(root, "testdata", "nodes", "incident-204")
	cases := []struct {
		plugin string
		args   []string
		refuse string
	}{
		{"check_ubc", []string{"--root", node}, "refusing --root"},
		{"check_ubc", []string{"--root", "/"}, ""},
		{"check_ubc_failcnt", []string{"--state-file", "/etc/shadow"}, "refusing --state-file"},
		{"check_ubc_failcnt", []string{"--state-file", "/var/lib/check_ubc/../../etc/passwd"}, "refusing --state-file"},
		{"check_ubc_failcnt", []string{"--state-dir", "/tmp"}, "refusing --state-dir"},
		{"check_vz_container", []string{"--ctid", "1", "--root", node}, "refusing --root"},
		{"check_vz_container", []string{"--ctid", "1", "--state-file", "/root/x"}, "refusing --state-file"},
	}
	for _, c := range cases {
		cmd := exec.Command(checktest.Binary(t, c.plugin), c.args...)
		cmd.Env = append(os.Environ(), "SUDO_UID=65534")
		out, _ := cmd.CombinedOutput()
		code := cmd.ProcessState.ExitCode()
		switch {
		case c.refuse != "" && (code != 3 || !strings.Contains(string(out), c.refuse)):
			t.Errorf("%s %v: exit %d, want %q:\n%s", c.plugin, c.args, code, c.refuse, out)
		case c.refuse == "" && strings.Contains(string(out), "refusing"):
			t.Errorf("%s %v refused a default path:\n%s", c.plugin, c.args, out)
		}
	}
	// Root without sudo may use any path.
	out, _ := exec.Command(checktest.Binary(t, "check_ubc"), "--root", node).CombinedOutput()
	if strings.Contains(string(out), "refusing") {
		t.Fatalf("root refused:\n%s", out)
	}
}
