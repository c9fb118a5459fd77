package vzctl_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/vzctl"
)

// openWithin opens path, failing the test if Open does not return within
// 5 seconds (a FIFO must not block it).
func openWithin(t *testing.T, path string) (*vzctl.File, error) {
	t.Helper()
	type result struct {
		f   *vzctl.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := vzctl.Open(path)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		if r.f != nil {
			t.Cleanup(func() { r.f.Close() })
		}
		return r.f, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("Open(%s) hangs", path)
		return nil, nil
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	fifo := filepath.Join(dir, "fifo")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(regular, []byte("not a device\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/null", link); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path string
		is         error
		want       string
	}{
		{"missing", filepath.Join(dir, "vzctl"), fs.ErrNotExist, ": no such device (not an OpenVZ/Virtuozzo kernel, or its vzdev module is not loaded)"},
		{"regular file", regular, vzctl.ErrUnsupported, ": not a device: not the vzctl device"},
		{"FIFO", fifo, vzctl.ErrUnsupported, ": not a device: not the vzctl device"},
		{"directory", dir, vzctl.ErrUnsupported, ": not a device: not the vzctl device"},
		{"symbolic link to a device", link, syscall.ELOOP, ": a symbolic link: refused"},
	} {
		f, err := openWithin(t, tt.path)
		if f != nil || err == nil || err.Error() != tt.path+tt.want || !errors.Is(err, tt.is) {
			t.Errorf("%s: %v, %v; want %q (is %v)", tt.name, f, err, tt.path+tt.want, tt.is)
		}
	}
}

// /dev/null is a character device that knows no ioctl: the real system
// call path, answered with ENOTTY.
func TestCPUStatOnAnotherDevice(t *testing.T) {
	if st, err := os.Stat("/dev/null"); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Skip("no /dev/null character device here")
	}
	if _, err := vzctl.Open("/dev/null"); !errors.Is(err, vzctl.ErrUnsupported) || err.Error() != "/dev/null: character device 1:3, not the vzctl device (126:0)" {
		t.Fatalf("Open(/dev/null) = %v, want a refusal naming the device numbers", err)
	}
	vzctl.AcceptAnyDevice(t)
	f, err := openWithin(t, "/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	var dev vzctl.Device = f
	s, err := dev.CPUStat(101)
	if s != (vzctl.CPUStat{}) || !errors.Is(err, vzctl.ErrUnsupported) || !errors.Is(err, syscall.ENOTTY) ||
		!strings.HasPrefix(err.Error(), "/dev/null: VZCTL_GET_CPU_STAT for veid 101: not supported: ") ||
		!strings.HasSuffix(err.Error(), " (ENOTTY)") {
		t.Fatalf("got %+v, %v", s, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CPUStat(101); !errors.Is(err, os.ErrClosed) || err.Error() != "/dev/null: closed" {
		t.Errorf("CPUStat after Close: %v", err)
	}
	if err := f.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

// A device the caller may not open (mode 0600, root's) is fs.ErrPermission.
// As root, the test makes the device node and the test binary opens it
// again as user nobody.
func TestOpenPermissionDenied(t *testing.T) {
	if path := os.Getenv("VZCTL_TEST_OPEN_AS_NOBODY"); path != "" {
		_, err := vzctl.Open(path)
		if !errors.Is(err, fs.ErrPermission) || err.Error() != path+": permission denied (the vzctl device is root-only)" {
			t.Fatalf("as uid %d: %v", os.Getuid(), err)
		}
		os.Stdout.WriteString("opened as nobody: permission denied\n")
		return
	}
	dir, err := os.MkdirTemp("", "vzctl-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// A node with vzctl's numbers (126:0), as vzctl's udev rule makes it:
	// root's, mode 0600. Only root may make one.
	if os.Geteuid() != 0 {
		t.Skip("making a device node needs root")
	}
	path := filepath.Join(dir, "vzctl")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o600, 126<<8); err != nil {
		t.Skipf("cannot make a device node here: %v", err)
	}
	// nobody must be able to reach the test binary and the file's directory.
	bin := filepath.Join(dir, "vzctl.test")
	b, err := os.ReadFile(os.Args[0])
	if err == nil {
		err = os.WriteFile(bin, b, 0o755)
	}
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestOpenPermissionDenied$", "-test.v")
	cmd.Env = append(os.Environ(), "VZCTL_TEST_OPEN_AS_NOBODY="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "opened as nobody: permission denied") {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}
