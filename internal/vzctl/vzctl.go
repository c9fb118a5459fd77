// Package vzctl asks the OpenVZ/Virtuozzo kernel for a container's CPU
// statistics and load average with ioctl(VZCTL_GET_CPU_STAT) on /dev/vzctl
// (docs/formats.md §5.4a). It is what `vzlist -o laverage` uses, on every
// kernel generation, and the load is the one the container itself sees in
// its /proc/loadavg: the kernel's 1/5/15-minute averages of its runnable
// and uninterruptible threads, at no cost per process.
//
// The device is root-only: vzctl's udev rule creates it with mode 0600, and
// the same descriptor accepts commands that change containers
// (VZCTL_VE_MEMINFO, VZCTL_VE_CONFIGURE), so its mode must never be
// loosened for monitoring; a plugin not run as root does without it.
package vzctl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"github.com/vzmon/vzmon/internal/vzproc"
)

// Load is a load average in hundredths (val_int*100 + val_frac), as the
// cgroup files give it.
type Load = vzproc.Load

// CPUStat is struct vz_cpu_stat as the kernel fills it for one container.
type CPUStat struct {
	UserJif, NiceJif, SystemJif, UptimeJif uint64  // USER_HZ (100) ticks
	IdleClk, StrvClk, UptimeClk            uint64  // uptime: ns (TSC cycles on 2.6.18); idle: ns on VZ7, raw cputime on OpenVZ 6; strv: always 0
	Load                                   [3]Load // 1, 5, 15 minutes, hundredths
}

// userHZ is USER_HZ, the unit of the *_jif fields (clock_t): 100 on every
// architecture this is built for.
const userHZ = 100

// Uptime returns the time since the container started, from uptime_clk,
// when its unit is certain: nanoseconds on OpenVZ 6 (042stab) and later,
// which must then agree with uptime_jif (within 1 s + 1%). 2.6.18 kernels
// fill uptime_clk with TSC cycles, and a 32-bit kernel's uptime_jif wraps
// after 497 days: ok is false there, as for vestat's uptime.
func (s CPUStat) Uptime() (d time.Duration, ok bool) {
	ticks := s.UptimeClk / (uint64(time.Second) / userHZ)
	diff := max(ticks, s.UptimeJif) - min(ticks, s.UptimeJif)
	if diff > userHZ+s.UptimeJif/100 || s.UptimeClk > math.MaxInt64 {
		return 0, false
	}
	return time.Duration(s.UptimeClk), true
}

// Device asks the kernel; the real one is *File, tests use fakes.
type Device interface {
	CPUStat(veid uint32) (CPUStat, error)
}

var (
	// ErrNotRunning is a container that does not run (ENOENT on OpenVZ 6, whose
	// fairsched node goes with it; ESRCH on VZ7 and later, and for veid 0).
	ErrNotRunning = errors.New("container not running")
	// ErrNotPermitted is a request from inside a container about another (EPERM).
	ErrNotPermitted = errors.New("not permitted inside a container: run the check on the hardware node")
	// ErrUnsupported is a device that does not know the request (ENOTTY, EINVAL):
	// not the vzctl device, the vzmon module not loaded, or a 32-bit build
	// on a 64-bit kernel, whose compat path for it is unfinished.
	ErrUnsupported = errors.New("not supported")
)

// The C layout of the two structs, for a word (long, pointer) of 4 or 8
// bytes: envid_t is a u32, the pointer after it word-aligned; vz_cpu_stat
// starts with four unsigned longs (4 bytes each on a 32-bit kernel), then
// three u64 and three {int val_int, val_frac}, without padding either way.
const (
	nativeWord = int(unsafe.Sizeof(uintptr(0)))
	longs      = 4         // user, nice, system, uptime_jif
	statTail   = 3*8 + 3*8 // idle, strv, uptime_clk; avenrun[3]
)

func requestSize(word int) int { return 2 * word }
func statSize(word int) int    { return longs*word + statTail }

// cpustatctl is struct vzctl_cpustatctl as this build passes it to the
// kernel (its bytes equal EncodeRequest's, which the tests assert).
type cpustatctl struct {
	veid uint32
	stat unsafe.Pointer // struct vz_cpu_stat *: a [statSize]byte the kernel fills
}

// rawStat is the buffer the kernel writes struct vz_cpu_stat into.
type rawStat [longs*nativeWord + statTail]byte

// _IOW('.', 6, struct vzctl_cpustatctl) in the asm-generic encoding of x86
// and arm64: direction (write = 1) << 30 | size << 16 | type << 8 | number.
const (
	iocWrite     = 1
	vzctlType    = '.'
	getCPUStatNr = 6
)

