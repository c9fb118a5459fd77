package check

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/status"
)

// fixedApp is a check that returns res, after waiting while the deadline
// is further away than wait.
func fixedApp(res Result, wait time.Duration) *App {
	var flags struct {
		cli.Common `embed:""`
	}
	return &App{Name: "check_x", Tag: "X", Flags: &flags, Common: &flags.Common,
		Check: func(ctx context.Context, pr *Progress) Result {
			pr.Stage("checking")
			if d, ok := ctx.Deadline(); ok && wait > 0 {
				time.Sleep(time.Until(d) - wait)
			}
			return res
		}}
}

// runApp runs app and returns the start and the end of what it printed
// (a million values need not be kept) and its exit code.
func runApp(app *App, args ...string) (string, int) {
	out, code, _ := runTimed(app, args...)
	return out, code
}

// runTimed is runApp that also returns when printing began, after the
// start.
func runTimed(app *App, args ...string) (string, int, time.Duration) {
	out := &headTail{start: time.Now()}
	np := nagios.NewPlugin()
	np.SetOutputTarget(out)
	np.SkipOSExit()
	Run(args, out, out, np, app)
	np.ReturnCheckResults()
	return string(out.head) + string(out.tail), np.ExitStatusCode, out.first
}

type headTail struct {
	head, tail  []byte
	start       time.Time
	first       time.Duration
	wroteBefore bool
}

func (w *headTail) Write(b []byte) (int, error) {
	if !w.wroteBefore {
		w.first, w.wroteBefore = time.Since(w.start), true
	}
	written := len(b)
	if n := min(len(b), 300-len(w.head)); n > 0 {
		w.head = append(w.head, b[:n]...)
		b = b[n:]
	}
	w.tail = append(w.tail, b...)
	w.tail = w.tail[max(0, len(w.tail)-300):]
	return written, nil
}

// bigResult has n detail perfdata values.
func bigResult(n int) Result {
	res := Result{State: status.Critical, Summary: "many"}
	for i := 0; i < n; i++ {
		res.Detail.Add(Perf{Label: "ct" + strconv.Itoa(n-i) + "_numproc", Value: strconv.Itoa(i), Min: "0", Max: "400"})
	}
	return res
}

// Rendering is part of the run and bounded by -t like the check: a result
// too big to lay out in time is an UNKNOWN naming that stage.
func TestRunTimesOutWhileRendering(t *testing.T) {
	app := fixedApp(bigResult(300000), 5*time.Millisecond)
	const want = "X UNKNOWN - timed out after 300ms while rendering the output"
	for attempt := 0; ; attempt++ {
		start := time.Now()
		out, code := runApp(app, "-t", "0.3")
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("took %v with -t 0.3", took)
		}
		if code == 3 && strings.HasPrefix(out, want) {
			return
		}
		// The check may end after the deadline on a busy machine.
		if attempt == 4 || !strings.Contains(out, "while checking") {
			t.Fatalf("exit %d:\n%.300s", code, out)
		}
	}
}

func TestRenderStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := render(ctx, "X", bigResult(100000), time.Now()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// The run time covers laying out the output, everything before printing:
// it was taken before, and a million values took seconds more.
func TestTimeCoversTheOutput(t *testing.T) {
	app := fixedApp(bigResult(300000), 0)
	out, _, printing := runTimed(app, "-t", "60")
	m := regexp.MustCompile(`'time'=(\d+)ms`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no time perfdata")
	}
	ms, _ := strconv.Atoi(m[1])
	// printing began right after the run time was taken
	if slack := 20 * time.Millisecond; time.Duration(ms)*time.Millisecond < printing-slack {
		t.Fatalf("time perfdata %dms, printing began after %v", ms, printing)
	}
}

// The budget is computed from sizes measured once: the allocations of a
// cut grow only with the steps of the binary search (each formats the
// note), not with the number of values; rendering at every step did, and
// took minutes for a million values.
func TestCutDoesNotRenderPerStep(t *testing.T) {
	allocs := func(n int) float64 {
		res := bigResult(n)
		res.MaxBytes = 2000
		return testing.AllocsPerRun(3, func() {
			if _, err := render(context.Background(), "X", res, time.Now()); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Generous: the count is the process's, and another test's abandoned
	// layout may still be ending; rendering per step made it 1.2 million.
	small, big := allocs(1000), allocs(100000)
	if big > small+500 {
		t.Fatalf("%v allocations for 1,000 values, %v for 100,000", small, big)
	}
}

// A listing (check_ubc --list) has its own path: printed as it is with
// exit 0 when its flag is given, an UNKNOWN when it fails, and the check
// runs when the flag is not given.
func TestList(t *testing.T) {
	for _, tt := range []struct {
		name    string
		list    func(context.Context, *Progress) ([]byte, bool, error)
		want    string
		wantErr int
	}{
		{"listed", func(context.Context, *Progress) ([]byte, bool, error) { return []byte("[]\n"), true, nil }, "[]\n", 0},
		{"failed", func(context.Context, *Progress) ([]byte, bool, error) { return nil, true, errors.New("no list") }, "X UNKNOWN - no list |", 3},
		{"not asked", func(context.Context, *Progress) ([]byte, bool, error) { return nil, false, nil }, "X OK - fine |", 0},
	} {
		app := fixedApp(Result{State: status.OK, Summary: "fine"}, 0)
		app.List = tt.list
		out, code := runApp(app)
		if !strings.HasPrefix(out, tt.want) || code != tt.wantErr || tt.name == "listed" && out != tt.want {
			t.Errorf("%s: exit %d, output %q", tt.name, code, out)
		}
	}
}

// More words the line for the dropped items, given their number.
func TestMoreGetsTheNumberDropped(t *testing.T) {
	res := Result{State: status.Warning, Summary: "s", MaxBytes: 90,
		More: func(n int) string { return strconv.Itoa(n) + " more not shown" }}
	for i := 0; i < 10; i++ {
		res.Items = append(res.Items, Item{Lines: []string{"item " + strconv.Itoa(i)}})
	}
	out, code := runApp(fixedApp(res, 0))
	shown := strings.Count(out, "item ")
	if code != 1 || shown == 0 || shown == 10 || !strings.Contains(out, "\n"+strconv.Itoa(10-shown)+" more not shown") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestLabel(t *testing.T) {
	for _, tt := range []struct {
		parts []string
		want  string
	}{
		{[]string{"ct204", "kmemsize"}, "ct204_kmemsize"},
		{[]string{"CT204", "KMemSize", "failcnt"}, "ct204_kmemsize_failcnt"},
		{[]string{"ctWeb 1|x", "a.b-c"}, "ctweb_1_x_a.b-c"},
		{[]string{"ct\u00c4"}, "ct__"}, // Ä lower-cases to ä, two bytes
		{[]string{"\u0130x"}, "ix"},    // İ lower-cases to i, one byte shorter
		{[]string{"", "x", ""}, "_x_"},
	} {
		if got := Label(tt.parts...); got != tt.want {
			t.Errorf("Label(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}
