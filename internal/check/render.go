package check

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/text"
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

// detailCut ends the long output when the budget dropped detail perfdata.
const detailCut = "perfdata: %d of %d detail values not shown (--max-output 0 shows all)"

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

// layout is a result with every perfdata item and long-output line
// measured once. Perfdata items are numbered in the order the budget
// drops them from the end: the items' perfdata, Perf, Detail, the run time.
type layout struct {
	tag string
	res Result
	// small holds the items' perfdata, Perf and the run time (its value is
	// written last); Detail is res.Detail.
	small                         PerfList
	perfBase, detailBase, timeIdx int
	// renamed are the labels made unique, when some were equal.
	renamed map[int][]byte
	// order is the items sorted by label, as go-nagios prints them.
	order []sortKey
	// Prefix sums over Items: lines, line bytes, perfdata items and
	// perfdata bytes of the first k items.
	itemLines, itemBytes, itemPerfs, itemPerfBytes []int
	// perfBytes are the prefix sums of the perfdata bytes of Perf;
	// detailBytes those of Detail as far as a cut needs them (see
	// detailSum), detailTotal all of Detail.
	perfBytes, detailBytes []int
	detailTotal            int
}

// sortKey orders items: most comparisons end at the labels' first eight
// bytes ("ct10204_"), compared as one number.
type sortKey struct {
	prefix uint64
	i      int32
}

func newLayout(ctx context.Context, tag string, res Result) (*layout, error) {
	l := &layout{tag: tag, res: res}
	n := len(res.Items) + 1
	l.itemLines, l.itemBytes, l.itemPerfs, l.itemPerfBytes = make([]int, n), make([]int, n), make([]int, n), make([]int, n)
	for k := range res.Items {
		it := &res.Items[k]
		b := 0
		for _, line := range it.Lines {
			b += len(line)
		}
		l.itemLines[k+1] = l.itemLines[k] + len(it.Lines)
		l.itemBytes[k+1] = l.itemBytes[k] + b
		l.itemPerfs[k+1] = l.itemPerfs[k] + len(it.Perf)
		l.small.Add(it.Perf...)
	}
	l.perfBase = l.small.Len()
	l.small.Add(res.Perf...)
	l.detailBase = l.small.Len()
	l.small.Add(Perf{Label: "time", UOM: "ms"})
	l.timeIdx = l.detailBase + res.Detail.Len()
	if err := l.sortLabels(ctx); err != nil {
		return nil, err
	}
	for k := range res.Items {
		b := 0
		for i := l.itemPerfs[k]; i < l.itemPerfs[k+1]; i++ {
			b += l.size(i)
		}
		l.itemPerfBytes[k+1] = l.itemPerfBytes[k] + b
	}
	l.perfBytes = make([]int, len(res.Perf)+1)
	for i := range res.Perf {
		l.perfBytes[i+1] = l.perfBytes[i] + l.size(l.perfBase+i)
	}
	for i := l.detailBase; i < l.timeIdx; i++ {
		if i%checkEvery == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		l.detailTotal += l.size(i)
	}
	return l, nil
}

// at returns the list and index of perfdata item i.
func (l *layout) at(i int) (*PerfList, int) {
	switch {
	case i < l.detailBase:
		return &l.small, i
	case i < l.timeIdx:
		return &l.res.Detail, i - l.detailBase
	}
	return &l.small, l.detailBase
}

func (l *layout) label(i int) []byte {
	if l.renamed != nil {
		if b, ok := l.renamed[i]; ok {
			return b
		}
	}
	list, j := l.at(i)
	return list.label(j)
}

// size is the printed length of item i (" 'label'=rest"), without the run
// time's value.
func (l *layout) size(i int) int {
	list, j := l.at(i)
	return itemExtra + len(l.label(i)) + len(list.rest(j))
}

// sortLabels sorts the items by label, making equal labels unique: a
// label seen before gets "_2", "_3"... in item order, so that no metric
// silently replaces another in a graphing tool. That needs a map of every
// label only when the sort finds equal ones.
func (l *layout) sortLabels(ctx context.Context) error {
	if l.sortOrder(ctx) {
		return ctx.Err()
	}
	l.renamed = map[int][]byte{}
	// next remembers where the search for a free suffix stopped, so that
	// many equal labels do not make it quadratic.
	seen, next := make(map[string]bool, l.timeIdx+1), map[string]int{}
	for i := 0; i <= l.timeIdx; i++ {
		label := string(l.label(i))
		unique, k := label, max(next[label], 2)
		for ; seen[unique]; k++ {
			unique = label + "_" + strconv.Itoa(k)
		}
		next[label] = k
		seen[unique] = true
		if unique != label {
			l.renamed[i] = []byte(unique)
		}
	}
	l.sortOrder(ctx)
	return ctx.Err()
}

