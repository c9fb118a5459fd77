package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/vzmon/vzmon/internal/hint"
)

// DefaultDir holds one state directory per user (UserDir). It is owned by
// root and not writable by others (the packages create it root:root 0755);
// a run as root creates it when missing. A variable so that a package (or
// the privilege tests) can build binaries for another one with
// -ldflags "-X github.com/vzmon/vzmon/internal/statefile.DefaultDir=...".
var DefaultDir = "/var/lib/check_ubc"

// UserDir is the default state directory of the user running the plugin
// (its effective uid), DefaultDir/<uid>, and the only directory a run with
// raised privileges may keep state in. One per user: root's cron, an admin
// trying a check by hand and the monitoring user with file capabilities
// all run with the defaults, whoever comes first, and none can lock out
// the others or take their increases.
func UserDir() string { return filepath.Join(DefaultDir, strconv.Itoa(os.Geteuid())) }

// Resolve returns the state file a --state-file value names: a plain name
// (no slash) is a file in UserDir; anything else is a path.
func Resolve(path string) string {
	if ValidName(path) {
		return filepath.Join(UserDir(), path)
	}
	return path
}

const ownerHint = "state files must be owned by the user running the plugin and not writable by others (chmod 700 the directory, 600 the files)"

// sharedHint says how to fix DefaultDir: missing, or not root's.
func sharedHint() string {
	return "as root: install -d -o root -g root -m 0755 " + DefaultDir + " (the vzmon packages do), or choose another directory with --state-dir/--state-file"
}

// openDir opens dir for the store without following a symlink anywhere:
// every component is opened relative to the one before with O_NOFOLLOW,
// so a symlink planted (or swapped in) on the way is refused instead of
// followed. Each parent must be owned by root or by us and not writable by
// others unless sticky (like /tmp); the last component, created 0700 when
// missing, must be ours and writable by us alone. The caller works below
// the returned descriptor only (openat, renameat, unlinkat).
//
// For UserDir, the shared DefaultDir above it is created 0755 as well,
// but only by root: made by another user (the monitoring user has
// CAP_DAC_OVERRIDE under file capabilities) it would be that user's, and
// every other user's walk would refuse it.
func openDir(dir string) (*os.File, error) {
	if !filepath.IsAbs(dir) {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fail("", "cannot use state directory %s: %v", dir, err)
		}
		dir = abs
	}
	dir = filepath.Clean(dir)
	shared := ""
	if dir == UserDir() {
		shared = filepath.Clean(DefaultDir)
	}
	parts := strings.Split(strings.TrimPrefix(dir, "/"), "/")
	fd, err := syscall.Open("/", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fail("", "cannot open /: %v", err)
	}
	walked := "/"
	for i, name := range parts {
		last := i == len(parts)-1
		if name == "" { // dir is "/"
			break
		}
		if err := checkParent(fd, walked, walked == shared); err != nil {
			syscall.Close(fd)
			return nil, err
		}
		next := filepath.Join(walked, name)
		made, err := makeDir(fd, name, next, last, next == shared)
		if err != nil {
			syscall.Close(fd)
			return nil, err
		}
		nfd, err := syscall.Openat(fd, name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		syscall.Close(fd)
		switch {
		case errors.Is(err, syscall.ELOOP), errors.Is(err, syscall.ENOTDIR) && isSymlinkAt(walked, name):
			return nil, fail("remove the symlink; the plugin never follows one", "refusing %s: it is a symlink", next)
		case errors.Is(err, syscall.ENOENT) && next == shared:
			return nil, fail(sharedHint(), "state directory %s does not exist", next)
		case err != nil:
			return nil, fail("", "cannot use state directory %s: %v", next, err)
		}
		if made && next == shared {
			// Exactly 0755 whatever the umask: the other users' walks pass through it.
			if err := syscall.Fchmod(nfd, 0o755); err != nil {
				syscall.Close(nfd)
				return nil, fail("", "cannot set the mode of state directory %s: %v", next, err)
			}
		}
		fd, walked = nfd, next
	}
	return checked(fd, walked, true)
}

