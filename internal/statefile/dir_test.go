package statefile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/statefile"
)

// useDefaultDir points DefaultDir at dir for the test.
func useDefaultDir(t *testing.T, dir string) {
	t.Helper()
	old := statefile.DefaultDir
	statefile.DefaultDir = dir
	t.Cleanup(func() { statefile.DefaultDir = old })
}

// A plain --state-file name is a file in the user's own directory;
// anything else stays the path it is ("." and ".." are not names).
func TestResolve(t *testing.T) {
	useDefaultDir(t, "/var/lib/check_ubc")
	user := "/var/lib/check_ubc/" + strconv.Itoa(os.Geteuid())
	if got := statefile.UserDir(); got != user {
		t.Fatalf("UserDir() = %q, want %q", got, user)
	}
	for in, want := range map[string]string{
		"ct204.json":  user + "/ct204.json",
		"...":         user + "/...",
		"..":          "..",
		".":           ".",
		"":            "",
		"/tmp/x.json": "/tmp/x.json",
		"a/x.json":    "a/x.json",
		"./x.json":    "./x.json",
	} {
		if got := statefile.Resolve(in); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
	}
}

// Root creates the shared directory 0755 (the other users walk through
// it to theirs) and its own 0700, whatever the umask.
func TestRootCreatesSharedAndOwnDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: only root creates the shared directory")
	}
	base := filepath.Join(t.TempDir(), "check_ubc")
	useDefaultDir(t, base)
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	if err := save(statefile.Resolve("x.json"), sampleState(t)); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]os.FileMode{base: 0o755, filepath.Join(base, "0"): 0o700} {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, mode %v, want %v", dir, err, fi.Mode().Perm(), want)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "0", "x.json")); err != nil {
		t.Fatal(err)
	}
}

// A shared directory that another user made (the monitoring user, with
// file capabilities, under the recipe before per-user directories) is
// refused by root, saying how to fix it; nothing is created below it.
func TestSharedDirOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	base := filepath.Join(t.TempDir(), "check_ubc")
	useDefaultDir(t, base)
	if err := os.Mkdir(base, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(base, 65534, 65534); err != nil {
		t.Skip("chown:", err)
	}
	err := save(statefile.Resolve("x.json"), sampleState(t))
	var he *hint.Error
	if !errors.As(err, &he) || !strings.Contains(he.Msg, "owned by uid 65534") ||
		!strings.Contains(strings.Join(he.Hints, " "), "install -d -o root -g root -m 0755 "+base) {
		t.Fatalf("got %#v", err)
	}
	if _, err := os.Lstat(filepath.Join(base, "0")); err == nil {
		t.Error("created root's directory below it")
	}
}
