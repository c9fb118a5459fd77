package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/text"
)

// App is one plugin: its flags and its check. An App may also implement
// Guard() error, which runs after the flags are parsed and refuses what
// is unsafe (see package privilege).
type App interface {
	// Name is the program name; Tag prefixes the state on the first line
	// ("UBC" gives "UBC CRITICAL - ...").
	Name() string
	Tag() string
	// Help is the description --help prints, with examples.
	Help() string
	// Icinga2 names the plugin's Icinga 2 CheckCommand (also its vars prefix).
	Icinga2() string
	// Flags returns the kong struct (embedding cli.Common) to fill.
	Flags() any
	Common() *cli.Common
	// Check runs after the flags are parsed, bounded by the timeout. It
	// must not touch the nagios plugin: it returns a Result.
	Check(ctx context.Context, pr *Progress) Result
}

// Meta identifies a plugin; apps embed it for Name, Tag, Help and Icinga2.
type Meta struct {
	Prog     string // program name
	StateTag string // "UBC" gives "UBC CRITICAL - ..."
	Usage    string // --help description with examples
	Command  string // Icinga 2 CheckCommand name and vars prefix
}

func (m Meta) Name() string    { return m.Prog }
func (m Meta) Tag() string     { return m.StateTag }
func (m Meta) Help() string    { return m.Usage }
func (m Meta) Icinga2() string { return m.Command }

// Progress names the stage a check is in, so that a timeout can say where
// it was stuck, and traces stages on stderr with -vvv.
type Progress struct {
	mu    sync.Mutex
	stage string
	lazy  func() string
	hint  func() []string // what to do if the timeout fires in this stage
	trace io.Writer
	start time.Time
	// commit serialises Commit with the timeout: once the timeout has
	// fired (closed), no commit starts; one in progress finishes first.
	commit sync.Mutex
	closed bool
}

// ErrTimedOut is what Commit returns after the timeout fired.
var ErrTimedOut = errors.New("timed out before the state was written; the previous state is kept")

// Stage records what the check is doing now ("reading /proc/bc/resources").
func (p *Progress) Stage(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	p.mu.Lock()
	p.stage, p.lazy, p.hint = s, nil, nil
	p.mu.Unlock()
	if p.trace != nil {
		fmt.Fprintf(p.trace, "[%8.3fms] %s\n", float64(time.Since(p.start).Microseconds())/1000, s)
	}
}

// StageFunc records a stage whose text fn computes when it is needed.
func (p *Progress) StageFunc(fn func() string) {
	p.mu.Lock()
	p.lazy, p.hint = fn, nil
	p.mu.Unlock()
	if p.trace != nil {
		fmt.Fprintf(p.trace, "[%8.3fms] %s\n", float64(time.Since(p.start).Microseconds())/1000, fn())
	}
}

// Current returns the current stage.
func (p *Progress) Current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lazy != nil {
		return p.lazy()
	}
	return p.stage
}

// Hint sets what a timeout in the current stage tells the admin to do,
// instead of the generic advice; fn runs when the timeout fires.
func (p *Progress) Hint(fn func() []string) {
	p.mu.Lock()
	p.hint = fn
	p.mu.Unlock()
}

func (p *Progress) currentHint() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hint != nil {
		return p.hint()
	}
	return []string{"the stage named did not finish in time; raise -t, or look for a blocked kernel file or storage"}
}

// Commit runs fn unless the timeout has fired; a timeout that fires
// meanwhile waits for fn to end, so the exit never cuts a state write short
// (and leaves no temp file behind).
func (p *Progress) Commit(fn func() error) error {
	p.commit.Lock()
	defer p.commit.Unlock()
	if p.closed {
		return ErrTimedOut
	}
	return fn()
}

func (p *Progress) close() {
	p.commit.Lock()
	p.closed = true
	p.commit.Unlock()
}

// Run parses args, runs the check under the timeout and hands the result
// to np. Help and version text go to stdout with exit 3.
func Run(args []string, stdout, stderr io.Writer, np *nagios.Plugin, app App) {
	start := time.Now()
	if slices.Contains(args, cli.DumpFlag) {
		text, err := cli.Icinga2Command(app.Flags(), app.Name(), app.Icinga2(), app.Icinga2())
		if err != nil {
			Apply(np, app.Tag(), Unknownf(nil, "%v", err), start)
			return
		}
		fmt.Fprint(stdout, text)
		np.ExitStatusCode = int(OK)
		return
	}
	err := cli.Parse(app.Flags(), app.Name(), app.Help(), args, stdout)
	if errors.Is(err, cli.ErrExited) {
		np.ExitStatusCode = int(Unknown)
		return
	}
	if err != nil {
		Apply(np, app.Tag(), Unknownf(nil, "%s", err), start)
		return
	}
	if g, ok := app.(interface{ Guard() error }); ok {
		if err := g.Guard(); err != nil {
			Apply(np, app.Tag(), Unknownf([]string{"run it as root directly to use such paths, or leave them at their defaults"}, "%v", err), start)
			return
		}
	}
	common := app.Common()
	pr := &Progress{start: start, stage: "starting"}
	if common.Verbose >= 3 {
		pr.trace = stderr
	}
	res := runBounded(pr, app, common.Timeout.Duration(), common.Verbose)
	if res.Raw != "" {
		fmt.Fprint(stdout, res.Raw) // a listing, not a check result
		np.ExitStatusCode = int(res.State)
		return
	}
	tag := app.Tag()
	if res.Tag != "" {
		tag = res.Tag
	}
	Apply(np, tag, res, start)
}

