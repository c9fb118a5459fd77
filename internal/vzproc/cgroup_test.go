package vzproc_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/vzproc"
)

// badInput is a damaged file and what its error must say, after the file
// name every error starts with.
type badInput struct{ name, in, want string }

// checkBad runs parse on each input as "src/file" and checks that it fails
// with an error naming the file and saying want (the line, where there is
// one).
func checkBad(t *testing.T, parse func(r io.Reader, source string) error, cases []badInput) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := parse(strings.NewReader(c.in), "src/file")
			if err == nil {
				t.Fatalf("%.60q accepted", c.in)
			}
			if !strings.HasPrefix(err.Error(), "src/file") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%.60q: error %q, want it to name src/file and say %q", c.in, err, c.want)
			}
		})
	}
}

// kernelLoad prints a load as the kernel's "%lu.%02lu" of LOAD_INT/LOAD_FRAC.
func kernelLoad(hundredths uint64) string {
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

func TestParseLoadAvg(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     [3]vzproc.Load
	}{
		{"kernel format", fmt.Sprintf("%s %s %s %d/%d %d\n", kernelLoad(14852), kernelLoad(5), kernelLoad(0), 37, 2048, 31337), [3]vzproc.Load{14852, 5, 0}},
		{"idle", "0.00 0.01 0.05 0/1 1\n", [3]vzproc.Load{0, 1, 5}},
		{"last pid -1 (fresh namespace)", "1.00 2.50 10.99 1/12 -1\n", [3]vzproc.Load{100, 250, 1099}},
		{"CRLF copy", "0.10 0.20 0.30 1/2 3\r\n", [3]vzproc.Load{10, 20, 30}},
		{"huge", "1844674407370955.15 0.00 0.00 1/2 3\n", [3]vzproc.Load{184467440737095515, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := vzproc.ParseLoadAvg(strings.NewReader(c.in), "src/file")
			if err != nil || got != c.want {
				t.Fatalf("%q: %v %v, want %v", c.in, got, err, c.want)
			}
		})
	}
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParseLoadAvg(r, s); return err }, []badInput{
		{"cut short", "0.05 0.10 0.15 1/123 4567", "line 1: last line has no newline"},
		{"cut in a field", "0.05 0.10 0.1", "line 1: last line has no newline"},
		{"one fraction digit", "0.5 0.10 0.15 1/2 3\n", "line 1: load average 1 \"0.5\" is not of the form N.NN"},
		{"three fraction digits", "0.05 0.100 0.15 1/2 3\n", "line 1: load average 2"},
		{"no fraction", "1 0.10 0.15 1/2 3\n", "line 1: load average 1"},
		{"no integer part", ".05 0.10 0.15 1/2 3\n", "line 1: load average 1"},
		{"negative", "-1.00 0.10 0.15 1/2 3\n", "line 1: load average 1"},
		{"sign", "+1.00 0.10 0.15 1/2 3\n", "line 1: load average 1"},
		{"garbage", "0.05 0.10 x.15 1/2 3\n", "line 1: load average 3"},
		{"overflow", "184467440737095516.16 0.10 0.15 1/2 3\n", "line 1: load average 1"},
		{"too few fields", "0.05 0.10 0.15\n", "line 1: expected 5 fields"},
		{"too many fields", "0.05 0.10 0.15 1/2 3 4\n", "line 1: expected 5 fields"},
		{"not running/total", "0.05 0.10 0.15 12 3\n", "line 1: field 4"},
		{"running/total garbage", "0.05 0.10 0.15 1/x 3\n", "line 1: field 4"},
		{"last pid garbage", "0.05 0.10 0.15 1/2 x\n", "line 1: field 5"},
		{"two lines", "0.05 0.10 0.15 1/2 3\n0.05 0.10 0.15 1/2 3\n", "line 2: more than one line"},
		{"blank second line", "0.05 0.10 0.15 1/2 3\n\n", "line 2: more than one line"},
		{"too long", strings.Repeat("1", 5000) + "\n", "line 1: longer than 4096 bytes"},
		{"too long, no newline", strings.Repeat("1", 5000), "line 1: longer than 4096 bytes"},
		{"blank", "\n", "line 1: expected 5 fields"},
	})
}

