package checkfailcnt_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/checkfailcnt"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/statefile"
)

// bumpTable rewrites proc/bc/resources atomically (temp + rename, as the
// kernel's file is always read whole and consistent).
func bumpTable(t testing.TB, root string, n *nodegen.Node) {
	t.Helper()
	var b bytes.Buffer
	if err := nodegen.WriteBCResources(&b, n.Kernel, n.Cts, false); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(root, "proc", "bc", ".resources.new")
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(root, "proc", "bc", "resources")); err != nil {
		t.Fatal(err)
	}
}

var increaseMetric = regexp.MustCompile(`'failcnt_increase'=(\d+)c`)

// 64 simultaneous runs, 20 rounds, failcnts growing while they run: with
// --hold 0 each increase is reported by exactly the run that saw it, so
// the increases reported add up to the total growth: none lost, none
// counted twice, and the state stays valid.
func TestConcurrentRunsLoseNoIncrement(t *testing.T) {
	procs, rounds := 64, 20
	if testing.Short() {
		procs, rounds = 16, 4 // make test; make reliability runs the full storm
	}
	bin := checktest.Binary(t, "check_ubc_failcnt")
	tmp := t.TempDir()
	root, state := filepath.Join(tmp, "node"), filepath.Join(tmp, "state.json")
	node := nodegen.Incident204()
	checktest.WriteNode(t, root, node.Write)
	args := []string{"--root", root, "--state-file", state, "--hold", "0", "-t", "60"}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("baseline: %v\n%s", err, out)
	}
	var total uint64
	fc := uint64(1861284)
	var reported uint64
	var mu sync.Mutex
	for r := 0; r < rounds; r++ {
		var wg sync.WaitGroup
		for p := 0; p < procs; p++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, _ := exec.Command(bin, args...).CombinedOutput()
				m := increaseMetric.FindSubmatch(out)
				if m == nil {
					t.Errorf("no increase metric in:\n%s", out)
					return
				}
				v, _ := strconv.ParseUint(string(m[1]), 10, 64)
				mu.Lock()
				reported += v
				mu.Unlock()
			}()
			if p%(procs/4) == 0 { // grow while the round runs
				fc += uint64(p + r + 1)
				setFailcnt(t, node, "204", "tcpsndbuf", fc)
				bumpTable(t, root, node)
			}
		}
		wg.Wait()
	}
	total = fc - 1861284
	out, _ := exec.Command(bin, args...).CombinedOutput() // sees the last growth, if any run missed it
	if m := increaseMetric.FindSubmatch(out); m != nil {
		v, _ := strconv.ParseUint(string(m[1]), 10, 64)
		reported += v
	}
	if reported != total {
		t.Fatalf("increases reported %d, grown %d", reported, total)
	}
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	st, err := statefile.Decode(b)
	if err != nil {
		t.Fatalf("state invalid after the storm: %v", err)
	}
	if got := st.Containers["204"].FailCnt["tcpsndbuf"]; got != fc {
		t.Fatalf("state holds %d, want %d", got, fc)
	}
	t.Logf("%d runs in %d rounds; %d increments reported exactly once", procs*rounds, rounds, total)
}

// SIGKILL at random moments of 500 runs: the state file is always a whole
// old or new state, never a partial one; the next run removes the temp
// files of killed runs.
func TestKilledRunsNeverCorruptState(t *testing.T) {
	runs := 500
	if testing.Short() {
		runs = 50
	}
	bin := checktest.Binary(t, "check_ubc_failcnt")
	tmp := t.TempDir()
	root, state := filepath.Join(tmp, "node"), filepath.Join(tmp, "st", "state.json")
	node := nodegen.Generated(200, 7) // large enough that a write takes a while
	checktest.WriteNode(t, root, node.Write)
	args := []string{"--root", root, "--state-file", state, "-t", "30"}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("baseline: %v\n%s", err, out)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	valid := func(when string) *statefile.State {
		b, err := os.ReadFile(state)
		if err != nil {
			t.Fatalf("%s: state file missing: %v", when, err)
		}
		st, err := statefile.Decode(b)
		if err != nil {
			t.Fatalf("%s: partial or corrupt state: %v", when, err)
		}
		return st
	}
	var killed int
	for i := 0; i < runs; i++ {
		setFailcnt(t, node, node.Cts[i%len(node.Cts)].ID, "numproc", uint64(i+1))
		bumpTable(t, root, node)
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(12000)) * time.Microsecond)
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			killed++
		}
		cmd.Wait()
		valid(fmt.Sprintf("after run %d", i))
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil && !bytes.Contains(out, []byte("UBC FAILCNT")) {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	st := valid("after the final run")
	if len(st.Containers) != 200 {
		t.Fatalf("state has %d containers", len(st.Containers))
	}
	if left, _ := filepath.Glob(state + ".tmp-*"); len(left) != 0 {
		t.Fatalf("temp files left after a clean run: %v", left)
	}
	t.Logf("%d runs, %d killed at random moments; state always whole", runs, killed)
}

// BenchmarkSteadyState1000 is one steady-state run (lock, read, parse,
// compare, write) on a generated 1000-container node.
func BenchmarkSteadyState1000(b *testing.B) {
	tmp := b.TempDir()
	root := filepath.Join(tmp, "node")
	if err := nodegen.Generated(1000, 1).Write(root); err != nil {
		b.Fatal(err)
	}
	args := []string{"--root", root, "--state-dir", filepath.Join(tmp, "state")}
	checktest.Run(checkfailcnt.New(), args...) // baseline
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, code := checktest.Run(checkfailcnt.New(), args...); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
