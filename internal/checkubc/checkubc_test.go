package checkubc_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
)

// TestGolden pins the full output and exit code for each node and flag
// combination (go test ./internal/checkubc -update rewrites the files).
func TestGolden(t *testing.T) {
	root := checktest.RepoRoot(t)
	node := func(n string) string { return filepath.Join(root, "testdata", "nodes", n) }
	checktest.GoldenTable(t, "check_ubc", checkubc.New, map[string][]string{
		"incident-204":             {"--root", node("incident-204")},
		"rhel6-vswap":              {"--root", node("rhel6-vswap")},
		"ovz-32bit":                {"--root", node("ovz-32bit")},
		"vz7-uuid":                 {"--root", node("vz7-uuid")},
		"one-ct-full-perfdata":     {"--root", node("incident-204"), "--ctid", "204"},
		"ct-by-name":               {"--root", node("incident-204"), "--ctid", "web1", "--resource", "tcpsndbuf,numproc"},
		"uuid-ct-by-name":          {"--root", node("vz7-uuid"), "--ctid", "app1", "-w", "95", "-c", "98"},
		"ct-not-running":           {"--root", node("incident-204"), "--ctid", "207"},
		"ct-no-such-id":            {"--root", node("incident-204"), "--ctid", "999"},
		"ct-unknown-name":          {"--root", node("incident-204"), "--ctid", "nosuch"},
		"exclude-incident":         {"--root", node("incident-204"), "--exclude-ctid", "web1", "-w", "80", "-c", "90"},
		"host-ct0-named":           {"--root", node("rhel6-vswap"), "--ctid", "0"},
		"physpages-on":             {"--root", node("incident-204"), "--threshold", "physpages=90,98"},
		"maxheld":                  {"--root", node("ovz-32bit"), "--maxheld", "-w", "95", "-c", "96"},
		"guarantee-named":          {"--root", node("ovz-32bit"), "--resource", "oomguarpages"},
		"guarantee-0-named":        {"--root", node("incident-204"), "--ctid", "204", "--resource", "oomguarpages"},
		"guarantee-0-node":         {"--root", node("incident-204"), "--resource", "oomguarpages,numproc"},
		"resource-off":             {"--root", node("incident-204"), "--threshold", "tcpsndbuf=,"},
		"verbose":                  {"--root", node("incident-204"), "-v"},
		"very-verbose":             {"--root", node("incident-204"), "-vv"},
		"perfdata-all":             {"--root", node("rhel6-vswap"), "--perfdata", "all", "--max-output", "0"},
		"perfdata-all-default":     {"--root", node("incident-204"), "--perfdata", "all"},
		"perfdata-all-cut":         {"--root", node("incident-204"), "--perfdata", "all", "--max-output", "1500"},
		"tiny-budget":              {"--root", node("incident-204"), "--max-output", "300"},
		"not-openvz":               {"--root", node("no-such-node")},
		"damaged-table":            {"--root", node("broken-ubc")},
		"bad-flag":                 {"--bogus"},
		"bad-range":                {"-w", "10:5"},
		"bad-resource":             {"--resource", "tcpsendbuf"},
		"bad-threshold":            {"--threshold", "tcpsndbuf=90"},
		"bad-timeout":              {"-t", "soon"},
		"help":                     {"--help"},
		"list":                     {"--root", node("incident-204"), "--list"},
		"version":                  {"--version"},
		"config-misconfig":         {"--root", node("ubc-misconfig"), "--mode", "config"},
		"config-misconfig-verbose": {"--root", node("ubc-misconfig"), "--mode", "config", "-v"},
		"config-misconfig-strict":  {"--root", node("ubc-misconfig"), "--mode", "config", "--strict"},
		"config-stopped-by-name":   {"--root", node("ubc-misconfig"), "--mode", "config", "--ctid", "old"},
		"config-unsaved":           {"--root", node("ubc-misconfig"), "--mode", "config", "--ctid", "304"},
		"config-consistent":        {"--root", node("ovz-32bit"), "--mode", "config", "-v"},
		"config-vswap":             {"--root", node("rhel6-vswap"), "--mode", "config", "-v"},
		"config-no-meminfo":        {"--root", node("vz7-uuid"), "--mode", "config"},
		"config-refuses-resource":  {"--root", node("ubc-misconfig"), "--mode", "config", "--resource", "numproc"},
		"strict-without-config":    {"--root", node("ubc-misconfig"), "--strict"},
		"memory-overcommitted":     {"--root", node("ubc-misconfig"), "--mode", "memory"},
		"memory-critical":          {"--root", node("ubc-misconfig"), "--mode", "memory", "-w", "30", "-c", "40"},
		"memory-32bit":             {"--root", node("ovz-32bit"), "--mode", "memory"},
		"memory-vswap":             {"--root", node("rhel6-vswap"), "--mode", "memory"},
		"memory-no-meminfo":        {"--root", node("vz7-uuid"), "--mode", "memory"},
		"memory-incident-204":      {"--root", node("incident-204"), "--mode", "memory"},
		"memory-exclude":           {"--root", node("ubc-misconfig"), "--mode", "memory", "--exclude-ctid", "db2"},
		"config-bad-mode":          {"--root", node("incident-204"), "--mode", "configs"},
	})
}

