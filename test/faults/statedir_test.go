package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
)

// capState is a check_ubc_failcnt with file capabilities, as the packages
// install it, built to keep its state in a test directory laid out as the
// packages lay out /var/lib/check_ubc: state is root's, 0755, and the
// plugin creates user nobody's (the monitoring user's) directory in it.
type capState struct {
	bin, state, user, victim string
}

// newCapState builds the copy and runs it once with the defaults, which
// must create nobody's state directory; it skips where file capabilities
// cannot be set (the filesystem refuses security.capability, or not root).
func newCapState(t *testing.T) capState {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: sets file capabilities and runs the plugin as user nobody")
	}
	base := sharedDir(t, "vzmon-capstate-") // root-owned 0755, like /var/lib
	c := capState{bin: filepath.Join(base, "check_ubc_failcnt"), state: filepath.Join(base, "state"), victim: filepath.Join(base, "victim")}
	c.user = filepath.Join(c.state, "65534")
	// The shared state directory, as the packages create it.
	if err := os.Mkdir(c.state, 0o755); err != nil {
		t.Fatal(err)
	}
	// victim stands for /etc: root-owned, not writable by nobody.
	if err := os.Mkdir(c.victim, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", c.bin,
		"-ldflags", "-X github.com/vzmon/vzmon/internal/statefile.DefaultDir="+c.state, "./cmd/check_ubc_failcnt")
	cmd.Dir = checktest.RepoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	os.Chmod(c.bin, 0o755)
	// cap_dac_override,cap_dac_read_search+ep (VFS_CAP_REVISION_2).
	capData := []byte{0x01, 0x00, 0x00, 0x02, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if err := syscall.Setxattr(c.bin, "security.capability", capData, 0); err != nil {
		t.Skipf("cannot set file capabilities on %s (%v): setcap does not work on this filesystem", base, err)
	}
	// The copy must really run elevated as nobody, or the test proves nothing.
	if out, _ := c.run("--root", base); !strings.Contains(out, "refusing --root") || !strings.Contains(out, "file capabilities") {
		t.Fatalf("the capability copy does not run elevated as nobody (no_new_privs, or capabilities ignored):\n%s", out)
	}
	// The first default run creates nobody's own directory, 0700, and its
	// lock file there. (It then reads the beancounters, which this machine
	// does not have: --root is refused under raised privileges.)
	out, _ := c.run()
	if strings.Contains(out, "refusing") {
		t.Fatalf("the default state path was refused:\n%s", out)
	}
	ownedByNobody(t, c.user, 0o700|os.ModeDir)
	locks, _ := filepath.Glob(filepath.Join(c.user, "failcnt-*.json.lock"))
	if len(locks) != 1 {
		t.Fatalf("no lock file in %s after a default run:\n%s", c.user, out)
	}
	ownedByNobody(t, locks[0], 0o600)
	return c
}

// ownedByNobody fails unless path is user nobody's with exactly mode.
func ownedByNobody(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil || fi.Sys().(*syscall.Stat_t).Uid != 65534 || fi.Mode() != mode {
		t.Fatalf("%s: %v %v, want owned by nobody with mode %v", path, err, fi, mode)
	}
}

// run runs the copy as user nobody.
func (c capState) run(args ...string) (string, int) {
	return c.runAs(asNobody, args...)
}

// runAs runs the copy with these credentials (nil: as root).
func (c capState) runAs(cred *syscall.SysProcAttr, args ...string) (string, int) {
	cmd := exec.Command(c.bin, args...)
	cmd.SysProcAttr = cred
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// symlinkAsNobody makes a symlink as user nobody would: the attacker owns it.
func symlinkAsNobody(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 65534, 65534); err != nil {
		t.Fatal(err)
	}
}

// victimEmpty fails when anything was created in the root-owned directory.
func (c capState) victimEmpty(t *testing.T) {
	t.Helper()
	if entries, _ := os.ReadDir(c.victim); len(entries) != 0 {
		t.Fatalf("created in the root-owned directory: %v", entries)
	}
}

