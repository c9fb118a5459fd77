package failstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Store is one state file, its lock file and its directory.
type Store struct {
	Path string
	dir  string
	lock *os.File
}

// Error is a state-file failure worded for an UNKNOWN line.
type Error struct {
	Msg  string
	Hint []string
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) Hints() []string { return e.Hint }

func fail(hint string, format string, args ...any) error {
	e := &Error{Msg: fmt.Sprintf(format, args...)}
	if hint != "" {
		e.Hint = []string{hint}
	}
	return e
}

// Open prepares the store: the directory is created 0700 when missing, and
// refused when it is a symlink, not ours, or writable by others.
func Open(path string) (*Store, error) {
	path = filepath.Clean(path)
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fail("create the directory, or choose another with --state-dir/--state-file", "cannot create state directory %s: %v", dir, unwrap(err))
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, fail("", "cannot use state directory %s: %v", dir, unwrap(err))
	}
	if err := checkOwned(dir, fi, true); err != nil {
		return nil, err
	}
	return &Store{Path: path, dir: dir}, nil
}

// checkOwned refuses what another user could have planted or changed.
func checkOwned(path string, fi fs.FileInfo, isDir bool) error {
	const hint = "state files must be owned by the user running the plugin and not writable by others (chmod 700 the directory, 600 the files)"
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fail(hint, "refusing %s: it is a symlink", path)
	case isDir && !fi.IsDir():
		return fail(hint, "refusing %s: not a directory", path)
	case !isDir && !fi.Mode().IsRegular():
		return fail(hint, "refusing %s: not a regular file", path)
	case fi.Mode().Perm()&0o022 != 0:
		return fail(hint, "refusing %s: writable by group or others (mode %04o)", path, fi.Mode().Perm())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fail(hint, "refusing %s: owned by uid %d, not %d", path, st.Uid, os.Geteuid())
	}
	return nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// openNoFollow opens name without following a symlink in its last part and
// checks what it opened.
func openNoFollow(name string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, perm)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fail("remove the symlink; the plugin never follows one", "refusing %s: it is a symlink", name)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkOwned(name, fi, false)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Lock takes the store's lock (an flock on <state>.lock), waiting at most
// until ctx ends: concurrent runs take turns, and a stuck holder gives an
// error naming the lock instead of a hang.
func (s *Store) Lock(ctx context.Context) error {
	name := s.Path + ".lock"
	f, err := openNoFollow(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return err
		}
		return fail("make the state directory writable, or choose another with --state-dir; the previous state is kept",
			"cannot write state in %s: lock file %s: %v", s.dir, name, unwrap(err))
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			s.lock = f
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return fail("", "cannot lock %s: %v", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return fail("another run holds the lock and does not finish; look for a stuck check_ubc_failcnt process",
				"timed out waiting for the lock on %s", name)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Unlock releases the lock.
func (s *Store) Unlock() {
	if s.lock != nil {
		s.lock.Close() // closing the descriptor releases the flock
		s.lock = nil
	}
}

// Load reads the state. It returns (nil, "", nil) when there is none yet.
// A file that does not decode is moved aside to <state>.corrupt-<time> and
// reported through movedTo/reason, with a nil state: the caller starts a
// new baseline and says so.
func (s *Store) Load(now time.Time) (st *State, movedTo string, reason error, err error) {
	f, err := openNoFollow(s.Path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil, nil
	}
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return nil, "", nil, err
		}
		return nil, "", nil, fail("", "cannot read state file %s: %v", s.Path, unwrap(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, "", nil, fail("", "cannot read state file %s: %v", s.Path, unwrap(err))
	}
	if len(b) > MaxBytes {
		reason = fmt.Errorf("larger than %d bytes", MaxBytes)
	} else {
		st, reason = Decode(b)
	}
	if reason == nil {
		return st, "", nil, nil
	}
	movedTo = s.Path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(s.Path, movedTo); err != nil {
		return nil, "", nil, fail("", "state file %s is unreadable (%v) and cannot be moved aside: %v", s.Path, reason, unwrap(err))
	}
	return nil, movedTo, reason, nil
}

// tempPrefix names temp files so that leftovers of killed runs are found.
func (s *Store) tempPrefix() string { return filepath.Base(s.Path) + ".tmp-" }

// Save replaces the state atomically: a temp file in the same directory,
// fsync, rename over the old one, fsync the directory. On any error the
// temp file is removed and the old state is untouched.
func (s *Store) Save(st *State) (err error) {
	b, err := st.Encode()
	if err != nil {
		return fail("", "cannot encode state: %v", err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(s.dir, s.tempPrefix()+fmt.Sprint(os.Getpid())+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return fail("free space or make the directory writable; the previous state is kept", "cannot write state file %s: %v", s.Path, unwrap(err))
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.Path)
	}
	if err != nil {
		return fail("free space or make the directory writable; the previous state is kept", "cannot write state file %s: %v", s.Path, unwrap(err))
	}
	if d, derr := os.Open(s.dir); derr == nil {
		_ = d.Sync() // the rename is durable once the directory is
		d.Close()
	}
	return nil
}

// RemoveStaleTemps deletes temp files left by runs that were killed while
// writing. Call it with the lock held: no other run is writing then.
func (s *Store) RemoveStaleTemps() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), s.tempPrefix()) && e.Type().IsRegular() {
			os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}