// A stopped container's cpu.proc.loadavg is empty: ErrEmpty, not damage.
func TestParseLoadAvgEmpty(t *testing.T) {
	_, err := vzproc.ParseLoadAvg(strings.NewReader(""), "machine.slice/101/cpu.proc.loadavg")
	if !errors.Is(err, vzproc.ErrEmpty) || err.Error() != "machine.slice/101/cpu.proc.loadavg: empty" {
		t.Fatalf("err = %v", err)
	}
	if _, err := vzproc.ParseLoadAvg(strings.NewReader("x\n"), "f"); errors.Is(err, vzproc.ErrEmpty) {
		t.Fatal("damage reported as an empty file")
	}
}

func TestLoadString(t *testing.T) {
	for l, want := range map[vzproc.Load]string{14852: "148.52", 5: "0.05", 0: "0.00", 100: "1.00", 1099: "10.99"} {
		if got := l.String(); got != want {
			t.Errorf("Load(%d) = %q, want %q", uint64(l), got, want)
		}
	}
}

func TestParseVEState(t *testing.T) {
	for in, want := range map[string]string{
		"RUNNING\n": "RUNNING", "STOPPED\n": "STOPPED", "STOPPING\n": "STOPPING", "STARTING\n": "STARTING",
		"RUNNING": "RUNNING", // no newline: tolerated
	} {
		if got, err := vzproc.ParseVEState(strings.NewReader(in), "ve.state"); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParseVEState(r, s); return err }, []badInput{
		{"empty", "", "src/file: empty file"},
		{"blank", "\n", "line 1: unknown state \"\""},
		{"lower case", "running\n", "line 1: unknown state \"running\", expected one of RUNNING, STOPPED, STOPPING, STARTING"},
		{"cut short", "RUNN", "line 1: unknown state \"RUNN\""},
		{"unknown word", "FROZEN\n", "line 1: unknown state \"FROZEN\""},
		{"control bytes quoted safely", "RUN\x1b[2J\n", "line 1: unknown state \"RUN?[2J\""},
		{"two lines", "RUNNING\nRUNNING\n", "line 2: more than one line"},
		{"too long", strings.Repeat("R", 5000), "line 1: longer than 4096 bytes"},
	})
}

func TestParseClockBootbased(t *testing.T) {
	for in, want := range map[string]time.Duration{
		fmt.Sprintf("%d %d", 350735, 470123456): 350735*time.Second + 470123456*time.Nanosecond, // the kernel's "%ld %ld"
		"0 0":                                   0,                                              // a container without a namespace
		"5 999999999\n":                         5*time.Second + 999999999,
		"9223372035 0":                          9223372035 * time.Second,
		"86400 0\r\n":                           24 * time.Hour,
		"1  2":                                  time.Second + 2,
	} {
		if got, err := vzproc.ParseClockBootbased(strings.NewReader(in), "ve.clock_bootbased"); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParseClockBootbased(r, s); return err }, []badInput{
		{"empty", "", "src/file: empty file"},
		{"nsec 1e9", "1 1000000000", "line 1: nanoseconds \"1000000000\" is not a number below 1000000000"},
		{"negative seconds", "-1 0", "line 1: seconds \"-1\""},
		{"negative nsec", "1 -5", "line 1: nanoseconds"},
		{"seconds only", "12345", "line 1: expected \"seconds nanoseconds\""},
		{"three numbers", "1 2 3", "line 1: expected \"seconds nanoseconds\""},
		{"garbage", "x 1", "line 1: seconds \"x\""},
		{"overflow", "99999999999999999999 0", "line 1: seconds"},
		{"over time.Duration", "9223372036 0", "line 1: seconds"},
		{"two lines", "1 2\n3 4", "line 2: more than one line"},
		{"too long", strings.Repeat("1", 4097) + " 1", "line 1: longer than 4096 bytes"},
	})
}

