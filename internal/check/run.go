package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/status"
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

// Run parses args, runs the check and lays its result out under the
// timeout, and prints it; np gets the exit code. Help and version text go
// to stdout with exit 3.
func Run(args []string, stdout, stderr io.Writer, np *nagios.Plugin, app App) {
	start := time.Now()
	if slices.Contains(args, cli.DumpFlag) {
		text, err := cli.Icinga2Command(app.Flags(), app.Name(), app.Icinga2(), app.Icinga2())
		if err != nil {
			respond(stdout, np, app.Tag(), Unknownf(nil, "%v", err), start)
			return
		}
		fmt.Fprint(stdout, text)
		np.ExitStatusCode = int(status.OK)
		return
	}
	err := cli.Parse(app.Flags(), app.Name(), app.Help(), args, stdout)
	if errors.Is(err, cli.ErrExited) {
		np.ExitStatusCode = int(status.Unknown)
		return
	}
	if err != nil {
		respond(stdout, np, app.Tag(), Unknownf(nil, "%s", err), start)
		return
	}
	if g, ok := app.(interface{ Guard() error }); ok {
		if err := g.Guard(); err != nil {
			respond(stdout, np, app.Tag(), Unknownf([]string{"run it as root directly to use such paths, or leave them at their defaults"}, "%v", err), start)
			return
		}
	}
	common := app.Common()
	pr := &Progress{start: start, stage: "starting"}
	if common.Verbose >= 3 {
		pr.trace = stderr
	}
	res, out := runBounded(pr, app, start, common.Timeout.Duration(), common.Verbose)
	if res.Raw != "" {
		fmt.Fprint(stdout, res.Raw) // a listing, not a check result
		np.ExitStatusCode = int(res.State)
		return
	}
	out.emit(stdout, np)
}

// runBounded runs the check and renders its result, both within the
// timeout: a result of a million perfdata values takes a while to lay out.
// A Raw result comes back unrendered.
func runBounded(pr *Progress, app App, start time.Time, timeout time.Duration, verbose int) (Result, rendered) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type outcome struct {
		res Result
		out rendered
	}
	done := make(chan outcome, 1)
	small := func(res Result) outcome { // an UNKNOWN of a few lines
		out, _ := render(context.Background(), app.Tag(), res, start)
		return outcome{res, out}
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// A bug must not look like a CRITICAL from the data.
				res := Unknownf([]string{"this is a bug; please report it with the command line"}, "internal error while %s: %v", pr.Current(), r)
				if verbose > 0 {
					res.Tail = strings.Split(string(debug.Stack()), "\n")
				}
				done <- small(res)
			}
		}()
		res := app.Check(ctx, pr)
		if res.Raw != "" {
			done <- outcome{res: res}
			return
		}
		if ctx.Err() != nil {
			return // the check gave up at the deadline: the timeout answers, naming its stage
		}
		pr.Stage("rendering the output")
		out, err := render(ctx, app.Tag(), res, start)
		if err != nil {
			return // past the deadline: the timeout answers
		}
		done <- outcome{res, out}
	}()
	select {
	case o := <-done:
		return o.res, o.out
	case <-ctx.Done():
		stage, hint := pr.Current(), pr.currentHint()
		pr.close()
		o := small(Unknownf(hint, "timed out after %s while %s", timeout, stage))
		return o.res, o.out
	}
}