// GetCPUStat is VZCTL_GET_CPU_STAT: 0x40102e06 on 64-bit builds,
// 0x40082e06 on 32-bit ones; the size in it keeps a 32-bit build from
// being answered with a 64-bit kernel's larger struct.
const GetCPUStat = iocWrite<<30 | unsafe.Sizeof(cpustatctl{})<<16 | vzctlType<<8 | getCPUStatNr

// EncodeRequest is struct vzctl_cpustatctl as the kernel reads it, in this
// build's layout, for the buffer at stat.
func EncodeRequest(veid uint32, stat uintptr) []byte {
	return encodeRequest(nativeWord, veid, uint64(stat))
}

func encodeRequest(word int, veid uint32, stat uint64) []byte {
	b := make([]byte, requestSize(word))
	binary.NativeEndian.PutUint32(b, veid)
	if word == 8 {
		binary.NativeEndian.PutUint64(b[8:], stat)
	} else {
		binary.NativeEndian.PutUint32(b[4:], uint32(stat))
	}
	return b
}

// DecodeCPUStat reads struct vz_cpu_stat as the kernel wrote it for this
// build (80 bytes on 64-bit, 64 on 32-bit). A load average with a
// negative integer part or a fraction outside 0..99 is an error: the
// kernel writes neither.
func DecodeCPUStat(b []byte) (CPUStat, error) {
	return decodeCPUStat(nativeWord, b)
}

func decodeCPUStat(word int, b []byte) (CPUStat, error) {
	var s CPUStat
	if len(b) != statSize(word) {
		return s, fmt.Errorf("struct vz_cpu_stat is %d bytes, not %d", statSize(word), len(b))
	}
	long := func(i int) uint64 {
		if word == 8 {
			return binary.NativeEndian.Uint64(b[8*i:])
		}
		return uint64(binary.NativeEndian.Uint32(b[4*i:]))
	}
	s.UserJif, s.NiceJif, s.SystemJif, s.UptimeJif = long(0), long(1), long(2), long(3)
	rest := b[4*word:]
	s.IdleClk = binary.NativeEndian.Uint64(rest)
	s.StrvClk = binary.NativeEndian.Uint64(rest[8:])
	s.UptimeClk = binary.NativeEndian.Uint64(rest[16:])
	for i := range s.Load {
		avg := rest[24+8*i:]
		whole := int32(binary.NativeEndian.Uint32(avg))
		frac := int32(binary.NativeEndian.Uint32(avg[4:]))
		if whole < 0 || frac < 0 || frac > 99 {
			return CPUStat{}, fmt.Errorf("%d-minute load average %d.%d is not a load", [3]int{1, 5, 15}[i], whole, frac)
		}
		s.Load[i] = Load(whole)*100 + Load(frac)
	}
	return s, nil
}

// File is an open vzctl device.
type File struct {
	path string
	fd   int
}

// Open opens the vzctl device at path for the ioctl (read-only is enough:
// the kernel checks no file mode). It refuses a symbolic link and anything
// but a character device; it opens non-blocking so that a FIFO there
// cannot hang it, and without taking a terminal as controlling one.
// errors.Is(err, fs.ErrNotExist) when there is no device (not an OpenVZ
// kernel, or the vzdev module not loaded), fs.ErrPermission when the
// caller is not root.
func Open(path string) (*File, error) {
	// Only the vzctl device is opened at all: opening some other
	// character devices has effects (a watchdog arms).
	var pre syscall.Stat_t
	if err := syscall.Lstat(path, &pre); err != nil {
		return nil, openError(path, err)
	}
	if err := checkDevice(path, &pre); err != nil {
		return nil, err
	}
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		return nil, openError(path, err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, &deviceError{path + ": " + err.Error(), []error{err}}
	}
	if err := checkDevice(path, &st); err != nil || st.Rdev != pre.Rdev {
		syscall.Close(fd)
		if err == nil {
			err = &deviceError{path + ": replaced while being opened", []error{ErrUnsupported}}
		}
		return nil, err
	}
	return &File{path: path, fd: fd}, nil
}

// vzctlMajor is the vzdev module's device major (VZCTL_MAJOR, the same in
// OpenVZ 6 and Virtuozzo 7); tests may accept any (0).
var vzctlMajor uint32 = 126

