package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vzmon/vzmon/internal/text"
)

// detailCut ends the long output when the budget dropped detail perfdata.
const detailCut = "perfdata: %d of %d detail values not shown (--max-output 0 shows all)"

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
		s = strings.TrimRight(s, " \t\n") // eol is " \n"
	}
	return s
}

// more is the line that stands for the items dropped, if any.
func (l *layout) more(keep int) string {
	if dropped := len(l.res.Items) - keep; dropped > 0 && l.res.More != nil {
		return l.res.More(dropped)
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
			q.tail = slices.Concat(tail, []string{fmt.Sprintf(detailCut, all-d, all)})
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

// largest is the largest n in [0, most] for which ok holds, given that ok
// holds for every n below one for which it holds (output grows with n).
func largest(most int, ok func(int) bool) int {
	lo, hi := 0, most
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
