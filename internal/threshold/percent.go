package threshold

import (
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

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