// checkDevice refuses anything but vzctl's character device (126:0).
func checkDevice(path string, st *syscall.Stat_t) error {
	if st.Mode&syscall.S_IFMT == syscall.S_IFLNK {
		return openError(path, syscall.ELOOP)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFCHR {
		return &deviceError{path + ": not a device: not the vzctl device", []error{ErrUnsupported}}
	}
	dev := uint64(st.Rdev) //nolint:unconvert // Rdev is uint32 on some architectures
	major := uint32((dev>>8)&0xfff | (dev>>32)&^0xfff)
	minor := uint32(dev&0xff | (dev>>12)&^0xff)
	if vzctlMajor != 0 && (major != vzctlMajor || minor != 0) {
		return &deviceError{fmt.Sprintf("%s: character device %d:%d, not the vzctl device (%d:0)", path, major, minor, vzctlMajor), []error{ErrUnsupported}}
	}
	return nil
}

// openError words a failed open(2) of the device.
func openError(path string, err error) error {
	var why string
	switch {
	case errors.Is(err, syscall.ENOENT):
		why = "no such device (not an OpenVZ/Virtuozzo kernel, or its vzdev module is not loaded)"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		why = "permission denied (the vzctl device is root-only)"
	case errors.Is(err, syscall.ELOOP):
		why = "a symbolic link: refused"
	default:
		why = err.Error()
	}
	return &deviceError{path + ": " + why, []error{err}}
}

// CPUStat asks the kernel for container veid's statistics. Its errors name
// the device, the request and the veid, and wrap ErrNotRunning,
// ErrNotPermitted, ErrUnsupported or else the raw errno.
func (f *File) CPUStat(veid uint32) (CPUStat, error) {
	if f.fd < 0 {
		return CPUStat{}, &deviceError{f.path + ": closed", []error{os.ErrClosed}}
	}
	buf := new(rawStat)
	req := cpustatctl{veid: veid, stat: unsafe.Pointer(buf)}
	var errno syscall.Errno
	for {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, uintptr(f.fd), GetCPUStat, uintptr(unsafe.Pointer(&req)))
		if errno != syscall.EINTR {
			break
		}
	}
	runtime.KeepAlive(buf) // the kernel wrote into it through req.stat
	if errno != 0 {
		return CPUStat{}, IoctlError(f.path, veid, errno)
	}
	s, err := DecodeCPUStat(buf[:])
	if err != nil {
		return CPUStat{}, &deviceError{fmt.Sprintf("%s: VZCTL_GET_CPU_STAT for veid %d: %v", f.path, veid, err), []error{err}}
	}
	return s, nil
}

// Close closes the device; a second Close is an error.
func (f *File) Close() error {
	if f.fd < 0 {
		return &deviceError{f.path + ": closed", []error{os.ErrClosed}}
	}
	fd := f.fd
	f.fd = -1
	if err := syscall.Close(fd); err != nil {
		return &deviceError{f.path + ": close: " + err.Error(), []error{err}}
	}
	return nil
}

// IoctlError is the error CPUStat returns when the ioctl on the device at
// path fails with errno, e.g. "/dev/vzctl: VZCTL_GET_CPU_STAT for veid
// 101: container not running (ESRCH)"; fakes return it to fail as the
// kernel does.
func IoctlError(path string, veid uint32, errno syscall.Errno) error {
	return ioctlError(nativeWord, path, veid, errno)
}

func ioctlError(word int, path string, veid uint32, errno syscall.Errno) error {
	var kind error
	why := errno.Error()
	switch errno {
	case syscall.ENOENT, syscall.ESRCH:
		kind, why = ErrNotRunning, ErrNotRunning.Error()
	case syscall.EPERM:
		kind, why = ErrNotPermitted, ErrNotPermitted.Error()
	case syscall.ENOTTY, syscall.EINVAL:
		kind, why = ErrUnsupported, "not supported: the vzmon module is not loaded, or not the vzctl device"
		if word == 4 {
			why = "not supported: a 32-bit build cannot ask a 64-bit kernel (use the 64-bit build), or the vzmon module is not loaded, or not the vzctl device"
		}
	}
	errs := []error{errno}
	if kind != nil {
		errs = append(errs, kind)
	}
	return &deviceError{fmt.Sprintf("%s: VZCTL_GET_CPU_STAT for veid %d: %s (%s)", path, veid, why, errnoName(errno)), errs}
}

// errnoNames are the symbolic names of the errnos the ioctl can return
// (the kernel's ve_get_cpu_stat and the device's dispatch).
var errnoNames = map[syscall.Errno]string{
	syscall.ENOENT: "ENOENT",
	syscall.ESRCH:  "ESRCH",
	syscall.EPERM:  "EPERM",
	syscall.ENOTTY: "ENOTTY",
	syscall.EINVAL: "EINVAL",
	syscall.EFAULT: "EFAULT",
	syscall.ENOMEM: "ENOMEM",
	syscall.EBADF:  "EBADF",
}

func errnoName(e syscall.Errno) string {
	if n, ok := errnoNames[e]; ok {
		return n
	}
	return fmt.Sprintf("errno %d", int(e))
}

// deviceError is a failure worded for a long-output line; errors.Is finds
// its causes (one of the Err* above and the errno).
type deviceError struct {
	msg  string
	errs []error
}

func (e *deviceError) Error() string   { return e.msg }
func (e *deviceError) Unwrap() []error { return e.errs }

var _ Device = (*File)(nil)