// makeDir creates name below fd when it is missing and reports whether it
// did: the state directory itself (last) 0700, the shared DefaultDir 0755
// when we are root.
func makeDir(fd int, name, path string, last, shared bool) (bool, error) {
	perm := uint32(0o700)
	switch {
	case shared && os.Geteuid() == 0:
		perm = 0o755
	case !last:
		return false, nil
	}
	err := syscall.Mkdirat(fd, name, perm)
	if err == nil || errors.Is(err, syscall.EEXIST) {
		return err == nil, nil
	}
	return false, fail("create the directory, or choose another with --state-dir/--state-file", "cannot create state directory %s: %v", path, err)
}

// checked wraps a descriptor just opened and refuses it, closed, when it
// is not what checkOwned allows.
func checked(fd int, name string, isDir bool) (*os.File, error) {
	f := os.NewFile(uintptr(fd), name)
	fi, err := f.Stat()
	if err == nil {
		err = checkOwned(name, fi, isDir)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// isSymlinkAt tells an ENOTDIR from a symlink (O_NOFOLLOW|O_DIRECTORY on a
// symlink gives ENOTDIR on some kernels, ELOOP on others) for the message.
func isSymlinkAt(parent, name string) bool {
	fi, err := os.Lstat(filepath.Join(parent, name))
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// checkParent refuses a directory on the way to the state directory that
// another user could change: owned by neither root nor us, or writable by
// group or others without the sticky bit. shared says it is DefaultDir,
// for the hint.
func checkParent(fd int, path string, shared bool) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fail("", "cannot use %s: %v", path, err)
	}
	todo := ownerHint
	if shared {
		todo = sharedHint()
	}
	if st.Uid != 0 && int(st.Uid) != os.Geteuid() {
		return fail(todo, "refusing state directory below %s: owned by uid %d, neither root nor %d", path, st.Uid, os.Geteuid())
	}
	if st.Mode&0o022 != 0 && st.Mode&syscall.S_ISVTX == 0 {
		return fail(todo, "refusing state directory below %s: writable by group or others (mode %04o)", path, st.Mode&0o7777)
	}
	return nil
}

// checkOwned refuses what another user could have planted or changed.
func checkOwned(path string, fi fs.FileInfo, isDir bool) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fail(ownerHint, "refusing %s: it is a symlink", path)
	case isDir && !fi.IsDir():
		return fail(ownerHint, "refusing %s: not a directory", path)
	case !isDir && !fi.Mode().IsRegular():
		return fail(ownerHint, "refusing %s: not a regular file", path)
	case fi.Mode().Perm()&0o022 != 0:
		return fail(ownerHint, "refusing %s: writable by group or others (mode %04o)", path, fi.Mode().Perm())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fail(ownerHint, "refusing %s: owned by uid %d, not %d", path, st.Uid, os.Geteuid())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && !isDir && st.Nlink > 1 {
		return fail(ownerHint, "refusing %s: it has %d hard links", path, st.Nlink)
	}
	return nil
}

// openAt opens name (one path component) below the store's directory
// without following a symlink and without blocking on a FIFO, and checks
// what it opened.
func (s *Store) openAt(name string, flag int, perm uint32) (*os.File, error) {
	fd, err := syscall.Openat(int(s.dir.Fd()), name, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, perm)
	full := filepath.Join(s.dirName, name)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fail("remove the symlink; the plugin never follows one", "refusing %s: it is a symlink", full)
		}
		return nil, &fs.PathError{Op: "open", Path: full, Err: err}
	}
	return checked(fd, full, false)
}

// ValidName reports whether name can be a state file's name in its
// directory: one path component, not "." or "..".
func ValidName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsRune(name, '/') && len(name) <= 200
}

func describe(err error) string {
	return fmt.Sprint(hint.PathErr(err))
}
