package vzconf_test

import (
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/vzconf"
)

func TestParseBL(t *testing.T) {
	const um = ubc.LongMax64
	for _, tc := range []struct {
		res, in string
		b, l    uint64
	}{
		{"numtcpsock", "360:360", 360, 360},
		{"numtcpsock", "360", 360, 360},
		{"numproc", "unlimited", um, um},
		{"numproc", "240:unlimited", 240, um},
		{"tcpsndbuf", "1720320:2703360", 1720320, 2703360},
		{"tcpsndbuf", "1M:2m", 1 << 20, 2 << 20},
		{"tcpsndbuf", "1680K:2640k", 1680 << 10, 2640 << 10},
		{"kmemsize", "1G", 1 << 30, 1 << 30},
		{"kmemsize", "2P:3p", 8192, 12288},         // P is pages, in bytes here
		{"kmemsize", "100B:100b", 100, 100},        // B is bytes
		{"kmemsize", "1.5K", 1536, 1536},           // fraction with suffix
		{"kmemsize", "1.9", 1, 1},                  // fraction without suffix: truncated
		{"kmemsize", "0.0001K", 0, 0},              // 0.1024 truncated to 0
		{"privvmpages", "256M:272M", 65536, 69632}, // pages
		{"privvmpages", "6001B", 1, 1},             // bytes to pages truncate
		{"privvmpages", "65536:69632", 65536, 69632},
		{"physpages", "0:2P", 0, 2},
		{"physpages", "0:1G", 0, 262144},
		{"kmemsize", "9223372036854775807", um, um},
		{"kmemsize", "9223372036854775808", um, um},  // above LONG_MAX: clamped
		{"kmemsize", "18446744073709551615", um, um}, // ULLONG_MAX: clamped
		{"kmemsize", "9999999999999999G", um, um},    // suffix overflow: clamped
		{"privvmpages", "8589934592G", 2251799813685248, 2251799813685248},
	} {
		got, err := vzconf.ParseBL(tc.res, tc.in)
		if err != nil || got != (vzconf.BL{Barrier: tc.b, Limit: tc.l}) {
			t.Errorf("%s %q = %v, %v; want %d:%d", tc.res, tc.in, got, err, tc.b, tc.l)
		}
	}
}

func TestParseBLErrors(t *testing.T) {
	for _, tc := range []struct{ res, in string }{
		{"numproc", ""}, {"numproc", ":"}, {"numproc", "1:"}, {"numproc", ":1"},
		{"numproc", "10K"}, // counts take no suffix (vzctl divisor 0)
		{"kmemsize", "10X"}, {"kmemsize", "10KB"}, {"kmemsize", "1:2:3"},
		{"kmemsize", "-1"}, {"kmemsize", "+1"}, {"kmemsize", " 1"}, {"kmemsize", "1e3"},
		{"kmemsize", "0x10"}, {"kmemsize", ".5K"}, {"kmemsize", "unlimitedK"}, {"kmemsize", "Unlimited"},
		{"kmemsize", "18446744073709551616"}, // strtoull ERANGE
		{"kmemsize", "1." + strings.Repeat("1", 60)},
	} {
		if got, err := vzconf.ParseBL(tc.res, tc.in); err == nil {
			t.Errorf("%s %q = %v, want an error", tc.res, tc.in, got)
		}
	}
}

func TestConfigUBC(t *testing.T) {
	cfg, err := vzconf.Parse(strings.NewReader("TCPSNDBUF=\"1720320:2703360\"\nNUMPROC=\"x\"\n"), "101.conf")
	if err != nil {
		t.Fatal(err)
	}
	if bl, ok, err := cfg.UBC("tcpsndbuf"); !ok || err != nil || bl != (vzconf.BL{Barrier: 1720320, Limit: 2703360}) {
		t.Errorf("tcpsndbuf = %v %v %v", bl, ok, err)
	}
	if _, ok, err := cfg.UBC("numtcpsock"); ok || err != nil {
		t.Errorf("numtcpsock: ok %v err %v, want absent", ok, err)
	}
	if _, ok, err := cfg.UBC("numproc"); !ok || err == nil || !strings.Contains(err.Error(), `NUMPROC="x"`) {
		t.Errorf("numproc: ok %v err %v, want an error naming the key", ok, err)
	}
}

func FuzzParseBL(f *testing.F) {
	for _, s := range []string{"1:2", "1.5G:unlimited", "256M", "9223372036854775808", "1.", "10P"} {
		f.Add("privvmpages", s)
		f.Add("numproc", s)
	}
	f.Fuzz(func(t *testing.T, res, in string) {
		bl, err := vzconf.ParseBL(res, in)
		if err != nil {
			return
		}
		if bl.Barrier > ubc.LongMax64 || bl.Limit > ubc.LongMax64 {
			t.Fatalf("%q: %v above LONG_MAX", in, bl)
		}
		if !strings.Contains(in, ":") && bl.Barrier != bl.Limit {
			t.Fatalf("%q: single value gave %v", in, bl)
		}
	})
}