// sortOrder sorts the items by label, then number, and reports whether
// the labels are unique.
func (l *layout) sortOrder(ctx context.Context) bool {
	l.order = make([]sortKey, l.timeIdx+1)
	for i := range l.order {
		if i%checkEvery == 0 && ctx.Err() != nil {
			return true // the caller sees ctx.Err()
		}
		var p uint64
		label := l.label(i)
		for k := 0; k < 8; k++ {
			p <<= 8
			if k < len(label) {
				p |= uint64(label[k])
			}
		}
		l.order[i] = sortKey{p, int32(i)}
	}
	slices.SortFunc(l.order, func(a, b sortKey) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		return cmp.Or(bytes.Compare(l.label(int(a.i)), l.label(int(b.i))), cmp.Compare(a.i, b.i))
	})
	for k := 1; k < len(l.order); k++ {
		if bytes.Equal(l.label(int(l.order[k].i)), l.label(int(l.order[k-1].i))) {
			return false
		}
	}
	return true
}

// plan is what the output keeps.
type plan struct {
	keep    int      // Items
	detail  int      // Detail perfdata
	head    int      // Head lines
	perf    int      // Perf items
	tail    []string // Tail lines, with the note on cut detail perfdata
	summary string
	width   int // digits of the run time
}

// lines returns the long output's line count and bytes without line
// ends; go-nagios prints no long output for one empty line either.
func (l *layout) lines(p plan) (n, bytes int) {
	n = p.head + l.itemLines[p.keep] + len(p.tail)
	bytes = l.itemBytes[p.keep]
	for _, s := range l.res.Head[:p.head] {
		bytes += len(s)
	}
	for _, s := range p.tail {
		bytes += len(s)
	}
	if more := l.more(p.keep); more != "" {
		n++
		bytes += len(more)
	}
	if n == 1 && bytes == 0 {
		n = 0
	}
	return n, bytes
}

// length is the byte length of the output p gives.
func (l *layout) length(p plan) int {
	lines, bytes := l.lines(p)
	n := len(l.first(p.summary, lines > 0))
	if lines > 0 {
		n += longExtra + bytes + len(eol)*(lines-1)
	}
	return n + perfExtra + l.itemPerfBytes[p.keep] + l.perfBytes[p.perf] + l.detailSum(p.detail) + l.size(l.timeIdx) + p.width
}

// detailSum is the perfdata bytes of the first d Detail items.
func (l *layout) detailSum(d int) int {
	if d == l.res.Detail.Len() {
		return l.detailTotal
	}
	return l.detailBytes[d]
}

// first is the first line; with no long output, go-nagios trims its end.
func (l *layout) first(summary string, long bool) string {
	if summary == "" {
		summary = "no details" // go-nagios prints nothing at all for an empty line
	}
	s := l.tag + " " + l.res.State.String() + " - " + summary
	if l.tag == "" {
		s = l.res.State.String() + ": " + summary
	}
	if !long {
		s = strings.TrimRight(s, " \t"+eol)
	}
	return s
}

// more is the line that stands for the items dropped, if any.
func (l *layout) more(keep int) string {
	if dropped := len(l.res.Items) - keep; dropped > 0 && l.res.More != "" {
		return fmt.Sprintf(l.res.More, dropped)
	}
	return ""
}

// cut plans the output within the budget: detail perfdata goes first,
// then items from the end, then shrink.
func (l *layout) cut(width int) plan {
	res := l.res
	all := res.Detail.Len()
	p := plan{keep: len(res.Items), detail: all, head: len(res.Head), perf: len(res.Perf),
		tail: res.Tail, summary: res.Summary, width: width}
	fits := func(p plan) bool { return res.MaxBytes <= 0 || l.length(p) <= res.MaxBytes }
	if fits(p) {
		return p
	}
	// Detail beyond the budget's bytes cannot fit: its sums are needed
	// only that far.
	if l.detailBytes == nil {
		l.detailBytes = []int{0}
		for d := 0; d < all && l.detailBytes[d] <= res.MaxBytes; d++ {
			l.detailBytes = append(l.detailBytes, l.detailBytes[d]+l.size(l.detailBase+d))
		}
	}
	tail := res.Tail[:len(res.Tail):len(res.Tail)]
	withDetail := func(d int) plan {
		q := p
		q.detail, q.tail = d, tail
		if d < all { // say so, or graphs would just have gaps
			q.tail = append(tail, fmt.Sprintf(detailCut, all-d, all))
		}
		return q
	}
	// A longer Detail only grows the output: an item is longer than the
	// digit the note loses.
	p = withDetail(largest(min(all, len(l.detailBytes)-1), func(d int) bool { return fits(withDetail(d)) }))
	if fits(p) {
		return p
	}
	p.keep = largest(p.keep, func(k int) bool { q := p; q.keep = k; return fits(q) })
	return l.shrink(p)
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
func (l *layout) shrink(p plan) plan {
	for l.length(p) > l.res.MaxBytes {
		switch {
		case len(p.tail) > 0:
			p.tail = p.tail[:len(p.tail)-1]
		case p.head > 0:
			p.head--
		case p.perf > 0:
			p.perf--
		case len(p.summary) > 20:
			p.summary = text.Clean(p.summary, len(p.summary)*3/4)
		default:
			return p
		}
	}
	return p
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
		if !(i < l.itemPerfs[p.keep] || i >= l.perfBase && i < l.perfBase+p.perf ||
			i >= l.detailBase && i < l.detailBase+p.detail || i == l.timeIdx) {
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
