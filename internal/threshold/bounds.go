package threshold

import (
	"math/bits"
	"strconv"
)

// Bounds is a range over whole numbers >= 0, as the values it judges
// (held, counts) are: a percentage range converted to a value's unit once,
// then compared with plain integers.
type Bounds struct {
	Inside bool
	Lo, Hi uint64 // alert below Lo or above Hi (or, Inside, within [Lo, Hi])
	HiInf  bool
	Empty  bool // no whole number >= 0 lies in [start, end]
}

// Alerts reports whether v falls in the alert zone.
func (b Bounds) Alerts(v uint64) bool {
	if b.Empty {
		return !b.Inside
	}
	in := v >= b.Lo && (b.HiInf || v <= b.Hi)
	return in == b.Inside
}

// String renders the bounds as a range expression (perfdata warn/crit).
func (b Bounds) String() string {
	if b.Empty {
		if b.Inside {
			return "0:" // inside nothing: never alerts
		}
		return "@0:" // outside nothing: always alerts
	}
	var s string
	switch {
	case b.HiInf:
		s = strconv.FormatUint(b.Lo, 10) + ":"
	case b.Lo == 0 && !b.Inside:
		s = strconv.FormatUint(b.Hi, 10)
	default:
		s = strconv.FormatUint(b.Lo, 10) + ":" + strconv.FormatUint(b.Hi, 10)
	}
	if b.Inside {
		return "@" + s
	}
	return s
}

// PercentBounds converts the range, read as percentages of whole, into
// whole-number bounds: start rounds up, end rounds down, which for whole
// values alerts exactly where the percentage does.
func (r Range) PercentBounds(whole uint64) Bounds {
	b := Bounds{Inside: r.Inside}
	if !r.start.inf && !r.start.neg {
		q, exact, ok := r.start.percentOf(whole)
		switch {
		case !ok:
			return Bounds{Inside: r.Inside, Empty: true} // starts above any value
		case !exact:
			q++
		}
		b.Lo = q
	}
	switch {
	case r.end.inf:
		b.HiInf = true
	case r.end.neg && r.end.mant != 0:
		return Bounds{Inside: r.Inside, Empty: true}
	default:
		q, _, ok := r.end.percentOf(whole)
		b.Hi, b.HiInf = q, !ok
	}
	if !b.HiInf && b.Lo > b.Hi {
		return Bounds{Inside: r.Inside, Empty: true}
	}
	return b
}

// PercentOf is PercentBounds as text: "90" percent of 240 is "216".
func (r Range) PercentOf(whole uint64) string { return r.PercentBounds(whole).String() }

// percentOf returns floor(|b| * whole / 100), whether that was exact, and
// ok=false when the result does not fit in 64 bits.
func (b bound) percentOf(whole uint64) (q uint64, exact, ok bool) {
	hi, lo := bits.Mul64(b.mant, whole)
	d := pow10[b.exp+2]
	if hi >= d {
		return 0, false, false
	}
	q, rem := bits.Div64(hi, lo, d)
	return q, rem == 0, true
}
