package vzctl

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"math"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// littleEndian skips a test whose hex is the little-endian layout (x86,
// arm64) on a big-endian host.
func littleEndian(t *testing.T) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("big-endian host: the bytes below are little-endian")
	}
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGetCPUStatNumber(t *testing.T) {
	// _IOW('.', 6, struct vzctl_cpustatctl) as the C headers compute it.
	want := map[int]uintptr{8: 0x40102e06, 4: 0x40082e06}[nativeWord]
	if GetCPUStat != want {
		t.Fatalf("GetCPUStat = %#x, want %#x for %d-byte pointers", GetCPUStat, want, nativeWord)
	}
}

func TestEncodeRequest(t *testing.T) {
	littleEndian(t)
	for _, tt := range []struct {
		word int
		veid uint32
		stat uint64
		want string // veid at 0; 64-bit: 4 bytes padding, pointer at 8; 32-bit: pointer at 4
	}{
		{8, 101, 0x00007f0012345678, "65000000 00000000 7856341200 7f0000"},
		{8, 0, 0, "00000000 00000000 0000000000000000"},
		{8, 4294967295, 0xffffffffffffffff, "ffffffff 00000000 ffffffffffffffff"},
		{8, 1000000, 0xc000012000, "40420f00 00000000 00200100c0000000"},
		{4, 101, 0x0804a000, "65000000 00a00408"},
		{4, 4294967295, 0xffffffff, "ffffffff ffffffff"},
		{4, 0, 0, "00000000 00000000"},
	} {
		got := encodeRequest(tt.word, tt.veid, tt.stat)
		if want := unhex(t, tt.want); !bytes.Equal(got, want) {
			t.Errorf("word %d veid %d stat %#x: got % x, want % x", tt.word, tt.veid, tt.stat, got, want)
		}
	}
}

// The struct this build hands the kernel is byte for byte EncodeRequest's,
// and the buffer it points to is struct vz_cpu_stat's size.
func TestRequestStructIsTheKernelsLayout(t *testing.T) {
	if got := unsafe.Sizeof(cpustatctl{}); got != uintptr(requestSize(nativeWord)) {
		t.Fatalf("sizeof(cpustatctl) = %d, want %d", got, requestSize(nativeWord))
	}
	var req cpustatctl
	if unsafe.Offsetof(req.veid) != 0 || unsafe.Offsetof(req.stat) != uintptr(nativeWord) {
		t.Fatalf("offsets veid %d, stat %d", unsafe.Offsetof(req.veid), unsafe.Offsetof(req.stat))
	}
	if got, want := len(rawStat{}), statSize(nativeWord); got != want || want != map[int]int{8: 80, 4: 64}[nativeWord] {
		t.Fatalf("buffer %d bytes, struct vz_cpu_stat %d", got, want)
	}
	buf := new(rawStat)
	for _, veid := range []uint32{0, 1, 101, 1000000, math.MaxUint32} {
		req.veid, req.stat = veid, unsafe.Pointer(buf)
		raw := unsafe.Slice((*byte)(unsafe.Pointer(&req)), unsafe.Sizeof(req))
		if want := EncodeRequest(veid, uintptr(unsafe.Pointer(buf))); !bytes.Equal(raw, want) {
			t.Errorf("veid %d: struct % x, EncodeRequest % x", veid, raw, want)
		}
	}
}

// Hand-built struct vz_cpu_stat: user 1000, nice 2, system 300 ticks, up
// 3600 s (360000 ticks, 3.6e12 ns), idle 5, strv 0, loads 148.52 3.05 0.99.
const (
	stat64 = "e803000000000000 0200000000000000 2c01000000000000 407e050000000000" + // unsigned long ×4
		" 0500000000000000 0000000000000000 00a0b83046030000" + // idle, strv, uptime_clk
		" 9400000034000000 0300000005000000 0000000063000000" // avenrun {148,52} {3,5} {0,99}
	stat32 = "e8030000 02000000 2c010000 407e0500" +
		" 0500000000000000 0000000000000000 00a0b83046030000" +
		" 9400000034000000 0300000005000000 0000000063000000"
)

var wantStat = CPUStat{
	UserJif: 1000, NiceJif: 2, SystemJif: 300, UptimeJif: 360000,
	IdleClk: 5, UptimeClk: 3600e9,
	Load: [3]Load{14852, 305, 99},
}