func runBounded(pr *Progress, app App, timeout time.Duration, verbose int) Result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan Result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// A bug must not look like a CRITICAL from the data.
				res := Unknownf([]string{"this is a bug; please report it with the command line"}, "internal error while %s: %v", pr.Current(), r)
				if verbose > 0 {
					res.Tail = strings.Split(string(debug.Stack()), "\n")
				}
				done <- res
			}
		}()
		done <- app.Check(ctx, pr)
	}()
	select {
	case res := <-done:
		return res
	case <-ctx.Done():
		stage, hint := pr.Current(), pr.currentHint()
		pr.close()
		return Unknownf(hint, "timed out after %s while %s", timeout, stage)
	}
}

// detailCut ends the long output when the budget dropped detail perfdata.
const detailCut = "perfdata: %d of %d per-resource values not shown (--max-output 0 shows all)"

// Apply renders res into np: the summary, as much as the output budget
// allows (detail perfdata goes first, then items from the end), and
// perfdata including the run time.
func Apply(np *nagios.Plugin, tag string, res Result, start time.Time) {
	timePerf := Perf{Label: "time", Value: strconv.FormatInt(time.Since(start).Milliseconds(), 10), UOM: "ms"}
	keep := len(res.Items)
	fits := func(r Result, k int) bool {
		return res.MaxBytes <= 0 || len(render(tag, r, k, timePerf)) <= res.MaxBytes
	}
	if !fits(res, keep) {
		all, tail := res.Detail, res.Tail[:len(res.Tail):len(res.Tail)]
		cut := func(d int) {
			res.Detail, res.Tail = all[:d], tail
			if d < len(all) { // say so, or graphs would just have gaps
				res.Tail = append(tail, fmt.Sprintf(detailCut, len(all)-d, len(all)))
			}
		}
		// A longer Detail only grows the output: an item is longer than
		// the digit the note loses.
		cut(largest(len(all), func(d int) bool { cut(d); return fits(res, keep) }))
		if !fits(res, keep) {
			keep = largest(keep, func(k int) bool { return fits(res, k) })
			res = shrink(tag, res, keep, timePerf)
		}
	}
	fill(np, tag, res, keep, timePerf)
}

// largest is the largest n in [0, max] for which ok holds, given that ok
// holds for every n below one for which it holds (output grows with n).
func largest(max int, ok func(int) bool) int {
	lo, hi := 0, max
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// shrink drops long output, then perfdata from the end (checks put their
// most important metrics first), then shortens the summary, until even the
// minimal output fits.
func shrink(tag string, res Result, keep int, timePerf Perf) Result {
	for len(render(tag, res, keep, timePerf)) > res.MaxBytes {
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
			return res
		}
	}
	return res
}

func render(tag string, res Result, keep int, timePerf Perf) string {
	var buf bytes.Buffer
	np := nagios.NewPlugin()
	np.SetOutputTarget(&buf)
	np.SkipOSExit()
	fill(np, tag, res, keep, timePerf)
	np.ReturnCheckResults()
	return buf.String()
}

func fill(np *nagios.Plugin, tag string, res Result, keep int, timePerf Perf) {
	np.ExitStatusCode = int(res.State)
	np.ServiceOutput = firstLine(tag, res)
	var lines []string
	lines = append(lines, res.Head...)
	perf := make([]Perf, 0, len(res.Perf)+1)
	for _, it := range res.Items[:keep] {
		lines = append(lines, it.Lines...)
		perf = append(perf, it.Perf...)
	}
	if dropped := len(res.Items) - keep; dropped > 0 && res.More != "" {
		lines = append(lines, fmt.Sprintf(res.More, dropped))
	}
	lines = append(lines, res.Tail...)
	np.LongServiceOutput = strings.Join(lines, nagios.CheckOutputEOL)
	perf = append(perf, res.Perf...)
	perf = append(perf, res.Detail...)
	perf = append(perf, timePerf)
	_ = np.AddPerfData(true, toNagios(perf)...)
}

func firstLine(tag string, res Result) string {
	summary := res.Summary
	if summary == "" {
		summary = "no details" // go-nagios prints nothing at all for an empty line
	}
	if tag == "" {
		return res.State.String() + ": " + summary
	}
	return tag + " " + res.State.String() + " - " + summary
}

// toNagios converts perfdata, making labels unique after go-nagios's
// lower-casing so that no metric silently replaces another.
func toNagios(perf []Perf) []nagios.PerformanceData {
	seen := make(map[string]bool, len(perf))
	out := make([]nagios.PerformanceData, 0, len(perf))
	for _, p := range perf {
		label := strings.ToLower(p.Label)
		for n := 2; seen[label]; n++ {
			label = strings.ToLower(p.Label) + "_" + strconv.Itoa(n)
		}
		seen[label] = true
		out = append(out, nagios.PerformanceData{Label: label, Value: p.Value, UnitOfMeasurement: p.UOM,
			Warn: p.Warn, Crit: p.Crit, Min: p.Min, Max: p.Max})
	}
	return out
}
