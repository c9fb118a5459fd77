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
	"github.com/vzmon/vzmon/internal/icinga2"
	"github.com/vzmon/vzmon/internal/status"
)

// App is one plugin: what it is called, its flags and its check.
type App struct {
	Name    string // program name
	Tag     string // prefixes the state: "UBC" gives "UBC CRITICAL - ..."
	Help    string // the --help description, with examples
	Icinga2 string // the Icinga 2 CheckCommand, also its vars prefix
	// Flags is the kong struct to fill; it embeds cli.Common, which
	// Common points to.
	Flags  any
	Common *cli.Common
	// Guard, if set, runs after the flags are parsed and refuses what is
	// unsafe (see package privilege).
	Guard func() error
	// Check runs after the flags are parsed, bounded by the timeout. It
	// must not touch the nagios plugin: it returns a Result.
	Check func(ctx context.Context, pr *Progress) Result
	// List, if set, runs before Check, bounded alike: when its flag was
	// given (ok), its output replaces the check, printed as it is for
	// scripts with exit 0 (check_ubc --list); an error is an UNKNOWN.
	List func(ctx context.Context, pr *Progress) (out []byte, ok bool, err error)
}

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
func Run(args []string, stdout, stderr io.Writer, np *nagios.Plugin, app *App) {
	start := time.Now()
	if slices.Contains(args, icinga2.DumpFlag) {
		cmd, err := icinga2.New(app.Flags, app.Name, app.Icinga2, app.Help)
		if err != nil {
			respond(stdout, np, app.Tag, Unknownf(nil, "%v", err), start)
			return
		}
		fmt.Fprint(stdout, cmd.Config())
		np.ExitStatusCode = int(status.OK)
		return
	}
	err := cli.Parse(app.Flags, app.Name, app.Help, args, stdout)
	if errors.Is(err, cli.ErrExited) {
		np.ExitStatusCode = int(status.Unknown)
		return
	}
	if err != nil {
		respond(stdout, np, app.Tag, Unknownf(nil, "%s", err), start)
		return
	}
	if app.Guard != nil {
		if err := app.Guard(); err != nil {
			respond(stdout, np, app.Tag, Unknownf([]string{"run it as root directly to use such paths, or leave them at their defaults"}, "%v", err), start)
			return
		}
	}
	pr := &Progress{start: start, stage: "starting"}
	if app.Common.Verbose >= 3 {
		pr.trace = stderr
	}
	out, listing := runBounded(pr, app, start)
	if listing != nil {
		_, _ = stdout.Write(listing) // nothing better to do when stdout is gone
		np.ExitStatusCode = int(status.OK)
		return
	}
	out.emit(stdout, np)
}

// runBounded runs the check (or the listing) and renders its result, both
// within the timeout: a result of a million perfdata values takes a while
// to lay out. A listing comes back as it is.
func runBounded(pr *Progress, app *App, start time.Time) (out rendered, listing []byte) {
	timeout := app.Common.Timeout.Duration()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type outcome struct {
		out     rendered
		listing []byte
	}
	done := make(chan outcome, 1)
	small := func(res Result) outcome { // an UNKNOWN of a few lines
		out, _ := render(context.Background(), app.Tag, res, start)
		return outcome{out: out}
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// A bug must not look like a CRITICAL from the data.
				res := Unknownf([]string{"this is a bug; please report it with the command line"}, "internal error while %s: %v", pr.Current(), r)
				if app.Common.Verbose > 0 {
					res.Tail = strings.Split(string(debug.Stack()), "\n")
				}
				done <- small(res)
			}
		}()
		res, listing := app.run(ctx, pr)
		if listing != nil {
			done <- outcome{listing: listing}
			return
		}
		if ctx.Err() != nil {
			return // the check gave up at the deadline: the timeout answers, naming its stage
		}
		pr.Stage("rendering the output")
		out, err := render(ctx, app.Tag, res, start)
		if err != nil {
			return // past the deadline: the timeout answers
		}
		done <- outcome{out: out}
	}()
	select {
	case o := <-done:
		return o.out, o.listing
	case <-ctx.Done():
		stage, hint := pr.Current(), pr.currentHint()
		pr.close()
		return small(Unknownf(hint, "timed out after %s while %s", timeout, stage)).out, nil
	}
}

// run runs the listing, when its flag was given, or else the check.
func (app *App) run(ctx context.Context, pr *Progress) (Result, []byte) {
	if app.List != nil {
		listing, ok, err := app.List(ctx, pr)
		switch {
		case err != nil:
			return FromError(err), nil
		case ok:
			return Result{}, listing
		}
	}
	return app.Check(ctx, pr), nil
}