func TestDecodeCPUStat(t *testing.T) {
	littleEndian(t)
	for word, in := range map[int]string{8: stat64, 4: stat32} {
		b := unhex(t, in)
		if len(b) != statSize(word) {
			t.Fatalf("word %d: test input is %d bytes", word, len(b))
		}
		got, err := decodeCPUStat(word, b)
		if err != nil || got != wantStat {
			t.Errorf("word %d: got %+v, %v", word, got, err)
		}
		if !bytes.Equal(encodeCPUStat(word, got), b) {
			t.Errorf("word %d: the test encoder disagrees with the hand-built bytes", word)
		}
	}
	native := map[int]string{8: stat64, 4: stat32}[nativeWord]
	if got, err := DecodeCPUStat(unhex(t, native)); err != nil || got != wantStat {
		t.Errorf("DecodeCPUStat: %+v, %v", got, err)
	}
}

func TestDecodeCPUStatRefuses(t *testing.T) {
	littleEndian(t)
	good := unhex(t, stat64)
	at := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	for _, tt := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "struct vz_cpu_stat is 80 bytes, not 0"},
		{"short", good[:79], "is 80 bytes, not 79"},
		{"long", append(bytes.Clone(good), 0), "is 80 bytes, not 81"},
		{"32-bit layout", unhex(t, stat32), "is 80 bytes, not 64"},
		{"fraction 100", at(60, 100), "1-minute load average 148.100 is not a load"},
		{"negative fraction", at(68, math.MaxUint32), "5-minute load average 3.-1 is not a load"},
		{"negative integer", at(72, 0x80000000), "15-minute load average -2147483648.99 is not a load"},
	} {
		got, err := decodeCPUStat(8, tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || got != (CPUStat{}) {
			t.Errorf("%s: got %+v, %v; want error %q", tt.name, got, err, tt.want)
		}
	}
}

func TestUptime(t *testing.T) {
	for _, tt := range []struct {
		name     string
		jif, clk uint64
		want     time.Duration
		ok       bool
	}{
		{"one hour", 360000, 3600e9, time.Hour, true},
		{"just started", 0, 0, 0, true},
		{"half a second behind the ticks", 1000, 9.5e9, 9500 * time.Millisecond, true},
		{"a second ahead, within 1 s + 1%", 100, 2e9, 2 * time.Second, true},
		{"a day, 1% apart", 8640000, 86400e9 * 1.0099, time.Duration(86400e9 * 1.0099), true},
		{"2.6.18: TSC cycles at 2.4 GHz", 360000, 3600 * 2.4e9, 0, false},
		{"a 32-bit kernel's ticks wrapped (500 days)", 500*8640000 - 1<<32, 500 * 86400e9, 0, false},
		{"beyond time.Duration", math.MaxUint64 / 10000000, math.MaxUint64, 0, false},
	} {
		d, ok := CPUStat{UptimeJif: tt.jif, UptimeClk: tt.clk}.Uptime()
		if d != tt.want || ok != tt.ok {
			t.Errorf("%s: got %v %v, want %v %v", tt.name, d, ok, tt.want, tt.ok)
		}
	}
}

