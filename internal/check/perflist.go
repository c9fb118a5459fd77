package check

import "strings"

// PerfList holds perfdata items as the text they print: a node's million
// values as []Perf would be seven strings each, 200 MB that the garbage
// collector keeps scanning; here an item is its bytes in one buffer and
// 8 bytes of offsets. Labels are stored lower-cased, as go-nagios keys
// them.
type PerfList struct {
	text []byte
	// marks holds two offsets per item: where its label ends and where it
	// ends; it starts where the item before ended. 4 GB of perfdata text
	// would be a hundred million values, far beyond any node.
	marks []uint32
}

// Grow makes room for n more items of about size bytes each: the list is
// then not copied to grow, and room left unused costs no memory (fresh
// memory is not cleared; slices.Grow would clear, and so touch, it all).
func (l *PerfList) Grow(n, size int) {
	l.marks = grow(l.marks, 2*n)
	l.text = grow(l.text, n*size)
}

func grow[E any](s []E, n int) []E {
	if cap(s)-len(s) >= n {
		return s
	}
	g := make([]E, len(s), len(s)+n)
	copy(g, s)
	return g
}

// Add appends items.
func (l *PerfList) Add(ps ...Perf) {
	for i := range ps {
		p := &ps[i]
		l.text = append(l.text, strings.ToLower(p.Label)...)
		label := uint32(len(l.text))
		for _, s := range [...]string{p.Value, p.UOM, ";", p.Warn, ";", p.Crit, ";", p.Min, ";", p.Max} {
			l.text = append(l.text, s...)
		}
		l.marks = append(l.marks, label, uint32(len(l.text)))
	}
}

// Len is the number of items.
func (l *PerfList) Len() int { return len(l.marks) / 2 }

func (l *PerfList) start(i int) uint32 {
	if i == 0 {
		return 0
	}
	return l.marks[2*i-1]
}

// label is item i's label, rest the remainder: "value[uom];warn;crit;min;max".
func (l *PerfList) label(i int) []byte { return l.text[l.start(i):l.marks[2*i]] }
func (l *PerfList) rest(i int) []byte  { return l.text[l.marks[2*i]:l.marks[2*i+1]] }
