package vzproc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/vzproc"
)

func TestParseMemInfo(t *testing.T) {
	for _, tc := range []struct {
		node string
		want vzproc.MemInfo
	}{
		{"ubc-misconfig", vzproc.MemInfo{Total: 1 << 30, SwapTotal: 1 << 29}},
		{"ovz-32bit", vzproc.MemInfo{Total: 64 << 30, SwapTotal: 8 << 30, LowTotal: 889960 << 10}},
	} {
		p := filepath.Join("..", "..", "testdata", "nodes", tc.node, "proc", "meminfo")
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := vzproc.ParseMemInfo(f, p)
		f.Close()
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.node, got, err, tc.want)
		}
	}
}

func TestParseMemInfoErrors(t *testing.T) {
	for in, want := range map[string]string{
		"SwapTotal: 1 kB\n":                 "no MemTotal line",
		"MemTotal: 1 kB\n":                  "no SwapTotal line",
		"MemTotal: 0 kB\nSwapTotal: 0 kB\n": "MemTotal is 0",
		"MemTotal: x kB\nSwapTotal: 0 kB\n": `m line 1: MemTotal: "x" is not a size in kB`,
		"MemTotal: 1 MB\nSwapTotal: 0 kB\n": `m line 1: MemTotal: expected "N kB"`,
		"MemTotal: 1 kB\nSwapTotal: 0 kB":   "m line 2: last line has no newline",
		"MemTotal: 99999999999999999 kB\n":  "is not a size in kB",
	} {
		_, err := vzproc.ParseMemInfo(strings.NewReader(in), "m")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
	// Unknown and odd lines elsewhere are not ours to judge.
	m, err := vzproc.ParseMemInfo(strings.NewReader("MemTotal: 4 kB\nHugePages_Total:  0\nweird\nSwapTotal: 0 kB\n"), "m")
	if err != nil || m.Total != 4096 {
		t.Errorf("%+v %v", m, err)
	}
}

func FuzzParseMemInfo(f *testing.F) {
	f.Add("MemTotal:        1048576 kB\nSwapTotal:  0 kB\nLowTotal: 5 kB\n")
	f.Fuzz(func(_ *testing.T, in string) { // no crash, no hang on any input
		_, _ = vzproc.ParseMemInfo(strings.NewReader(in), "fuzz")
	})
}
