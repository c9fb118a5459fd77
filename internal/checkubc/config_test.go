package checkubc_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/vzconf"
)

var fixRe = regexp.MustCompile(`fix: vzctl set (\S+) --save((?: --[a-z]+ \S+)+)`)

// applyFixes does what the printed vzctl set --save lines would: the new
// values in the kernel (running containers) and in the config.
func applyFixes(t *testing.T, n *nodegen.Node, out string) int {
	t.Helper()
	ms := fixRe.FindAllStringSubmatch(out, -1)
	for _, m := range ms {
		var ct *nodegen.Container
		for i := range n.Cts {
			if n.Cts[i].ID == m[1] {
				ct = &n.Cts[i]
			}
		}
		if ct == nil {
			t.Fatalf("fix for unknown CT %s", m[1])
		}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			res := strings.TrimPrefix(f[i], "--")
			bl, err := vzconf.ParseBL(res, f[i+1]) // what vzctl reads from its command line
			if err != nil {
				t.Fatalf("%s %s: %v", res, f[i+1], err)
			}
			for j := range ct.Rows {
				if ct.Rows[j].Name == res {
					ct.Rows[j].Barrier, ct.Rows[j].Limit = bl.Barrier, bl.Limit
				}
			}
			for j := range ct.Conf {
				if ct.Conf[j].Key == strings.ToUpper(res) {
					ct.Conf[j].Value = f[i+1]
				}
			}
		}
	}
	return len(ms)
}

// Acceptance (issue 15): on the mis-sized node, --mode config warns naming
// the container, the rule and the numbers, with a vzctl set line that,
// applied to the node and checked again, leaves no findings at all.
func TestConfigFixApplied(t *testing.T) {
	for _, args := range [][]string{
		{"--exclude-ctid", "cache"},                   // Error rules
		{"--exclude-ctid", "cache", "--strict", "-v"}, // every rule
	} {
		n := nodegen.UBCMisconfig()
		dir := filepath.Join(t.TempDir(), "node")
		if err := n.Write(dir); err != nil {
			t.Fatal(err)
		}
		run := append([]string{"--root", dir, "--mode", "config"}, args...)
		out, code := checktest.Run(checkubc.New(), run...)
		if code != 1 || !strings.Contains(out, "CT 301 (web2) tcpsndbuf-gap") ||
			!strings.Contains(out, "tcpsndbuf limit-barrier should be >= 2560000 (2.5 KB x numtcpsock barrier 1000), currently 2703360-1720320=983040") {
			t.Fatalf("%q: exit %d:\n%s", args, code, out)
		}
		if got := applyFixes(t, n, out); got != 2 {
			t.Fatalf("%q: %d fix lines, want 2 (CT 301 and CT 303):\n%s", args, got, out)
		}
		dir2 := filepath.Join(t.TempDir(), "fixed")
		if err := n.Write(dir2); err != nil {
			t.Fatal(err)
		}
		run[1] = dir2
		again, code := checktest.Run(checkubc.New(), run...)
		if code != 0 || !strings.Contains(again, "'findings'=0;") {
			t.Errorf("%q: after the fix, exit %d:\n%s\nbefore:\n%s", args, code, again, out)
		}
	}
}
