package threshold

import "github.com/vzmon/vzmon/internal/status"

// Pair is a warning and a critical range; nil means not set.
type Pair struct {
	Warn, Crit *Range
}

// Off reports whether neither range is set.
func (p Pair) Off() bool { return p.Warn == nil && p.Crit == nil }

// Judge is the state of the count v.
func (p Pair) Judge(v uint64) status.Status {
	return judge(p.Crit != nil && p.Crit.Alerts(v), p.Warn != nil && p.Warn.Alerts(v))
}

// JudgePercent is the state of part/whole as a percentage; whole must not
// be 0.
func (p Pair) JudgePercent(part, whole uint64) status.Status {
	return p.PercentBounds(whole).Judge(part)
}

// PairBounds is a Pair read as percentages of one whole and converted to
// whole-number bounds (see Range.PercentBounds): judging a value is then a
// few integer comparisons, where the exact percentage takes 128-bit
// products (a node has a million values; containers mostly share their
// limits, so callers keep the bounds of the last whole).
type PairBounds struct{ warn, crit Bounds }

// never is the bounds of a range not set: inside nothing.
var never = Bounds{Inside: true, Empty: true}

// PercentBounds converts the pair for whole.
func (p Pair) PercentBounds(whole uint64) PairBounds {
	b := PairBounds{warn: never, crit: never}
	if p.Warn != nil {
		b.warn = p.Warn.PercentBounds(whole)
	}
	if p.Crit != nil {
		b.crit = p.Crit.PercentBounds(whole)
	}
	return b
}

// Judge is the state of v.
func (b PairBounds) Judge(v uint64) status.Status { return judge(b.crit.Alerts(v), b.warn.Alerts(v)) }

// judge is the one rule of a pair: critical first, then warning.
func judge(crit, warn bool) status.Status {
	switch {
	case crit:
		return status.Critical
	case warn:
		return status.Warning
	}
	return status.OK
}
