// Package faults is the fault-injection suite: it drives the built plugin
// binaries against damaged, blocking, hostile and huge inputs and checks
// that the answers stay right (UNKNOWN naming what is wrong, never OK with
// wrong data, never a crash or a hang). Long parts run with -long (make
// reliability, VZMON_LONG=1); make test runs the fast ones.
package faults

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/nodegen"
)

// long runs the long parts (make reliability sets VZMON_LONG=1).
var long = os.Getenv("VZMON_LONG") == "1"

// result is one plugin run.
type result struct {
	out  string
	code int
	took time.Duration
	rss  int64 // peak RSS in KiB
}

func run(t *testing.T, plugin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(checktest.Binary(t, plugin), args...)
	// The peak RSS comes from /usr/bin/time where it exists: the kernel's
	// maxrss of a child forked from this (large) test process also counts
	// the moment before exec.
	var rss bytes.Buffer
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		cmd = exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", "/dev/stderr", cmd.Path}, args...)...)
	}
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &rss
	start := time.Now()
	_ = cmd.Run()
	r := result{out: out.String(), code: cmd.ProcessState.ExitCode(), took: time.Since(start)}
	if cmd.Path == "/usr/bin/time" {
		lines := strings.Split(strings.TrimSpace(rss.String()), "\n")
		r.rss, _ = strconv.ParseInt(lines[len(lines)-1], 10, 64)
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rss = ru.Maxrss
	}
	checkShape(t, plugin, r)
	return r
}

var firstLine = regexp.MustCompile(`^(UBC|UBC FAILCNT|VZ CONTAINER) (OK|WARNING|CRITICAL|UNKNOWN) - `)

// checkShape holds for every run: a plugin state line whose word matches
// the exit code, at most one '|', no control bytes, no crash.
func checkShape(t *testing.T, plugin string, r result) {
	t.Helper()
	words := map[int]string{0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
	m := firstLine.FindStringSubmatch(r.out)
	if len(m) < 3 || m[2] != words[r.code] {
		t.Errorf("%s: exit %d with first line %.200q", plugin, r.code, r.out)
	}
	if strings.Count(r.out, "|") != 1 {
		t.Errorf("%s: %d '|' in the output:\n%s", plugin, strings.Count(r.out, "|"), r.out)
	}
	for _, c := range r.out {
		if c < 0x20 && c != '\n' || c == 0x7f {
			t.Errorf("%s: control byte %#x in the output", plugin, c)
			break
		}
	}
	if strings.Contains(r.out, "panic") || strings.Contains(r.out, "internal error") || strings.Contains(r.out, "goroutine ") {
		t.Errorf("%s crashed:\n%s", plugin, r.out)
	}
}

// sharedDir is a directory that user nobody can enter (t.TempDir's parent
// is 0700), removed after the test.
func sharedDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	return dir
}

