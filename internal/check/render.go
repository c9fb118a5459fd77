package check

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/status"
)

// The output is laid out here from sizes measured once per line and
// perfdata item, and printed byte for byte as go-nagios would print it.
// go-nagios keeps perfdata in a map, formats each item with Sprintf and
// copies the whole output through fmt five times: for a million values
// that was most of the run and of its memory, and measuring the budget by
// rendering through it made the cut quadratic. go-nagios still owns the
// exit (code, crash report), as for --help and --list.
const (
	eol = nagios.CheckOutputEOL
	// longExtra is what surrounds the long output (an empty line before
	// it, a line end after), perfExtra what surrounds perfdata, itemExtra
	// what surrounds an item's label.
	longExtra = 3 * len(eol)
	perfExtra = len(" |") + len(eol)
	itemExtra = len(" ''=")
	// checkEvery is how many items a loop handles between looks at the
	// deadline.
	checkEvery = 1 << 14
)

// rendered is a result laid out, ready to print.
type rendered struct {
	state status.Status
	l     *layout
	p     plan
	ms    string // the run time
}

// emit prints r and leaves go-nagios only the exit code.
func (r rendered) emit(stdout io.Writer, np *nagios.Plugin) {
	_ = r.print(stdout) // nothing better to do when stdout is gone
	np.ExitStatusCode = int(r.state)
}

// print streams the output: a million values are not copied into one
// buffer first. It is the one stage after the deadline: a plain copy of
// what the layout chose (and a stdout that does not drain would hold up
// any plugin's last write).
func (r rendered) print(out io.Writer) error {
	w := bufio.NewWriterSize(out, 64<<10)
	r.l.write(w, r.p, r.ms)
	return w.Flush()
}

// respond prints a small result (a flag error) with no deadline.
func respond(stdout io.Writer, np *nagios.Plugin, tag string, res Result, start time.Time) {
	out, _ := render(context.Background(), tag, res, start) // no deadline, no error
	out.emit(stdout, np)
}

// render lays res out within its budget: the summary, as much as the budget
// allows (detail perfdata goes first, then items from the end, then
// shrink), and perfdata including the run time. It fails only when ctx
// ends.
func render(ctx context.Context, tag string, res Result, start time.Time) (rendered, error) {
	l, err := newLayout(ctx, tag, res)
	if err != nil {
		return rendered{}, err
	}
	width := len(strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	for {
		p := l.cut(width)
		// The run time is taken last, so that it covers the layout too; a
		// number of another width needs another cut.
		ms := strconv.FormatInt(time.Since(start).Milliseconds(), 10)
		if len(ms) == width {
			return rendered{state: res.State, l: l, p: p, ms: ms}, ctx.Err()
		}
		width = len(ms)
	}
}

// write prints what p keeps, with ms as the run time.
func (l *layout) write(w *bufio.Writer, p plan, ms string) {
	res := l.res
	n, _ := l.lines(p)
	w.WriteString(l.first(p.summary, n > 0))
	if n > 0 {
		w.WriteString(eol + eol)
		sep := false
		line := func(s string) {
			if sep {
				w.WriteString(eol)
			}
			w.WriteString(s)
			sep = true
		}
		for _, s := range res.Head[:p.head] {
			line(s)
		}
		for _, it := range res.Items[:p.keep] {
			for _, s := range it.Lines {
				line(s)
			}
		}
		if more := l.more(p.keep); more != "" {
			line(more)
		}
		for _, s := range p.tail {
			line(s)
		}
		w.WriteString(eol)
	}
	w.WriteString(" |")
	for _, key := range l.order {
		i := int(key.i)
		kept := i < l.itemPerfs[p.keep] || i >= l.perfBase && i < l.perfBase+p.perf ||
			i >= l.detailBase && i < l.detailBase+p.detail || i == l.timeIdx
		if !kept {
			continue
		}
		w.WriteString(" '")
		w.Write(l.label(i))
		w.WriteString("'=")
		if i == l.timeIdx {
			w.WriteString(ms)
		}
		list, j := l.at(i)
		w.Write(list.rest(j))
	}
	w.WriteString(eol)
}
