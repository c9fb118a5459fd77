package statefile_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/statefile"
)

func sampleState(t *testing.T) *statefile.State {
	t.Helper()
	st, err := statefile.Decode([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// save runs a store as a check does: open, lock, load, save.
func save(path string, st *statefile.State) error {
	s, err := statefile.Open(path)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Lock(context.Background()); err != nil {
		return err
	}
	if _, _, _, err := s.Load(time.Now()); err != nil {
		return err
	}
	return s.Save(st)
}

// openLocked opens and locks a store, closed when the test ends.
func openLocked(t *testing.T, path string) *statefile.Store {
	t.Helper()
	s, err := statefile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// Open refuses a state directory reached through anything another user
// could change, and never creates anything outside the directory it
// checked.
func TestOpenRefuses(t *testing.T) {
	cases := []struct {
		name  string
		setup func(base string) string // returns the state file path
		want  string
	}{
		{"symlink in the middle of the path", func(base string) string {
			os.Mkdir(filepath.Join(base, "real"), 0o700)
			os.Symlink(filepath.Join(base, "real"), filepath.Join(base, "link"))
			return filepath.Join(base, "link", "state", "x.json")
		}, "is a symlink"},
		{"the state directory is a symlink", func(base string) string {
			os.Mkdir(filepath.Join(base, "real"), 0o700)
			os.Symlink(filepath.Join(base, "real"), filepath.Join(base, "state"))
			return filepath.Join(base, "state", "x.json")
		}, "is a symlink"},
		{"a parent writable by others without the sticky bit", func(base string) string {
			os.Mkdir(filepath.Join(base, "open"), 0o777)
			os.Chmod(filepath.Join(base, "open"), 0o777)
			return filepath.Join(base, "open", "state", "x.json")
		}, "writable by group or others"},
		{"the state file is a FIFO (no hang)", func(base string) string {
			os.Mkdir(filepath.Join(base, "state"), 0o700)
			syscall.Mkfifo(filepath.Join(base, "state", "x.json"), 0o600)
			return filepath.Join(base, "state", "x.json")
		}, "not a regular file"},
		{"the lock file is a symlink", func(base string) string {
			os.Mkdir(filepath.Join(base, "state"), 0o700)
			os.Symlink(filepath.Join(base, "elsewhere"), filepath.Join(base, "state", "x.json.lock"))
			return filepath.Join(base, "state", "x.json")
		}, "is a symlink"},
		{"the state file has a second hard link", func(base string) string {
			os.Mkdir(filepath.Join(base, "state"), 0o700)
			os.WriteFile(filepath.Join(base, "state", "other"), []byte("{}"), 0o600)
			os.Link(filepath.Join(base, "state", "other"), filepath.Join(base, "state", "x.json"))
			return filepath.Join(base, "state", "x.json")
		}, "hard links"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			path := c.setup(base)
			err := save(path, sampleState(t))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
			if _, err := os.Stat(filepath.Join(base, "real", "state")); err == nil {
				t.Error("created a directory through the symlink")
			}
			if _, err := os.Lstat(filepath.Join(base, "elsewhere")); err == nil {
				t.Error("created the symlink's target")
			}
		})
	}
}

// A parent owned by another user (not root) is refused: that user could
// swap what lies below it.
func TestOpenRefusesParentOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	base := t.TempDir()
	other := filepath.Join(base, "other")
	os.Mkdir(other, 0o755)
	if err := os.Chown(other, 65534, 65534); err != nil {
		t.Skip("chown:", err)
	}
	err := save(filepath.Join(other, "state", "x.json"), sampleState(t))
	if err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "state")); err == nil {
		t.Error("created the state directory below it")
	}
}

// Once open, the store works through the directory it checked: a symlink
// swapped in for the directory afterwards (between check and use) does not
// redirect the write.
func TestSwapAfterOpenDoesNotRedirect(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "state")
	victim := filepath.Join(base, "victim")
	os.Mkdir(victim, 0o700)
	s := openLocked(t, filepath.Join(dir, "x.json"))
	if err := os.Rename(dir, filepath.Join(base, "moved")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(sampleState(t)); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(victim); len(entries) != 0 {
		t.Fatalf("wrote through the swapped-in symlink: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(base, "moved", "x.json")); err != nil {
		t.Fatalf("the state is not in the directory that was checked: %v", err)
	}
}

// A waiter that times out names the lock and the pid of its holder.
func TestLockTimeoutNamesHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "x.json")
	openLocked(t, path)
	waiter, err := statefile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer waiter.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = waiter.Lock(ctx)
	var se *hint.Error
	if err == nil || !strings.Contains(err.Error(), path+".lock") {
		t.Fatalf("got %v", err)
	}
	if !errors.As(err, &se) || !strings.Contains(strings.Join(se.Hints, " "), "names pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("hint does not name the holder: %#v", err)
	}
	if waiter.Holder() != os.Getpid() {
		t.Fatalf("Holder() = %d", waiter.Holder())
	}
}
