// Package checktest runs plugins in-process and compares their full
// output and exit code with golden files (go test -update rewrites them).
package checktest

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/check"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Run runs app with args and returns what it printed and its exit code.
func Run(app *check.App, args ...string) (string, int) {
	var out bytes.Buffer
	np := nagios.NewPlugin()
	np.SetOutputTarget(&out)
	np.SkipOSExit()
	check.Run(args, &out, &out, np, app)
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

var (
	buildMu  sync.Mutex
	binaries = map[string]string{}
)

// Binary builds ./cmd/<name> once per test process and returns its path,
// for tests that need real processes (concurrency, kill, privileges).
func Binary(t testing.TB, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := binaries[name]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "vzmon-bin-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, "./cmd/"+name)
	cmd.Dir = RepoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, b)
	}
	binaries[name] = out
	return out
}

// WriteNode writes a fresh copy of a node preset, or of a changed node, to
// dir (replacing what was there): tests change a node between runs.
func WriteNode(t testing.TB, dir string, write func(string) error) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
}

// GoldenTable runs each case (name: arguments) with a fresh app, in name
// order, and compares its output with testdata/golden/<dir>/<name>.txt.
func GoldenTable(t *testing.T, dir string, newApp func() *check.App, cases map[string][]string) {
	root := RepoRoot(t)
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			out, code := Run(newApp(), cases[name]...)
			Golden(t, filepath.Join(dir, name+".txt"), Normalize(out, root), code)
		})
	}
}
