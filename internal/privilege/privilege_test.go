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