func TestParseVEID(t *testing.T) {
	for in, want := range map[string]uint32{fmt.Sprintf("%d\n", 101): 101, "4294967295\n": 4294967295, "1\n": 1} {
		if got, err := vzproc.ParseVEID(strings.NewReader(in), "ve.veid"); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParseVEID(r, s); return err }, []badInput{
		{"empty", "", "src/file: empty file"},
		{"cut short", "101", "line 1: last line has no newline"},
		{"host", "0\n", "line 1: \"0\" is not a container's numeric ID (1 to 4294967295)"},
		{"overflow", "4294967296\n", "line 1: \"4294967296\" is not"},
		{"negative", "-1\n", "line 1: \"-1\" is not"},
		{"sign", "+1\n", "line 1: \"+1\" is not"},
		{"UUID", "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f\n", "line 1: \"1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f\" is not"},
		{"two numbers", "1 2\n", "line 1: \"1 2\" is not"},
		{"two lines", "1\n2\n", "line 2: more than one line"},
	})
}

func TestParsePIDList(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []int
	}{
		{"empty file", "", []int{}},
		{"kernel format", fmt.Sprintf("%d\n%d\n%d\n", 1, 4242, 4194304), []int{1, 4242, 4194304}},
		{"one", "77\n", []int{77}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := vzproc.ParsePIDList(strings.NewReader(c.in), "tasks")
			if err != nil || got == nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("%q: %#v %v, want %v", c.in, got, err, c.want)
			}
		})
	}
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParsePIDList(r, s); return err }, []badInput{
		{"zero", "1\n0\n", "line 2: \"0\" is not a pid (1 to 4194304)"},
		{"negative", "-5\n", "line 1: \"-5\" is not a pid"},
		{"over PID_MAX_LIMIT", "4194305\n", "line 1: \"4194305\" is not a pid"},
		{"overflow", "99999999999999999999\n", "line 1: \"99999999999999999999\" is not a pid"},
		{"garbage", "1\n2\nabc\n", "line 3: \"abc\" is not a pid"},
		{"blank line", "1\n\n2\n", "line 2: \"\" is not a pid"},
		{"two on a line", "1 2\n", "line 1: \"1 2\" is not a pid"},
		{"cut short", "1\n2", "line 2: last line has no newline"},
		{"too long", strings.Repeat("1", 5000) + "\n", "line 1: longer than 4096 bytes"},
	})
}

// A damaged list cannot grow without bound: PID_MAX_LIMIT lines at most.
func TestParsePIDListBound(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 4M lines")
	}
	in := strings.Repeat("1\n", 4194304)
	if got, err := vzproc.ParsePIDList(strings.NewReader(in), "tasks"); err != nil || len(got) != 4194304 {
		t.Fatalf("%d pids, %v", len(got), err)
	}
	_, err := vzproc.ParsePIDList(strings.NewReader(in+"1\n"), "tasks")
	if err == nil || err.Error() != "tasks line 4194305: more than 4194304 pids (PID_MAX_LIMIT)" {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParseLoadAvg(f *testing.F) {
	f.Add("148.52 140.01 99.99 37/2048 31337\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := vzproc.ParseLoadAvg(strings.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		// What it read prints as the kernel would and reads back the same.
		again, err := vzproc.ParseLoadAvg(strings.NewReader(fmt.Sprintf("%s %s %s 1/1 1\n", got[0], got[1], got[2])), "fuzz")
		if err != nil || again != got {
			t.Fatalf("%v does not round-trip: %v %v", got, again, err)
		}
	})
}

func FuzzParseVEState(f *testing.F) {
	f.Add("RUNNING\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := vzproc.ParseVEState(strings.NewReader(in), "fuzz")
		if err == nil && got != strings.TrimRight(in, "\r\n ") {
			t.Fatalf("%q read as %q", in, got)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}

func FuzzParseClockBootbased(f *testing.F) {
	f.Add("350735 470123456")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := vzproc.ParseClockBootbased(strings.NewReader(in), "fuzz")
		if err == nil && got < 0 {
			t.Fatalf("%q read as %v", in, got)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}

func FuzzParseVEID(f *testing.F) {
	f.Add("101\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := vzproc.ParseVEID(strings.NewReader(in), "fuzz")
		if err == nil && got == 0 {
			t.Fatalf("%q read as veid 0", in)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}

func FuzzParsePIDList(f *testing.F) {
	f.Add("1\n4242\n4194304\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := vzproc.ParsePIDList(strings.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(got) != strings.Count(in, "\n") {
			t.Fatalf("%d pids from %d lines", len(got), strings.Count(in, "\n"))
		}
		for _, p := range got {
			if p < 1 || p > 4194304 {
				t.Fatalf("pid %d", p)
			}
		}
	})
}
