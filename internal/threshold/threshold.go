// Package threshold implements Nagios range expressions ([@][start:][end],
// ~ for minus infinity) with exact decimal arithmetic, so that "90" percent
// of a barrier alerts at exactly the same held value the perfdata shows.
// It knows nothing about beancounters.
package threshold

import (
	"fmt"
	"math/big"
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
			return r, fmt.Errorf("invalid range %q: %v", s, err)
		}
	}
	if endText == "" {
		if !hasColon {
			return r, fmt.Errorf("invalid range %q", s)
		}
		r.end = bound{inf: true}
	} else if r.end, err = parseBound(endText); err != nil {
		return r, fmt.Errorf("invalid range %q: %v", s, err)
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

// PercentText is part/whole as a percentage for people: rounded half up
// to one decimal ("91.9%", "157%"), with as many more decimals as it takes
// for the shown value to lie on the same side of every bound of the ranges
// as the exact value, so that -c 99.9 never alerts on a value shown as
// "99.9%" ("99.94%"), nor -w 90 pass one shown as "90%" ("89.96%"). whole
// must not be 0.
func PercentText(part, whole uint64, ranges ...*Range) string {
	k := uint8(1)
	for ; k <= maxFastDecimals; k++ {
		q, ok := roundedPercent(part, whole, k)
		if !ok {
			break
		}
		if sameSides(part, whole, ranges, func(b bound) int { return cmpValue(q, pow10[k], b, 0) }) {
			return decimalText(strconv.FormatUint(q, 10), k) + "%"
		}
	}
	// Far above 100%, or closer to a bound than 16 decimals tell: a bound
	// has at most maxFraction decimals, so part/whole is at least
	// 10^-maxFraction/whole away from it, and 2+maxFraction+20 decimals
	// tell them apart.
	for ; ; k++ {
		q := roundedPercentBig(part, whole, k)
		if k == 2+maxFraction+20 || sameSides(part, whole, ranges, func(b bound) int { return cmpBig(q, k, b) }) {
			return decimalText(q.String(), k) + "%"
		}
	}
}

// maxFastDecimals keeps 100*10^k within 64 bits.
const maxFastDecimals = 16

// roundedPercent is part/whole*100*10^k rounded half up, and ok=false
// when it does not fit in 64 bits.
func roundedPercent(part, whole uint64, k uint8) (uint64, bool) {
	hi, lo := bits.Mul64(part, 100*pow10[k])
	if hi >= whole {
		return 0, false
	}
	q, rem := bits.Div64(hi, lo, whole)
	if rem >= whole-rem { // rem >= whole/2, without overflow
		if q == 1<<64-1 {
			return 0, false
		}
		q++
	}
	return q, true
}

func roundedPercentBig(part, whole uint64, k uint8) *big.Int {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)+2), nil)
	w := new(big.Int).SetUint64(whole)
	n := new(big.Int).Mul(new(big.Int).SetUint64(part), scale)
	n.Add(n.Lsh(n, 1), w) // (2*part*100*10^k + whole) / (2*whole)
	return n.Quo(n, w.Lsh(w, 1))
}

// cmpBig compares q/10^k with b, as cmpValue does.
func cmpBig(q *big.Int, k uint8, b bound) int {
	switch {
	case b.inf && b.neg:
		return 1
	case b.inf:
		return -1
	case b.neg:
		return 1
	}
	x := new(big.Int).Mul(q, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(b.exp)), nil))
	y := new(big.Int).Mul(new(big.Int).SetUint64(b.mant), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil))
	return x.Cmp(y)
}

// sameSides reports whether the shown value, compared with each bound of
// ranges by cmpShown, lies on the same side as part/whole (in percent).
func sameSides(part, whole uint64, ranges []*Range, cmpShown func(bound) int) bool {
	for _, r := range ranges {
		if r == nil {
			continue
		}
		for _, b := range [...]bound{r.start, r.end} {
			if cmpValue(part, whole, b, 2) != cmpShown(b) {
				return false
			}
		}
	}
	return true
}

// decimalText is the number of digits s over 10^k, with k decimals;
// "157" for "157.0".
func decimalText(s string, k uint8) string {
	if len(s) <= int(k) {
		s = strings.Repeat("0", int(k)-len(s)+1) + s
	}
	if k == 1 && s[len(s)-1] == '0' {
		return s[:len(s)-1]
	}
	return s[:len(s)-int(k)] + "." + s[len(s)-int(k):]
}

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
