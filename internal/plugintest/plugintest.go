// Package plugintest runs plugins in-process and compares their full
// output and exit code with golden files (go test -update rewrites them).
package plugintest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/plugin"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Run runs app with args and returns what it printed and its exit code.
func Run(app plugin.App, args ...string) (string, int) {
	var out bytes.Buffer
	np := nagios.NewPlugin()
	np.SetOutputTarget(&out)
	np.SkipOSExit()
	plugin.Run(args, &out, &out, np, app)
	np.ReturnCheckResults()
	return out.String(), np.ExitStatusCode
}

var timeMetric = regexp.MustCompile(`'time'=\d+ms`)

// Normalize removes what changes between runs: the run time and the
// repository's absolute path.
func Normalize(out, root string) string {
	out = timeMetric.ReplaceAllString(out, "'time'=0ms")
	if root != "" {
		out = strings.ReplaceAll(out, root, "ROOT")
	}
	return out
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// Golden compares got (output plus exit code) with testdata/golden/<name>.
func Golden(t *testing.T, name, out string, code int) {
	t.Helper()
	got := out + "exit=" + strconv.Itoa(code) + "\n"
	path := filepath.Join(RepoRoot(t), "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s--- want\n%s", name, got, want)
	}
}
