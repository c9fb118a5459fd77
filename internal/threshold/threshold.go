// Package threshold implements Nagios range expressions ([@][start:][end],
// ~ for minus infinity) with exact decimal arithmetic, so that "90" percent
// of a barrier alerts at exactly the same held value the perfdata shows.
// It knows nothing about beancounters. A Pair of ranges judges a value
// into a status.
package threshold

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// bound is ±mant/10^exp, or an infinity.
type bound struct {
	inf  bool
	neg  bool
	mant uint64
	exp  uint8
}

const (
	maxFraction = 6  // digits after the decimal point
	maxDigits   = 20 // all digits; ParseUint rejects what exceeds 64 bits
)

// Range is a parsed range expression. The zero value is not a valid range;
// use a *Range and nil for "not set".
type Range struct {
	Inside     bool // '@': alert inside [Start, End] instead of outside
	start, end bound
}

// Parse parses a Nagios range expression.
func Parse(s string) (Range, error) {
	var r Range
	text := s
	if strings.HasPrefix(text, "@") {
		r.Inside = true
		text = text[1:]
	}
	if text == "" {
		return r, fmt.Errorf("invalid range %q: empty", s)
	}
	startText, endText, hasColon := strings.Cut(text, ":")
	if !hasColon {
		startText, endText = "0", startText
	}
	var err error
	switch startText {
	case "~":
		r.start = bound{inf: true, neg: true}
	case "":
		return r, fmt.Errorf("invalid range %q: empty start before ':' (write 0:%s or ~:%s)", s, endText, endText)
	default:
		if r.start, err = parseBound(startText); err != nil {
			return r, fmt.Errorf("invalid range %q: %w", s, err)
		}
	}
	if endText == "" {
		if !hasColon {
			return r, fmt.Errorf("invalid range %q", s)
		}
		r.end = bound{inf: true}
	} else if r.end, err = parseBound(endText); err != nil {
		return r, fmt.Errorf("invalid range %q: %w", s, err)
	}
	if cmpBounds(r.start, r.end) > 0 {
		if !hasColon { // "-5": 0..-5
			return r, fmt.Errorf("invalid range %q: a single number N means 0 to N, so it cannot be negative; write both ends, like -10:-5 or ~:-5", s)
		}
		return r, fmt.Errorf("invalid range %q: start is greater than end", s)
	}
	return r, nil
}

// MustParse is Parse for constants in code; it panics on a bad literal.
func MustParse(s string) *Range {
	r, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return &r
}

func parseBound(s string) (bound, error) {
	var b bound
	switch s[0] {
	case '-':
		b.neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" || hasDot && frac == "" {
		return b, fmt.Errorf("%q is not a number", s)
	}
	frac = strings.TrimRight(frac, "0") // one value, one representation
	if len(frac) > maxFraction {
		return b, fmt.Errorf("%q has more than %d decimals", s, maxFraction)
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if len(digits) > maxDigits {
		return b, fmt.Errorf("%q has too many digits", s)
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return b, fmt.Errorf("%q is not a number", s)
		}
	}
	if digits != "" {
		m, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			return b, fmt.Errorf("%q is not a number", s)
		}
		b.mant = m
	}
	b.exp = uint8(len(frac))
	if b.mant == 0 {
		b.neg = false
	}
	return b, nil
}

// cmpBounds orders two bounds (both finite or infinite).
func cmpBounds(a, b bound) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb {
		return cmpInt(sa, sb)
	}
	if a.inf || b.inf {
		switch {
		case a.inf && b.inf:
			return 0
		case a.inf:
			return sa
		default:
			return -sb
		}
	}
	// Same sign: compare magnitudes, mant/10^exp.
	ah, al := bits.Mul64(a.mant, pow10[b.exp])
	bh, bl := bits.Mul64(b.mant, pow10[a.exp])
	c := cmp128(ah, al, bh, bl)
	if sa < 0 {
		return -c
	}
	return c
}

func (b bound) sign() int {
	switch {
	case b.neg:
		return -1
	case b.inf || b.mant != 0:
		return 1
	}
	return 0
}

var pow10 = func() [20]uint64 {
	var p [20]uint64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmp128(ah, al, bh, bl uint64) int {
	if ah != bh {
		return cmpInt(boolInt(ah > bh), boolInt(bh > ah))
	}
	return cmpInt(boolInt(al > bl), boolInt(bl > al))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cmpValue compares the non-negative value num/den with b/10^shift.
func cmpValue(num, den uint64, b bound, shift uint8) int {
	switch {
	case b.inf:
		if b.neg {
			return 1
		}
		return -1
	case b.neg:
		return 1
	}
	// num/den vs mant/10^(exp+shift)  <=>  num*10^(exp+shift) vs mant*den
	vh, vl := bits.Mul64(num, pow10[b.exp+shift])
	bh, bl := bits.Mul64(b.mant, den)
	return cmp128(vh, vl, bh, bl)
}

func (r Range) alerts(num, den uint64, shift uint8) bool {
	if r.Inside {
		return cmpValue(num, den, r.start, shift) >= 0 && cmpValue(num, den, r.end, shift) <= 0
	}
	return cmpValue(num, den, r.start, shift) < 0 || cmpValue(num, den, r.end, shift) > 0
}

// Alerts reports whether the count v falls in the alert zone.
func (r Range) Alerts(v uint64) bool { return r.alerts(v, 1, 0) }

// AlertsPercent reports whether part/whole, as a percentage, falls in the
// alert zone. whole must not be 0.
func (r Range) AlertsPercent(part, whole uint64) bool { return r.alerts(part, whole, 2) }

// String returns the canonical range text (the form perfdata carries).
func (r Range) String() string {
	var s string
	switch {
	case r.end.inf:
		s = r.start.String() + ":"
	case r.start.inf:
		s = "~:" + r.end.String()
	case r.start.sign() == 0:
		s = r.end.String()
	default:
		s = r.start.String() + ":" + r.end.String()
	}
	if r.Inside {
		// "@5" would read as inside 0..5 either way; keep the explicit form.
		if r.start.sign() == 0 && !r.end.inf {
			s = "0:" + s
		}
		return "@" + s
	}
	return s
}

func (b bound) String() string {
	if b.inf {
		return "~"
	}
	s := strconv.FormatUint(b.mant, 10)
	if b.exp > 0 {
		if len(s) <= int(b.exp) {
			s = strings.Repeat("0", int(b.exp)-len(s)+1) + s
		}
		s = s[:len(s)-int(b.exp)] + "." + s[len(s)-int(b.exp):]
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if b.neg {
		s = "-" + s
	}
	return s
}

// Text is the range's text, or "" when it is not set (nil), as perfdata
// warn/crit fields want it.
func (r *Range) Text() string {
	if r == nil {
		return ""
	}
	return r.String()
}

// UnmarshalText lets kong parse flags of type Range.
func (r *Range) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