// Issue 10, item 1: with file capabilities the monitoring user owns its
// state directory and could plant a symlink in it; a --state-file below
// it then made the plugin create directories (and files) anywhere with
// CAP_DAC_OVERRIDE. Every variant must be refused, with nothing created
// outside the state directory; so must state in the shared directory or
// another user's.
func TestCapabilityStateDirCannotBeEscaped(t *testing.T) {
	c := newCapState(t)
	cases := []struct {
		name  string
		setup func()
		args  []string
		want  string
	}{
		{"the reported attack: a symlinked subdirectory", func() {
			symlinkAsNobody(t, c.victim, filepath.Join(c.user, "a"))
		}, []string{"--state-file", filepath.Join(c.user, "a", "evil.d", "x.json")}, "refusing --state-file"},
		{"a symlinked parent of the state file", func() {
			symlinkAsNobody(t, c.victim, filepath.Join(c.user, "b"))
		}, []string{"--state-file", filepath.Join(c.user, "b", "x.json")}, "refusing --state-file"},
		{"dot-dot out of the state directory", nil,
			[]string{"--state-file", c.user + "/../../victim/x.json"}, "refusing --state-file"},
		{"dot-dot through a symlink back into it", func() {
			symlinkAsNobody(t, c.victim, filepath.Join(c.user, "c"))
		}, []string{"--state-file", c.user + "/c/../x.json"}, "refusing --state-file"},
		{"dot-dot as a plain name", nil, []string{"--state-file", ".."}, "refusing --state-file"},
		// The node is read (and here found missing) before the state file
		// is opened; internal/statefile's tests refuse the symlink itself.
		{"the state file is a symlink", func() {
			symlinkAsNobody(t, filepath.Join(c.victim, "x.json"), filepath.Join(c.user, "x.json"))
		}, []string{"--state-file", filepath.Join(c.user, "x.json")}, "UNKNOWN"},
		{"the lock file is a symlink", func() {
			symlinkAsNobody(t, filepath.Join(c.victim, "y.lock"), filepath.Join(c.user, "y.json.lock"))
		}, []string{"--state-file", filepath.Join(c.user, "y.json")}, "is a symlink"},
		{"the lock file of a plain name is a symlink", func() {
			symlinkAsNobody(t, filepath.Join(c.victim, "z.lock"), filepath.Join(c.user, "z.json.lock"))
		}, []string{"--state-file", "z.json"}, "is a symlink"},
		{"another state directory", nil, []string{"--state-dir", c.victim}, "refusing --state-dir"},
		{"the shared directory", nil, []string{"--state-file", filepath.Join(c.state, "x.json")}, "refusing --state-file"},
		{"the shared directory as --state-dir", nil, []string{"--state-dir", c.state}, "refusing --state-dir"},
		{"root's directory", nil, []string{"--state-file", filepath.Join(c.state, "0", "x.json")}, "refusing --state-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			out, code := c.run(tc.args...)
			if code != 3 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want UNKNOWN with %q:\n%s", code, tc.want, out)
			}
			c.victimEmpty(t)
			if entries, _ := os.ReadDir(c.state); len(entries) != 1 {
				t.Fatalf("created in the shared directory: %v", entries)
			}
		})
	}
	// A plain name is a file in nobody's directory.
	out, _ := c.run("--state-file", "ct204.json")
	if strings.Contains(out, "refusing") {
		t.Fatalf("a plain --state-file name was refused:\n%s", out)
	}
	ownedByNobody(t, filepath.Join(c.user, "ct204.json.lock"), 0o600)
}

// Issue 13, item 4: root (cron, an admin by hand) and the monitoring user
// (file capabilities) both run with the default state, in either order,
// each in its own directory: nobody is locked out by a directory another
// made, and nobody shares another's state.
func TestStateDirPerUser(t *testing.T) {
	c := newCapState(t) // nobody first, in the packages' layout
	node := filepath.Join(checktest.RepoRoot(t), "testdata", "nodes", "incident-204")
	rootRun := func() {
		t.Helper()
		out, code := c.runAs(nil, "--root", node)
		if code != 0 || !strings.Contains(out, "baseline recorded") {
			t.Fatalf("root: exit %d:\n%s", code, out)
		}
	}
	rootRun()
	states, _ := filepath.Glob(filepath.Join(c.state, "0", "failcnt-*.json"))
	if len(states) != 1 {
		t.Fatalf("root's state is not in %s/0: %v", c.state, states)
	}
	// Root first, with no shared directory yet (make install without the
	// packages): root creates it 0755, and nobody then makes its own.
	if err := os.RemoveAll(c.state); err != nil {
		t.Fatal(err)
	}
	rootRun()
	if fi, err := os.Stat(c.state); err != nil || fi.Mode() != 0o755|os.ModeDir || fi.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Fatalf("%s made by root: %v %v, want root's, 0755", c.state, err, fi)
	}
	if out, _ := c.run(); strings.Contains(out, "refusing") {
		t.Fatalf("nobody after root was refused:\n%s", out)
	}
	ownedByNobody(t, c.user, 0o700|os.ModeDir)
}

// The layouts a capability run must not create or walk into: no shared
// directory (only root creates it: made by nobody it would lock root
// out), and the recipe before per-user directories, where nobody owned
// the shared directory and so could plant its own directory there as a
// symlink.
func TestCapabilitySharedStateDir(t *testing.T) {
	c := newCapState(t)
	if err := os.RemoveAll(c.state); err != nil {
		t.Fatal(err)
	}
	out, code := c.run()
	if code != 3 || !strings.Contains(out, "state directory "+c.state+" does not exist") || !strings.Contains(out, "install -d -o root -g root -m 0755 "+c.state) {
		t.Errorf("without the shared directory: exit %d:\n%s", code, out)
	}
	if _, err := os.Lstat(c.state); err == nil {
		t.Fatalf("a capability run as nobody created %s", c.state)
	}
	// The old recipe: install -d -o nagios -g nagios -m 0700 /var/lib/check_ubc.
	if err := os.Mkdir(c.state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(c.state, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	symlinkAsNobody(t, c.victim, c.user)
	out, code = c.run()
	if code != 3 || !strings.Contains(out, "refusing "+c.user+": it is a symlink") {
		t.Errorf("a symlinked per-user directory: exit %d:\n%s", code, out)
	}
	c.victimEmpty(t)
}

// A symlink swapped in and out of the state directory while runs go on
// (between any check and any use) never lets a run write outside it.
func TestCapabilityStateDirSwapRace(t *testing.T) {
	c := newCapState(t)
	lock := filepath.Join(c.user, "r.json.lock")
	file := filepath.Join(c.user, "r.json")
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; !stop.Load(); i++ {
			for _, p := range []string{lock, file} {
				os.Remove(p)
				if i%2 == 0 {
					os.Symlink(filepath.Join(c.victim, filepath.Base(p)), p)
				}
			}
		}
	}()
	runs := 40
	if testing.Short() {
		runs = 15
	}
	for i := 0; i < runs; i++ {
		c.run("--state-file", file, "-t", "2")
	}
	stop.Store(true)
	<-done
	c.victimEmpty(t)
}
