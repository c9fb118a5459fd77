// Package privilege stops a plugin that runs with privileges its caller
// lacks (setuid, file capabilities, sudo for another user) from reading
// or writing paths the caller chose: otherwise the sudo rule or capability
// that lets monitoring read the beancounters would let any caller read
// root-only files (error messages quote lines of what they read).
package privilege

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/text"
)

// Elevated reports whether the process has privileges its caller lacks,
// and how it got them.
func Elevated() (bool, string) {
	if os.Getuid() != os.Geteuid() || os.Getgid() != os.Getegid() {
		return true, "setuid/setgid"
	}
	if os.Geteuid() == 0 {
		// sudo, pkexec and doas set these themselves; a caller cannot
		// clear them to pass as root.
		for _, v := range []string{"SUDO_UID", "PKEXEC_UID", "DOAS_USER"} {
			if s := os.Getenv(v); s != "" && s != "0" && s != "root" {
				return true, fmt.Sprintf("run as root for %s=%s", v, s)
			}
		}
		return false, ""
	}
	if capEff() != 0 {
		return true, "file capabilities"
	}
	return false, ""
}

// capEff reads the effective capability set of this process from the real
// /proc (never below --root: it is about this process).
func capEff() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			x, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return x
		}
	}
	return 0
}

// Path is a path flag: its name, its value, and where it may point.
type Path struct {
	Flag  string
	Value string
	// Dir is the directory a file must sit in directly (no subdirectory,
	// no ".."): a caller who can write there (the monitoring user owns its
	// state directory under file capabilities) could otherwise plant a
	// symlinked subdirectory and have the plugin create files anywhere. A
	// plain name (no slash) is accepted too: the plugin takes it as a file
	// in Dir. "" means the value must equal Default, as --root must be /.
	Dir     string
	Default string
}

// Root is the --root flag, which must stay / under raised privileges.
func Root(value string) Path { return Path{Flag: "--root", Value: value, Default: "/"} }

// Guard refuses caller-chosen paths when the process is elevated.
func Guard(paths ...Path) error {
	elevated, how := Elevated()
	if !elevated {
		return nil
	}
	for _, p := range paths {
		if p.Value == "" || p.Value == p.Default || p.Dir != "" && (plainName(p.Value) || directlyIn(p.Value, p.Dir)) {
			continue
		}
		where := "the default (" + p.Default + ")"
		if p.Dir != "" {
			where = "directly in " + p.Dir + " (or a plain file name)"
		}
		return fmt.Errorf("refusing %s %q: the plugin runs with privileges its caller lacks (%s), so paths must stay %s", p.Flag, text.Clean(p.Value, 80), how, where)
	}
	return nil
}

// directlyIn reports whether path names a file right in dir, written
// plainly: absolute, no "." or ".." parts, no repeated or trailing slash.
func directlyIn(path, dir string) bool {
	parent, name := filepath.Split(path)
	return filepath.IsAbs(path) && path == filepath.Clean(path) &&
		filepath.Clean(parent) == filepath.Clean(dir) && plainName(name)
}

// plainName reports whether name is one path component other than "." and "..".
func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsRune(name, '/')
}
