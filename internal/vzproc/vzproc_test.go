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
	f.Fuzz(func(_ *testing.T, in string) { // no crash, no hang on any input
		_, _ = vzproc.ParseVEStat(strings.NewReader(in), "fuzz")
	})
}

func FuzzParseUptime(f *testing.F) {
	f.Add("350735.47 234388.90\n")
	f.Fuzz(func(_ *testing.T, in string) { // no crash, no hang on any input
		_, _ = vzproc.ParseUptime(strings.NewReader(in), "fuzz")
	})
}

func TestParseVEInfo(t *testing.T) {
	in := "         0     0   412\n       101     0    27        10.0.0.101\n       102     0     9     192.168.1.12    192.168.1.11\n1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f     0    88  fe80::1\n"
	got, err := vzproc.ParseVEInfo(strings.NewReader(in), "veinfo")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got["101"].Tasks != 27 || len(got["102"].IPs) != 2 || got["1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f"].Tasks != 88 {
		t.Fatalf("%+v", got)
	}
	for _, bad := range []string{"101 0\n", "101 0 x\n", "101 0 1 notanip\n", "101 0 1\n101 0 2\n", "../x 0 1\n", "101 0 1"} {
		if _, err := vzproc.ParseVEInfo(strings.NewReader(bad), "veinfo"); err == nil || !strings.HasPrefix(err.Error(), "veinfo") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

const quotaHeader = "qid: path\n                     usage      softlimit      hardlimit       time     expire\n"

func TestParseVZQuota(t *testing.T) {
	in := quotaHeader + "101: /vz/private/101\n  1k-blocks         524288        1048576        1153434          0          0\n     inodes          20011         200000         220000          0          0\n" +
		"-- started --\n  1k-blocks              1              2              3          0          0\n     inodes              1              2              3          0          0\n"
	got, err := vzproc.ParseVZQuota(strings.NewReader(in), "vzquota")
	if err != nil {
		t.Fatal(err)
	}
	q := got["101"]
	if len(got) != 1 || q.Path != "/vz/private/101" || q.BlocksUsed != 524288 || q.BlocksHard != 1153434 || q.InodesSoft != 200000 {
		t.Fatalf("%+v", got)
	}
	for _, bad := range []string{"", "qid: path\n", quotaHeader + "101: /p\n", quotaHeader + "101: /p\n  1k-blocks 1 2\n",
		quotaHeader + "101 /p\n", quotaHeader + "101: /p\n  inodes 1 2 3 0 0\n"} {
		if _, err := vzproc.ParseVZQuota(strings.NewReader(bad), "vzquota"); err == nil || !strings.HasPrefix(err.Error(), "vzquota") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	rhel6 := "Name:\tapache2\nState:\tD (disk sleep)\nTgid:\t4242\nPid:\t4242\nPPid:\t1\nTracerPid:\t0\nUid:\t33\t33\t33\t33\nGid:\t33\t33\t33\t33\nUtrace:\t0\nFDSize:\t64\nGroups:\t33 \nenvID:\t204\nVPid:\t152\nStopState:\t0\nVmPeak:\t  123 kB\n"
	f, ok := vzproc.ParseStatus([]byte(rhel6))
	if !ok || string(f.Name) != "apache2" || f.State != 'D' || string(f.EnvID) != "204" {
		t.Fatalf("%+v %v", f, ok)
	}
	if _, ok := vzproc.ParseStatus([]byte("Name:\tbash\nState:\tS (sleeping)\nPid:\t1\n")); ok {
		t.Fatal("status without envID accepted (not an OpenVZ kernel)")
	}
	if allocs := testing.AllocsPerRun(100, func() { vzproc.ParseStatus([]byte(rhel6)) }); allocs > 1 {
		t.Errorf("ParseStatus allocates %v times", allocs)
	}
}

func FuzzParseVEInfo(f *testing.F) {
	f.Add("       101     0    27        10.0.0.101\n")
	f.Fuzz(func(_ *testing.T, in string) { _, _ = vzproc.ParseVEInfo(strings.NewReader(in), "fuzz") }) // no crash, no hang
}

func FuzzParseVZQuota(f *testing.F) {
	f.Add(quotaHeader + "101: /vz/private/101\n  1k-blocks 1 2 3 0 0\n     inodes 1 2 3 0 0\n")
	f.Fuzz(func(_ *testing.T, in string) { _, _ = vzproc.ParseVZQuota(strings.NewReader(in), "fuzz") }) // no crash, no hang
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("Name:\tinit\nState:\tS (sleeping)\nenvID:\t101\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if st, ok := vzproc.ParseStatus(b); ok && len(st.Name) > len(b) {
			t.Fatal("name longer than input")
		}
	})
}

func TestStatusThreads(t *testing.T) {
	for in, want := range map[string]int{
		"Name:\tjava\nVmSwap:\t0 kB\nThreads:\t37\nSigQ:\t0/15567\n": 37,
		"Name:\tsh\nThreads:\t1\n":                                   1,
		"Name:\tsh\nThreads:\t1":                                     1,
		"Name:\tsh\n":                                                -1,
		"Name:\tsh\nThreads:\t\n":                                    -1,
		"Name:\tsh\nThreads:\tx1\n":                                  -1,
		"Name:\tsh\nThreads:\t99999999999999999999\n":                -1,
	} {
		n, ok := vzproc.StatusThreads([]byte(in))
		if !ok {
			n = -1
		}
		if n != want {
			t.Errorf("%q: %d, want %d", in, n, want)
		}
	}
}

// The state follows the last ')': a command name may hold ") " itself.
func TestParseStatState(t *testing.T) {
	for _, c := range []struct {
		in    string
		state byte
		ok    bool
	}{
		{"4243 (mysqld) D 1 4242 4242 0 -1 4202752 1520 0 3 0 12 5 0 0 20 0 13 0 4567\n", 'D', true},
		{"77 (a) R (b) S 1 77 77 0 -1\n", 'S', true},
		{"77 (x) ) Z 1 77\n", 'Z', true},
		{"77 (x)", 0, false},
		{"77 (x)\n", 0, false},
		{"77 x S 1\n", 0, false},
		{"77 (x) 5 1\n", '5', false},
	} {
		state, ok := vzproc.ParseStatState([]byte(c.in))
		if ok != c.ok || ok && state != c.state {
			t.Errorf("%q: %q %v, want %q %v", c.in, state, ok, c.state, c.ok)
		}
	}
}

// The kernel keeps 15 bytes of a command name.
func TestComm(t *testing.T) {
	for in, want := range map[string]string{"systemd-journald": "systemd-journal", "systemd-journal": "systemd-journal", "sshd": "sshd", "": ""} {
		if got := vzproc.Comm(in); got != want {
			t.Errorf("Comm(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseStatState(f *testing.F) {
	f.Add([]byte("1 (init) S 0 1 1 0 -1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		state, ok := vzproc.ParseStatState(b)
		if ok && !(state >= 'A' && state <= 'Z' || state >= 'a' && state <= 'z') {
			t.Fatalf("state %q is not a letter", state)
		}
	})
}
