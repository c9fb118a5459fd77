package statefile

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
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vzmon/vzmon/internal/hint"
)

// Store is one state file, its lock file and its directory. Every file
// operation is relative to the directory's descriptor, opened once by
// Open: nothing done to the path afterwards (a symlink or directory
// swapped in) can redirect a read, a write or a rename.
type Store struct {
	Path    string
	dirName string
	name    string
	dir     *os.File
	lock    *os.File
	holder  atomic.Int64 // pid named by the lock file while waiting for it
}

// fail is a state-file failure worded for an UNKNOWN line, with what to
// do about it when todo is set.
func fail(todo, format string, args ...any) error {
	e := &hint.Error{Msg: fmt.Sprintf(format, args...)}
	if todo != "" {
		e.Hints = []string{todo}
	}
	return e
}

// Open prepares the store: the directory is created 0700 when missing, and
// refused when it (or a directory above it) is a symlink, not ours, or
// writable by others (see openDir). Close releases it.
func Open(path string) (*Store, error) {
	path = filepath.Clean(path)
	dirName, name := filepath.Split(path)
	if !ValidName(name) {
		return nil, fail("", "cannot use %q as a state file name", name)
	}
	dir, err := openDir(filepath.Clean(dirName))
	if err != nil {
		return nil, err
	}
	return &Store{Path: path, dirName: dir.Name(), name: name, dir: dir}, nil
}

// Close releases the lock and the directory.
func (s *Store) Close() {
	s.Unlock()
	if s.dir != nil {
		s.dir.Close()
		s.dir = nil
	}
}

// LockName is the lock file's path, for messages.
func (s *Store) LockName() string { return s.Path + ".lock" }

// Lock takes the store's lock (an flock on <state>.lock), waiting at most
// until ctx ends: concurrent runs take turns, and a stuck holder gives an
// error naming the lock (and its holder's pid) instead of a hang. The
// holder writes its pid into the lock file so that a waiter can name it.
func (s *Store) Lock(ctx context.Context) error {
	f, err := s.openAt(s.name+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		var se *hint.Error
		if errors.As(err, &se) {
			return err
		}
		return fail("make the state directory writable, or choose another with --state-dir; the previous state is kept",
			"cannot write state in %s: lock file %s: %s", s.dirName, s.LockName(), describe(err))
	}
	for waited := false; ; waited = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			s.lock = f
			pid := strconv.Itoa(os.Getpid()) + "\n"
			if f.Truncate(0) == nil {
				_, _ = f.WriteAt([]byte(pid), 0) // only informative: a waiter names the holder
			}
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return fail("", "cannot lock %s: %v", s.LockName(), err)
		}
		if !waited {
			s.holder.Store(int64(holderOf(f)))
		}
		select {
		case <-ctx.Done():
			f.Close()
			return &hint.Error{Msg: "timed out waiting for the lock on " + s.LockName(), Hints: LockHint(s.Holder())}
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Holder returns the pid the lock file named when Lock found the lock
// taken (the run holding it), or 0. Safe to call from another goroutine.
func (s *Store) Holder() int { return int(s.holder.Load()) }

func holderOf(f *os.File) int {
	var b [16]byte
	n, _ := f.ReadAt(b[:], 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil || pid <= 0 || errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return 0 // none, or a run that has ended: the holder is another program
	}
	return pid
}

// LockHint says what to do when another run holds the lock too long.
func LockHint(pid int) []string {
	who := "a stuck check_ubc_failcnt or check_vz_container process"
	if pid > 0 {
		who += fmt.Sprintf(" (the lock file names pid %d)", pid)
	}
	return []string{"another run holds the lock and does not finish; look for " + who}
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
func (s *Store) Load(now time.Time) (st *State, movedTo string, reason, err error) {
	f, err := s.openAt(s.name, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil, nil
	}
	if err != nil {
		var se *hint.Error
		if errors.As(err, &se) {
			return nil, "", nil, err
		}
		return nil, "", nil, fail("", "cannot read state file %s: %s", s.Path, describe(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, "", nil, fail("", "cannot read state file %s: %s", s.Path, describe(err))
	}
	if len(b) > MaxBytes {
		reason = fmt.Errorf("larger than %d bytes", MaxBytes)
	} else {
		st, reason = Decode(b)
	}
	if reason == nil {
		return st, "", nil, nil
	}
	aside := s.name + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := s.renameAt(s.name, aside); err != nil {
		return nil, "", nil, fail("", "state file %s is unreadable (%v) and cannot be moved aside: %v", s.Path, reason, err)
	}
	return nil, filepath.Join(s.dirName, aside), reason, nil
}

func (s *Store) renameAt(from, to string) error {
	dfd := int(s.dir.Fd())
	return syscall.Renameat(dfd, from, dfd, to)
}

// tempPrefix names temp files so that leftovers of killed runs are found.
func (s *Store) tempPrefix() string { return s.name + ".tmp-" }

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
	tmp := s.tempPrefix() + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(rnd[:])
	const todo = "free space or make the directory writable; the previous state is kept"
	f, err := s.openAt(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fail(todo, "cannot write state file %s: %s", s.Path, describe(err))
	}
	defer func() {
		if err != nil {
			_ = syscall.Unlinkat(int(s.dir.Fd()), tmp)
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
		err = s.renameAt(tmp, s.name)
	}
	if err != nil {
		return fail(todo, "cannot write state file %s: %s", s.Path, describe(err))
	}
	_ = s.dir.Sync() // the rename is durable once the directory is
	return nil
}

// RemoveStaleTemps deletes temp files left by runs that were killed while
// writing. Call it with the lock held: no other run is writing then.
func (s *Store) RemoveStaleTemps() {
	fd, err := syscall.Openat(int(s.dir.Fd()), ".", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	d := os.NewFile(uintptr(fd), s.dirName)
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), s.tempPrefix()) && e.Type().IsRegular() {
			_ = syscall.Unlinkat(int(s.dir.Fd()), e.Name())
		}
	}
}
