package check

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/text"
)

// refResult is a Result as it was, with Detail a []Perf.
type refResult struct {
	Result
	Detail []Perf
}

// reference is the budget as it was done through go-nagios: render the
// whole output at every step of a binary search. It is the specification
// render must meet byte for byte, in linear time.
func reference(tag string, res refResult, timePerf Perf) string {
	keep := len(res.Items)
	fits := func(r refResult, k int) bool {
		return res.MaxBytes <= 0 || len(refRender(tag, r, k, timePerf)) <= res.MaxBytes
	}
	if !fits(res, keep) {
		all, tail := res.Detail, res.Tail[:len(res.Tail):len(res.Tail)]
		cut := func(d int) {
			res.Detail, res.Tail = all[:d], tail
			if d < len(all) {
				res.Tail = slices.Concat(tail, []string{fmt.Sprintf(detailCut, len(all)-d, len(all))})
			}
		}
		cut(largest(len(all), func(d int) bool { cut(d); return fits(res, keep) }))
		if !fits(res, keep) {
			keep = largest(keep, func(k int) bool { return fits(res, k) })
			for len(refRender(tag, res, keep, timePerf)) > res.MaxBytes {
				switch {
				case len(res.Tail) > 0:
					res.Tail = res.Tail[:len(res.Tail)-1]
				case len(res.Head) > 0:
					res.Head = res.Head[:len(res.Head)-1]
				case len(res.Perf) > 0:
					res.Perf = res.Perf[:len(res.Perf)-1]
				case len(res.Summary) > 20:
					res.Summary = text.Clean(res.Summary, len(res.Summary)*3/4)
				default:
					return refRender(tag, res, keep, timePerf)
				}
			}
		}
	}
	return refRender(tag, res, keep, timePerf)
}

func refRender(tag string, res refResult, keep int, timePerf Perf) string {
	var buf bytes.Buffer
	np := nagios.NewPlugin()
	np.SetOutputTarget(&buf)
	np.SkipOSExit()
	summary := res.Summary
	if summary == "" {
		summary = "no details"
	}
	np.ServiceOutput = res.State.String() + ": " + summary
	if tag != "" {
		np.ServiceOutput = tag + " " + res.State.String() + " - " + summary
	}
	var lines []string
	lines = append(lines, res.Head...)
	var perf []Perf
	for _, it := range res.Items[:keep] {
		lines = append(lines, it.Lines...)
		perf = append(perf, it.Perf...)
	}
	if dropped := len(res.Items) - keep; dropped > 0 && res.More != nil {
		lines = append(lines, res.More(dropped))
	}
	lines = append(lines, res.Tail...)
	np.LongServiceOutput = strings.Join(lines, nagios.CheckOutputEOL)
	perf = append(append(append(perf, res.Perf...), res.Detail...), timePerf)
	seen := map[string]bool{}
	for _, p := range perf {
		label := strings.ToLower(p.Label)
		for n := 2; seen[label]; n++ {
			label = strings.ToLower(p.Label) + "_" + strconv.Itoa(n)
		}
		seen[label] = true
		_ = np.AddPerfData(true, nagios.PerformanceData{Label: label, Value: p.Value, UnitOfMeasurement: p.UOM,
			Warn: p.Warn, Crit: p.Crit, Min: p.Min, Max: p.Max})
	}
	np.ReturnCheckResults()
	return buf.String()
}

// randomResult makes a result with unique labels (some upper-case), or
// with dup many equal ones and "time", and lines, summaries and fields of
// every length, empty ones included.
func randomResult(r *rand.Rand, dup bool) refResult {
	word := func(most int) string {
		b := make([]byte, r.IntN(most+1))
		for i := range b {
			b[i] = "abcdefghij XYZ|.-_0123456789"[r.IntN(28)]
		}
		return string(b)
	}
	n := 0
	perf := func(k int) []Perf {
		ps := make([]Perf, k)
		for i := range ps {
			n++
			label := fmt.Sprintf("m%03d_%s", n, strings.Repeat("x", r.IntN(12)))
			if dup {
				label = []string{"a", "A", "a_2", "time", "b"}[r.IntN(5)]
			}
			if r.IntN(4) == 0 {
				label = strings.ToUpper(label)
			}
			ps[i] = Perf{Label: label, Value: strconv.Itoa(r.IntN(1 << 20)), UOM: []string{"", "B", "c", "%"}[r.IntN(4)],
				Warn: word(4), Crit: word(4), Min: []string{"", "0"}[r.IntN(2)], Max: word(6)}
		}
		return ps
	}
	lines := func(k int) []string {
		ls := make([]string, r.IntN(k+1))
		for i := range ls {
			ls[i] = word(60)
		}
		return ls
	}
	res := refResult{Result: Result{State: status.Status(r.IntN(4)), Summary: word(120) + []string{"", " ", " \t"}[r.IntN(3)],
		Head: lines(2), Tail: lines(2), Perf: perf(r.IntN(4))}, Detail: perf(r.IntN(40))}
	if r.IntN(2) == 0 {
		res.More = func(n int) string { return strconv.Itoa(n) + " more not shown" }
	}
	for k := r.IntN(6); k > 0; k-- {
		res.Items = append(res.Items, Item{Lines: lines(3), Perf: perf(r.IntN(3))})
	}
	return res
}

// timeValue is the run time (checks' items here have no unit "ms").
var timeValue = regexp.MustCompile(`('time(?:_\d+)?')=\d+ms`)

// TestRenderMatchesReference: the output is go-nagios's, byte for byte,
// and the budget keeps exactly what rendering at every step kept.
func TestRenderMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 7))
	// A start long ago gives the run time six digits in both renderings.
	start := time.Now().Add(-123456 * time.Millisecond)
	for i := 0; i < 3000; i++ {
		// The labels made unique differ from the reference's only when
		// the budget cuts: they are made unique over all items, so that a
		// metric keeps its label whatever the budget drops.
		dup := i%5 == 0
		res := randomResult(r, dup)
		tag := []string{"", "UBC"}[r.IntN(2)]
		full := reference(tag, res, Perf{Label: "time", Value: "999999", UOM: "ms"})
		if dup || r.IntN(4) == 0 {
			res.MaxBytes = []int{0, -1}[r.IntN(2)]
		} else {
			res.MaxBytes = r.IntN(len(full) + 20)
		}
		want := reference(tag, res, Perf{Label: "time", Value: "999999", UOM: "ms"})
		res.Result.Detail = PerfList{}
		res.Result.Detail.Add(res.Detail...)
		out, err := render(context.Background(), tag, res.Result, start)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := out.print(&buf); err != nil {
			t.Fatal(err)
		}
		got := timeValue.ReplaceAllString(buf.String(), "$1=999999ms")
		if got != want {
			t.Fatalf("case %d (budget %d):\n--- got\n%q\n--- want\n%q", i, res.MaxBytes, got, want)
		}
		if out.state != res.State {
			t.Fatalf("case %d: state %v, want %v", i, out.state, res.State)
		}
	}
}
