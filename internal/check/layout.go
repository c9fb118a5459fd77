package check

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"strconv"
)

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
