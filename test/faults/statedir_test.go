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

// capState is a check_ubc_failcnt with file capabilities, as the README's
// setcap recipe makes it, built to keep its state in a test directory
// owned by user nobody (the monitoring user of the recipe).
type capState struct {
	bin, state, victim string
}

// newCapState builds the copy, or skips where file capabilities cannot be
// set (the filesystem refuses security.capability, or not root).
func newCapState(t *testing.T) capState {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: sets file capabilities and runs the plugin as user nobody")
	}
	base := sharedDir(t, "vzmon-capstate-") // root-owned 0755, like /var/lib
	c := capState{bin: filepath.Join(base, "check_ubc_failcnt"), state: filepath.Join(base, "state"), victim: filepath.Join(base, "victim")}
	// The state directory of the recipe: owned by the monitoring user.
	if err := os.Mkdir(c.state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(c.state, 65534, 65534); err != nil {
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
	return c
}

// run runs the copy as user nobody.
func (c capState) run(args ...string) (string, int) {
	cmd := exec.Command(c.bin, args...)
	cmd.SysProcAttr = asNobody
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

// Issue 10, item 1: with the capability recipe, the monitoring user owns
// the state directory and could plant a symlink in it; a --state-file
// below it then made the plugin create directories (and files) anywhere
// with CAP_DAC_OVERRIDE. Every variant must be refused, with nothing
// created outside the state directory.
func TestCapabilityStateDirCannotBeEscaped(t *testing.T) {
	c := newCapState(t)
	cases := []struct {
		name  string
		setup func()
		args  []string
		want  string
	}{
		{"the reported attack: a symlinked subdirectory", func() {
			symlinkAsNobody(t, c.victim, filepath.Join(c.state, "a"))
		}, []string{"--state-file", filepath.Join(c.state, "a", "evil.d", "x.json")}, "refusing --state-file"},
		{"a symlinked parent of the state file", func() {
			symlinkAsNobody(t, c.victim, filepath.Join(c.state, "b"))
		}, []string{"--state-file", filepath.Join(c.state, "b", "x.json")}, "refusing --state-file"},
		{"dot-dot out of the state directory", nil,
			[]string{"--state-file", c.state + "/../victim/x.json"}, "refusing --state-file"},
		{"dot-dot through a symlink back into it", func() {
			symlinkAsNobody(t, c.victim, filepath.Join(c.state, "c"))
		}, []string{"--state-file", c.state + "/c/../x.json"}, "refusing --state-file"},
		// The node is read (and here found missing) before the state file
		// is opened; internal/statefile's tests refuse the symlink itself.
		{"the state file is a symlink", func() {
			symlinkAsNobody(t, filepath.Join(c.victim, "x.json"), filepath.Join(c.state, "x.json"))
		}, []string{"--state-file", filepath.Join(c.state, "x.json")}, "UNKNOWN"},
		{"the lock file is a symlink", func() {
			symlinkAsNobody(t, filepath.Join(c.victim, "y.lock"), filepath.Join(c.state, "y.json.lock"))
		}, []string{"--state-file", filepath.Join(c.state, "y.json")}, "is a symlink"},
		{"another state directory", nil, []string{"--state-dir", c.victim}, "refusing --state-dir"},
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
			if entries, _ := os.ReadDir(c.victim); len(entries) != 0 {
				t.Fatalf("created in the root-owned directory: %v", entries)
			}
		})
	}
	// The default path still works: the run creates its lock file, owned
	// by the monitoring user, in the state directory. (It then reads the
	// beancounters, which this machine does not have: --root is refused
	// under raised privileges.)
	out, _ := c.run()
	if strings.Contains(out, "refusing") {
		t.Fatalf("the default state path was refused:\n%s", out)
	}
	locks, _ := filepath.Glob(filepath.Join(c.state, "failcnt-*.json.lock"))
	if len(locks) != 1 {
		t.Fatalf("no lock file in the state directory after a default run:\n%s", out)
	}
	if fi, err := os.Stat(locks[0]); err != nil || fi.Sys().(*syscall.Stat_t).Uid != 65534 {
		t.Fatalf("lock file %s: %v, want owned by nobody", locks[0], err)
	}
}

// A symlink swapped in and out of the state directory while runs go on
// (between any check and any use) never lets a run write outside it.
func TestCapabilityStateDirSwapRace(t *testing.T) {
	c := newCapState(t)
	lock := filepath.Join(c.state, "r.json.lock")
	file := filepath.Join(c.state, "r.json")
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
	if entries, _ := os.ReadDir(c.victim); len(entries) != 0 {
		t.Fatalf("a run wrote outside the state directory: %v", entries)
	}
}
