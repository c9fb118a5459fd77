package vzproc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/vzproc"
)

func TestParseVEStatRealDump(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "real", "rhel6-vestat-64bit-bitstat.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := vzproc.ParseVEStat(f, "vestat")
	if err != nil {
		t.Fatal(err)
	}
	v, ok := st["719"]
	if len(st) != 3 || !ok || v.User != 779973 || v.UptimeJiffies != 104352274 || v.UptimeCycles != 104352274720395 {
		t.Fatalf("got %+v", st)
	}
	secs, ok := v.UptimeSeconds()
	if !ok || secs < 104352 || secs > 104353 {
		t.Fatalf("uptime %v %v", secs, ok)
	}
}

func TestUptimeUnitsMustBeCertain(t *testing.T) {
	// 2.6.18: column 8 is TSC cycles (2.4 GHz at HZ 1000): no known HZ fits.
	if _, ok := (vzproc.VEStat{UptimeJiffies: 1000000, UptimeCycles: 2400000000000}).UptimeSeconds(); ok {
		t.Fatal("cycles taken for nanoseconds")
	}
	if s, ok := (vzproc.VEStat{UptimeJiffies: 400000, UptimeCycles: 1600000000000}).UptimeSeconds(); !ok || s != 1600 {
		t.Fatal("HZ 250 not recognised")
	}
}

const vestatHeader = "Version: 2.2                  \n                VEID                 user                 nice               system               uptime                 idle                 strv               uptime                 used               maxlat               totlat             numsched\n"

func TestParseVEStatErrors(t *testing.T) {
	row := "                 101                    1                    2                    3                 1000                    5                    0           1000000000                    7                    0                    0                    0\n"
	for _, tt := range []struct{ in, want string }{
		{"", "header missing"},
		{"Version: 2.1\n", "line 1: unsupported header"},
		{vestatHeader[:13], "line 1: last line has no newline"},
		{vestatHeader + "101 1 2 3\n", "line 3: expected 12 columns, found 4"},
		{vestatHeader + strings.Replace(row, " 7 ", " x ", 1), "line 3: column 9 (used)"},
		{vestatHeader + row + row, "line 4: second row for container 101"},
		{vestatHeader + strings.Replace(row, "101", "../x", 1), "line 3: bad container ID"},
	} {
		_, err := vzproc.ParseVEStat(strings.NewReader(tt.in), "proc/vz/vestat")
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "proc/vz/vestat") {
			t.Errorf("%.40q: err = %v, want %q", tt.in, err, tt.want)
		}
	}
	if st, err := vzproc.ParseVEStat(strings.NewReader(vestatHeader), "v"); err != nil || len(st) != 0 {
		t.Errorf("header only: %v %v", st, err)
	}
}

func TestParseUptime(t *testing.T) {
	if up, err := vzproc.ParseUptime(strings.NewReader("350735.47 234388.90\n"), "u"); err != nil || up != 350735.47 {
		t.Fatalf("%v %v", up, err)
	}
	for _, bad := range []string{"", "1 2", "x 2\n", "1\n", "-1 2\n", "1 2\n3 4\n", "NaN 1\n"} {
		if _, err := vzproc.ParseUptime(strings.NewReader(bad), "u"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseVEStat(f *testing.F) {
	f.Add(vestatHeader + "                 101 1 2 3 1000 5 0 1000000000 7 0 0 0\n")
	f.Fuzz(func(t *testing.T, in string) {
		_, _ = vzproc.ParseVEStat(strings.NewReader(in), "fuzz")
	})
}

func FuzzParseUptime(f *testing.F) {
	f.Add("350735.47 234388.90\n")
	f.Fuzz(func(t *testing.T, in string) {
		_, _ = vzproc.ParseUptime(strings.NewReader(in), "fuzz")
	})
}