// The default output of a whole-node check fits NRPE 2's 1,023 bytes on
// any node size.
func TestNodeOutputFitsNRPE2(t *testing.T) {
	root := checktest.RepoRoot(t)
	out, code := checktest.Run(checkubc.New(), "--root", filepath.Join(root, "testdata", "nodes", "incident-204"), "-w", "1", "-c", "2")
	if code != 2 || len(out) > checkubc.NodeBudget {
		t.Fatalf("exit %d, %d bytes:\n%s", code, len(out), out)
	}
	if !strings.Contains(out, "more problems not shown") || !strings.Contains(out, "| ") {
		t.Fatalf("budgeted output lost its note or perfdata:\n%s", out)
	}
}

// A beancounter file whose read blocks (a FIFO with no writer) ends as
// UNKNOWN naming the file, within the timeout.
func TestBlockingReadTimesOut(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "proc", "bc"), 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "proc", "bc", "resources")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	start := time.Now()
	out, code := checktest.Run(checkubc.New(), "--root", dir, "-t", "0.3")
	if took := time.Since(start); took > 1300*time.Millisecond {
		t.Errorf("took %v with -t 0.3", took)
	}
	if code != 3 || !strings.Contains(out, "timed out after 300ms while reading "+fifo) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// When the budget cuts per-resource perfdata, the output still fits and
// its last long-output line counts exactly the values left out.
func TestCutPerfdataIsCounted(t *testing.T) {
	root := checktest.RepoRoot(t)
	args := []string{"--root", filepath.Join(root, "testdata", "nodes", "incident-204"), "--perfdata", "all"}
	full, _ := checktest.Run(checkubc.New(), append(args, "--max-output", "0")...)
	perCT := regexp.MustCompile(`'ct[^']*'=`)
	total := len(perCT.FindAllString(full, -1))
	note := regexp.MustCompile(`perfdata: (\d+) of (\d+) detail values not shown`)
	for _, budget := range []int{1023, 1500, 3000, 6000} {
		out, code := checktest.Run(checkubc.New(), append(args, "--max-output", fmt.Sprint(budget))...)
		if code != 2 || len(out) > budget {
			t.Fatalf("budget %d: exit %d, %d bytes", budget, code, len(out))
		}
		m := note.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("budget %d: no note:\n%s", budget, out)
		}
		shown := len(perCT.FindAllString(out, -1))
		if m[2] != fmt.Sprint(total) || m[1] != fmt.Sprint(total-shown) {
			t.Errorf("budget %d: note says %s of %s missing; %d of %d shown", budget, m[1], m[2], shown, total)
		}
	}
	if note.MatchString(full) {
		t.Errorf("note without a cut:\n%s", full)
	}
}

// Negative values reach their flag's check in every spelling, and a
// negative range works (issue 10 item 18).
func TestNegativeValues(t *testing.T) {
	node := filepath.Join(checktest.RepoRoot(t), "testdata", "nodes", "incident-204")
	for _, tt := range []struct {
		args  []string
		code  int
		first string
	}{
		{[]string{"--max-output", "-5"}, 3, `UBC UNKNOWN - invalid arguments: --max-output: "-5": must be 0 (no limit) or a number of bytes (see --help)`},
		{[]string{"--max-output=-5"}, 3, `UBC UNKNOWN - invalid arguments: --max-output: "-5": must be 0 (no limit) or a number of bytes (see --help)`},
		{[]string{"-t", "-5"}, 3, `UBC UNKNOWN - invalid arguments: --timeout: "-5": must be a positive number of seconds or a duration (like 10, 2.5 or 1m30s), at most 1h (see --help)`},
		{[]string{"-w", "-5"}, 3, `UBC UNKNOWN - invalid arguments: --warning: invalid range "-5": a single number N means 0 to N, so it cannot be negative; write both ends, like -10:-5 or ~:-5 (see --help)`},
		{[]string{"-c", "-5"}, 3, `UBC UNKNOWN - invalid arguments: --critical: invalid range "-5": a single number N means 0 to N, so it cannot be negative; write both ends, like -10:-5 or ~:-5 (see --help)`},
		{[]string{"-w", "-5:80", "-c", "-5:90"}, 2, "UBC CRITICAL - CT 204 (web1) tcpsndbuf 157% of barrier, numtcpsock 91.9% of barrier (6 containers checked)"},
	} {
		out, code := checktest.Run(checkubc.New(), append([]string{"--root", node}, tt.args...)...)
		if first, _, _ := strings.Cut(out, " | "); code != tt.code || !strings.HasPrefix(first, tt.first) {
			t.Errorf("%q: exit %d:\n%s", tt.args, code, out)
		}
	}
}