// copyPlugin copies a built plugin into dir (root-owned, 0755).
func copyPlugin(t *testing.T, plugin, dst string) string {
	t.Helper()
	b, err := os.ReadFile(checktest.Binary(t, plugin))
	if err == nil {
		err = os.WriteFile(dst, b, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// asNobody runs a command as user nobody.
var asNobody = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}

// node writes a copy of incident-204 and returns its root.
func node(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "node")
	checktest.WriteNode(t, dir, nodegen.Incident204().Write)
	return dir
}

func put(t *testing.T, dst, src string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Damaged beancounter tables: the right answer where the data is still
// unambiguous, else UNKNOWN naming the file and the line.
func TestDamagedBeancounters(t *testing.T) {
	bad := filepath.Join(checktest.RepoRoot(t), "testdata", "bad", "ubc")
	// "" means the data is unambiguous: the same answer as the intact file.
	want := map[string]string{
		"collapsed-whitespace.txt": "", "crlf.txt": "", "title-shifted.txt": "",
		"one-line.txt": "line 1:", "column-missing.txt": "line 41:", "cut-mid-line.txt": "no newline",
		"no-final-newline.txt": "no newline", "title-columns-swapped.txt": "line 2:", "shell-prompt.txt": "line 1:",
		"trailing-prompt.txt": "line 150:", "markdown-fence.txt": "line 1:", "nul-bytes.txt": "line 31:",
		"above-2-64.txt": "line 51:", "negative.txt": "line 13:", "binary-garbage.bin": "line 1:",
		"empty.txt": "empty file", "header-only.txt": "no beancounter rows", "version-2.4.txt": "line 1:",
		"block-repeated.txt": "second block for container 206", "row-duplicated.txt": "line 62:",
		"continuation-first.txt": "line 3:",
	}
	files, _ := filepath.Glob(filepath.Join(bad, "*"))
	if len(files) != len(want) {
		t.Fatalf("%d corpus files, %d expectations", len(files), len(want))
	}
	root := node(t)
	table := filepath.Join(root, "proc", "bc", "resources")
	intact := run(t, "check_ubc", nil, "--root", root)
	for _, f := range files {
		expect, ok := want[filepath.Base(f)]
		if !ok {
			t.Errorf("no expectation for %s", f)
			continue
		}
		put(t, table, f)
		for _, plugin := range []string{"check_ubc", "check_ubc_failcnt", "check_vz_container"} {
			args := []string{"--root", root}
			switch plugin {
			case "check_ubc_failcnt":
				args = append(args, "--state-dir", filepath.Join(t.TempDir(), "st"))
			case "check_vz_container":
				args = append(args, "--ctid", "204")
			}
			r := run(t, plugin, nil, args...)
			switch {
			case expect == "" && plugin == "check_ubc":
				if r.code != intact.code || strings.SplitN(r.out, "\n", 2)[0] != strings.SplitN(intact.out, "\n", 2)[0] {
					t.Errorf("%s: %s answers differently from the intact file:\n%s", filepath.Base(f), plugin, r.out)
				}
			case expect == "":
				if r.code == 3 {
					t.Errorf("%s: %s gave UNKNOWN on unambiguous data:\n%s", filepath.Base(f), plugin, r.out)
				}
			default:
				if r.code != 3 || !strings.Contains(r.out, table) || !strings.Contains(r.out, expect) {
					t.Errorf("%s: %s: want UNKNOWN naming %s and %q, got exit %d:\n%s", filepath.Base(f), plugin, table, expect, r.code, r.out)
				}
				if len(strings.SplitN(r.out, "\n", 2)[0]) > 400 {
					t.Errorf("%s: error line too long (%d bytes): excerpts must stay short", filepath.Base(f), len(r.out))
				}
			}
		}
	}
}

// Damaged /proc/vz files and configs: UNKNOWN (or WARNING for a config)
// naming the file and line, never a wrong OK.
func TestDamagedVZFiles(t *testing.T) {
	bad := filepath.Join(checktest.RepoRoot(t), "testdata", "bad")
	cases := []struct {
		file, dst string
		args      []string
		code      int
		text      string
	}{
		{"vestat/column-missing.txt", "proc/vz/vestat", []string{"--ctid", "203", "--restart-warning", "1h"}, 3, "line 5: expected 12 columns"},
		{"vestat/version-2.1.txt", "proc/vz/vestat", []string{"--ctid", "203", "--restart-warning", "1h"}, 3, "line 1: unsupported header"},
		{"vestat/not-a-number.txt", "proc/vz/vestat", []string{"--ctid", "203", "--restart-warning", "1h"}, 3, "line 4: column"},
		{"vestat/cut-mid-line.txt", "proc/vz/vestat", []string{"--ctid", "203", "--restart-warning", "1h"}, 3, "no newline"},
		{"veinfo/field-missing.txt", "proc/vz/veinfo", []string{"--ctid", "203"}, 3, "line 3: expected ID, class and task count"},
		{"veinfo/bad-ip.txt", "proc/vz/veinfo", []string{"--ctid", "203"}, 3, "line 3: \"10.0.0.300\" is not an IP"},
		{"veinfo/not-a-number.txt", "proc/vz/veinfo", []string{"--ctid", "203"}, 3, "line 3: task count"},
		{"veinfo/cut-mid-line.txt", "proc/vz/veinfo", []string{"--ctid", "203"}, 3, "no newline"},
		{"vzquota/entry-cut.txt", "proc/vz/vzquota", []string{"--ctid", "203"}, 3, "incomplete"},
		{"vzquota/not-a-number.txt", "proc/vz/vzquota", []string{"--ctid", "203"}, 3, "line 4: 1k-blocks"},
		{"vzquota/no-header.txt", "proc/vz/vzquota", []string{"--ctid", "203"}, 3, "line 1: unexpected header"},
		{"conf/unterminated-quote.conf", "etc/vz/conf/203.conf", []string{"--ctid", "203"}, 1, "203.conf line 2: NAME: unterminated"},
		{"conf/not-shell.conf", "etc/vz/conf/203.conf", []string{"--ctid", "203"}, 1, "203.conf line 2: not KEY=value"},
	}
	for _, c := range cases {
		root := node(t)
		put(t, filepath.Join(root, c.dst), filepath.Join(bad, c.file))
		r := run(t, "check_vz_container", nil, append([]string{"--root", root}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.out, filepath.Join(root, c.dst)) || !strings.Contains(r.out, c.text) {
			t.Errorf("%s: want exit %d naming %s and %q, got exit %d:\n%s", c.file, c.code, c.dst, c.text, r.code, r.out)
		}
	}
	// A damaged vestat only loses restart detection by start time in
	// check_ubc_failcnt, and says so.
	root := node(t)
	put(t, filepath.Join(root, "proc", "vz", "vestat"), filepath.Join(bad, "vestat", "column-missing.txt"))
	r := run(t, "check_ubc_failcnt", nil, "--root", root, "--state-dir", filepath.Join(t.TempDir(), "st"))
	if r.code != 0 || !strings.Contains(r.out, "restarts are recognised by counters going down only: "+filepath.Join(root, "proc", "vz", "vestat")) {
		t.Errorf("failcnt with a damaged vestat: exit %d\n%s", r.code, r.out)
	}
}

// 100 MB inputs: one endless line, and a valid start followed by junk.
// Both end as UNKNOWN at once, without reading or holding the whole file.
func TestHugeInputs(t *testing.T) {
	root := node(t)
	table := filepath.Join(root, "proc", "bc", "resources")
	intact, _ := os.ReadFile(table)
	for name, fill := range map[string]func(*os.File){
		"one 100 MB line": func(f *os.File) {
			chunk := bytes.Repeat([]byte("9"), 1<<20)
			for i := 0; i < 100; i++ {
				f.Write(chunk)
			}
		},
		"valid start, 100 MB of junk": func(f *os.File) {
			f.Write(intact)
			chunk := bytes.Repeat([]byte("            junk 1 2 3\n"), 1<<16)
			for f2, _ := f.Stat(); f2.Size() < 100<<20; f2, _ = f.Stat() {
				f.Write(chunk)
			}
		},
	} {
		f, err := os.Create(table)
		if err != nil {
			t.Fatal(err)
		}
		fill(f)
		f.Close()
		r := run(t, "check_ubc", nil, "--root", root)
		if r.code != 3 || !strings.Contains(r.out, table+" line ") {
			t.Errorf("%s: exit %d\n%s", name, r.code, r.out)
		}
		if r.took > 5*time.Second || r.rss > 64<<10 {
			t.Errorf("%s: took %v, peak RSS %d KiB", name, r.took, r.rss)
		}
		t.Logf("%s: UNKNOWN in %v, peak RSS %d KiB", name, r.took, r.rss)
	}
}

// Reads that block (FIFOs) and a stuck state lock end as UNKNOWN within
// -t + 1 s, naming what the plugin waited for.
func TestNeverHangs(t *testing.T) {
	cases := []struct {
		name, fifo, plugin string
		args               []string
	}{
		{"beancounters", "proc/bc/resources", "check_ubc", nil},
		{"vestat (failcnt)", "proc/vz/vestat", "check_ubc_failcnt", []string{"--state-dir", "STATE"}},
		{"vestat (container)", "proc/vz/vestat", "check_vz_container", []string{"--ctid", "204"}},
		{"veinfo", "proc/vz/veinfo", "check_vz_container", []string{"--ctid", "204"}},
		{"task status", "proc/150/status", "check_vz_container", []string{"--ctid", "204"}},
		{"thread stat", "proc/31/task/40/stat", "check_vz_container", []string{"--ctid", "202"}}, // a thread of its mysqld
	}
	for _, c := range cases {
		root := node(t)
		path := filepath.Join(root, c.fifo)
		os.Remove(path)
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		args := []string{"--root", root, "-t", "1"}
		for _, a := range c.args {
			args = append(args, strings.ReplaceAll(a, "STATE", filepath.Join(t.TempDir(), "st")))
		}
		r := run(t, c.plugin, nil, args...)
		if r.took > 2*time.Second || r.code != 3 || !strings.Contains(r.out, "timed out after 1s while reading "+path) {
			t.Errorf("%s: exit %d after %v:\n%s", c.name, r.code, r.took, r.out)
		}
	}
	// A config that is a FIFO is not opened at all: it is not a config.
	root := node(t)
	conf := filepath.Join(root, "etc", "vz", "conf", "204.conf")
	os.Remove(conf)
	if err := syscall.Mkfifo(conf, 0o600); err == nil {
		r := run(t, "check_vz_container", nil, "--root", root, "--ctid", "204", "-t", "1")
		if r.took > time.Second || !strings.Contains(r.out, "[WARNING] config: none for a running container ("+conf+" is a FIFO, not a container's config)") {
			t.Errorf("FIFO config: exit %d after %v:\n%s", r.code, r.took, r.out)
		}
	}
	// A state lock held by a stuck process.
	root, state := node(t), filepath.Join(t.TempDir(), "st")
	run(t, "check_ubc_failcnt", nil, "--root", root, "--state-dir", state)
	locks, _ := filepath.Glob(filepath.Join(state, "*.lock"))
	if len(locks) != 1 {
		t.Fatalf("lock files: %v", locks)
	}
	holder := exec.Command("flock", locks[0], "sleep", "30")
	if err := holder.Start(); err != nil {
		t.Skip("no flock(1):", err)
	}
	defer holder.Process.Kill()
	time.Sleep(200 * time.Millisecond)
	r := run(t, "check_ubc_failcnt", nil, "--root", root, "--state-dir", state, "-t", "1")
	if r.took > 2*time.Second || r.code != 3 || !strings.Contains(r.out, "lock") {
		t.Errorf("stuck lock: exit %d after %v:\n%s", r.code, r.took, r.out)
	}
}

// Container names and config values with '|', quotes, '=', control bytes
// or 10 KB lengths cannot break the output or the perfdata.
func TestNoOutputInjection(t *testing.T) {
	root := node(t)
	evil := "web1 | 'x'=1;2;3 \x1b[31m\tevil=" + strings.Repeat("A", 10<<10)
	conf := filepath.Join(root, "etc", "vz", "conf", "204.conf")
	b, _ := os.ReadFile(conf)
	os.WriteFile(conf, []byte(strings.Replace(string(b), `NAME="web1"`, `NAME="`+evil+`"`, 1)+"DESCRIPTION=\"a|b\"\n"), 0o644)
	for _, args := range [][]string{
		{"check_ubc", "--root", root},
		{"check_ubc", "--root", root, "-vv"},
		{"check_ubc", "--root", root, "--list"},
		{"check_ubc_failcnt", "--root", root, "--state-dir", filepath.Join(t.TempDir(), "st")},
		{"check_vz_container", "--root", root, "--ctid", "204", "--process", "apa|che"},
	} {
		if args[len(args)-1] == "--list" {
			// JSON for scripts: the real name, escaped by JSON, not cut.
			out, _ := exec.Command(checktest.Binary(t, args[0]), args[1:]...).CombinedOutput()
			var listed []struct{ ID, Name string }
			if err := json.Unmarshal(out, &listed); err != nil || bytes.ContainsAny(out, "\x1b\t") {
				t.Errorf("--list is not clean JSON (%v):\n%.300q", err, out)
			}
			for _, l := range listed {
				if l.ID == "204" && l.Name != evil {
					t.Errorf("--list changed the name to %.100q", l.Name)
				}
			}
			continue
		}
		r := run(t, args[0], nil, args[1:]...) // checkShape: one '|', no control bytes
		if strings.Contains(r.out, strings.Repeat("A", 200)) {
			t.Errorf("%v: the 10 KB name is not cut", args)
		}
	}
}

// The plugins refuse caller-chosen paths when they run with privileges
// their caller lacks: setuid root, file capabilities, sudo.
func TestNoPrivilegeEscalation(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make setuid and capability binaries")
	}
	dir := sharedDir(t, "vzmon-priv-")
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("root-only line\n"), 0o600)
	// setuid root
	suid := copyPlugin(t, "check_ubc", filepath.Join(dir, "check_ubc_suid"))
	os.Chmod(suid, 0o755|os.ModeSetuid) // os.FileMode has its own setuid bit; 0o4000 would be dropped
	// file capabilities: a VFS_CAP_REVISION_2 xattr with CAP_DAC_OVERRIDE
	// and CAP_DAC_READ_SEARCH permitted and effective.
	fcap := copyPlugin(t, "check_ubc", filepath.Join(dir, "check_ubc_caps"))
	capData := []byte{0x01, 0x00, 0x00, 0x02, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	capsOK := syscall.Setxattr(fcap, "security.capability", capData, 0) == nil
	for _, c := range []struct {
		name string
		bin  string
		skip bool
	}{{"setuid root", suid, false}, {"file capabilities", fcap, !capsOK}} {
		if c.skip {
			t.Logf("%s: this filesystem does not take security.capability; not tested", c.name)
			continue
		}
		cmd := exec.Command(c.bin, "--root", dir)
		cmd.SysProcAttr = asNobody
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 3 || !strings.Contains(string(out), "refusing --root") || strings.Contains(string(out), "root-only") {
			t.Errorf("%s: exit %d:\n%s", c.name, cmd.ProcessState.ExitCode(), out)
		}
	}
	// sudo for another user (SUDO_UID set by sudo itself).
	r := run(t, "check_ubc", []string{"SUDO_UID=65534"}, "--root", dir)
	if r.code != 3 || !strings.Contains(r.out, "refusing --root") {
		t.Errorf("under sudo: exit %d:\n%s", r.code, r.out)
	}
}

// Peak memory on a 10,000-container node stays under 64 MiB.
func TestMemoryOn10000Containers(t *testing.T) {
	if !long {
		t.Skip("long: make reliability")
	}
	root := filepath.Join(t.TempDir(), "node")
	// In another process: this one must stay small (see run).
	gen := exec.Command("go", "run", "./tools/gennode", "-containers", "10000", "-seed", "3", "-out", root)
	gen.Dir = checktest.RepoRoot(t)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gennode: %v\n%s", err, out)
	}
	state := filepath.Join(t.TempDir(), "st")
	for _, args := range [][]string{
		{"check_ubc", "--root", root},
		{"check_ubc", "--root", root, "-vv", "--max-output", "0"},
		{"check_ubc_failcnt", "--root", root, "--state-dir", state},
		{"check_ubc_failcnt", "--root", root, "--state-dir", state},
		{"check_vz_container", "--root", root, "--ctid", "5000"},
	} {
		r := run(t, args[0], nil, args[1:]...)
		if r.rss > 64<<10 {
			t.Errorf("%v: peak RSS %d KiB", args, r.rss)
		}
		t.Logf("%v: exit %d in %v, peak RSS %.1f MiB", args[:2], r.code, r.took.Round(time.Millisecond), float64(r.rss)/1024)
	}
	if left, _ := filepath.Glob(filepath.Join(state, "*.tmp-*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}

// A table the caller may not read (the nagios user without sudo) is an
// UNKNOWN that says how to grant the access.
func TestPermissionDenied(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the plugin as another user")
	}
	dir := sharedDir(t, "vzmon-perm-")
	checktest.WriteNode(t, filepath.Join(dir, "node"), nodegen.RHEL6VSwap().Write)
	table := filepath.Join(dir, "node", "proc", "bc", "resources")
	os.Chmod(table, 0o400) // as the kernel's: root only
	cmd := exec.Command(copyPlugin(t, "check_ubc", filepath.Join(dir, "check_ubc")), "--root", filepath.Join(dir, "node"))
	cmd.SysProcAttr = asNobody
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 3 || !strings.Contains(string(out), "permission denied reading "+table) ||
		!strings.Contains(string(out), "CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH") || !strings.Contains(string(out), "sudo") {
		t.Fatalf("exit %d:\n%s", cmd.ProcessState.ExitCode(), out)
	}
}