// Every errno the kernel's VZCTL_GET_CPU_STAT path returns maps to its
// kind, keeps the errno for errors.Is, and reads as one long-output line.
func TestIoctlErrors(t *testing.T) {
	const unsupported64 = "not supported: the vzmon module is not loaded, or not the vzctl device"
	const unsupported32 = "not supported: a 32-bit build cannot ask a 64-bit kernel (use the 64-bit build), or the vzmon module is not loaded, or not the vzctl device"
	for _, tt := range []struct {
		word  int
		errno syscall.Errno
		kind  error
		want  string
	}{
		{8, syscall.ENOENT, ErrNotRunning, "container not running (ENOENT)"},
		{8, syscall.ESRCH, ErrNotRunning, "container not running (ESRCH)"},
		{4, syscall.ESRCH, ErrNotRunning, "container not running (ESRCH)"},
		{8, syscall.EPERM, ErrNotPermitted, "not permitted inside a container: run the check on the hardware node (EPERM)"},
		{8, syscall.ENOTTY, ErrUnsupported, unsupported64 + " (ENOTTY)"},
		{8, syscall.EINVAL, ErrUnsupported, unsupported64 + " (EINVAL)"},
		{4, syscall.ENOTTY, ErrUnsupported, unsupported32 + " (ENOTTY)"},
		{4, syscall.EINVAL, ErrUnsupported, unsupported32 + " (EINVAL)"},
		{8, syscall.EFAULT, nil, "bad address (EFAULT)"},
		{8, syscall.ENOMEM, nil, "cannot allocate memory (ENOMEM)"},
		{8, syscall.Errno(200), nil, "errno 200 (errno 200)"},
	} {
		err := ioctlError(tt.word, "/dev/vzctl", 101, tt.errno)
		want := "/dev/vzctl: VZCTL_GET_CPU_STAT for veid 101: " + tt.want
		if err.Error() != want {
			t.Errorf("%d-bit %v:\n got %s\nwant %s", 8*tt.word, tt.errno, err, want)
		}
		if !errors.Is(err, tt.errno) {
			t.Errorf("%v: errors.Is(err, errno) is false", tt.errno)
		}
		for _, kind := range []error{ErrNotRunning, ErrNotPermitted, ErrUnsupported} {
			if want := errors.Is(kind, tt.kind); errors.Is(err, kind) != want {
				t.Errorf("%v: errors.Is(err, %q) = %v", tt.errno, kind, !want)
			}
		}
	}
	if got, want := IoctlError("/dev/vzctl", 7, syscall.ESRCH), ioctlError(nativeWord, "/dev/vzctl", 7, syscall.ESRCH); got.Error() != want.Error() {
		t.Errorf("IoctlError %q, native %q", got, want)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tt := range []struct {
		errno syscall.Errno
		is    error
		want  string
	}{
		{syscall.ENOENT, fs.ErrNotExist, "no such device (not an OpenVZ/Virtuozzo kernel, or its vzdev module is not loaded)"},
		{syscall.EACCES, fs.ErrPermission, "permission denied (the vzctl device is root-only)"},
		{syscall.EPERM, fs.ErrPermission, "permission denied (the vzctl device is root-only)"},
		{syscall.ELOOP, syscall.ELOOP, "a symbolic link: refused"},
		{syscall.ENXIO, syscall.ENXIO, "no such device or address"},
	} {
		err := openError("/dev/vzctl", tt.errno)
		if err.Error() != "/dev/vzctl: "+tt.want || !errors.Is(err, tt.is) {
			t.Errorf("%v: %v (is %v: %v)", tt.errno, err, tt.is, errors.Is(err, tt.is))
		}
	}
}

// encodeCPUStat is the kernel's side: struct vz_cpu_stat for a word size.
func encodeCPUStat(word int, s CPUStat) []byte {
	b := make([]byte, statSize(word))
	for i, v := range []uint64{s.UserJif, s.NiceJif, s.SystemJif, s.UptimeJif} {
		if word == 8 {
			binary.NativeEndian.PutUint64(b[8*i:], v)
		} else {
			binary.NativeEndian.PutUint32(b[4*i:], uint32(v))
		}
	}
	rest := b[4*word:]
	for i, v := range []uint64{s.IdleClk, s.StrvClk, s.UptimeClk} {
		binary.NativeEndian.PutUint64(rest[8*i:], v)
	}
	for i, l := range s.Load {
		binary.NativeEndian.PutUint32(rest[24+8*i:], uint32(l/100))
		binary.NativeEndian.PutUint32(rest[28+8*i:], uint32(l%100))
	}
	return b
}

func FuzzDecodeCPUStat(f *testing.F) {
	f.Add(unhex(f, stat64))
	f.Add(unhex(f, stat32))
	f.Add(make([]byte, 80))
	f.Fuzz(func(t *testing.T, in []byte) { // no crash; what decodes re-encodes to the same bytes
		for _, word := range []int{4, 8} {
			s, err := decodeCPUStat(word, in)
			if err != nil {
				continue
			}
			if out := encodeCPUStat(word, s); !bytes.Equal(out, in) {
				t.Fatalf("word %d: % x decoded to %+v, re-encoded to % x", word, in, s, out)
			}
			for _, l := range s.Load {
				if l > math.MaxInt32*100+99 {
					t.Fatalf("load %d out of range", l)
				}
			}
		}
	})
}
