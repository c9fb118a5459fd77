package vzconf

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/ubc"
)

// BL is a barrier:limit pair as vzctl stores it: pages for *pages
// resources, bytes for buffers, objects for counts.
type BL struct{ Barrier, Limit uint64 }

// UBC returns the barrier and limit of a beancounter resource (its
// lower-case kernel name) from the config key of the same name in upper
// case. ok is false when the key is absent.
func (c Config) UBC(resource string) (bl BL, ok bool, err error) {
	key := strings.ToUpper(resource)
	v, ok := c[key]
	if !ok {
		return BL{}, false, nil
	}
	bl, err = ParseBL(resource, v)
	if err != nil {
		return BL{}, true, fmt.Errorf("%s=%q: %w", key, v, err)
	}
	return bl, true, nil
}

// ParseBL parses a UBC value the way vzctl reads it from a config
// (src/lib/config.c: parse_ub → parse_twoul_sfx → parse_ul_sfx): "B:L" or
// "V" (then L = B); each number optionally fractional ("1.5G") and followed
// by one suffix G, M, K, P (pages) or B, case-insensitive, or the word
// "unlimited" (LONG_MAX). Suffixed values are converted to the resource's
// unit and truncated, as vzctl does: bytes for buffers, pages (4096 bytes)
// for *pages resources; counts take no suffix (vzctl's divisor 0). A value
// above LONG_MAX is clamped to it, as vzctl does with ERR_LONG_TRUNC.
//
// Stricter than vzctl where vzctl's strtoull/strtold would accept text
// vzctl never writes (signs, blanks, exponents, hex): those are errors
// here, so a damaged config is reported instead of read as some number.
func ParseBL(resource, value string) (BL, error) {
	divisor := int64(1)
	switch r, _ := ubc.Lookup(resource); r.Unit {
	case ubc.Count:
		divisor = 0
	case ubc.Pages:
		divisor = ubc.PageSize
	}
	bs, ls, two := strings.Cut(value, ":")
	b, err := parseOne(bs, divisor)
	if err != nil {
		return BL{}, err
	}
	if !two {
		return BL{b, b}, nil
	}
	l, err := parseOne(ls, divisor)
	if err != nil {
		return BL{}, err
	}
	return BL{b, l}, nil
}

// maxDigits bounds the work a hostile fraction can cause.
const maxDigits = 40

func parseOne(s string, divisor int64) (uint64, error) {
	if s == "unlimited" {
		return ubc.LongMax64, nil
	}
	// Without a suffix the number is already in the resource's unit
	// (vzctl's def_divisor 1).
	num := s
	mul, div := int64(1), int64(1)
	if n := len(s); n > 0 && (s[n-1] < '0' || s[n-1] > '9') {
		m, ok := suffixes[s[n-1]|0x20]
		if !ok {
			return 0, fmt.Errorf("%q: unknown suffix %q (vzctl takes G, M, K, P or B)", s, s[n-1:])
		}
		if divisor == 0 {
			return 0, fmt.Errorf("%q: a count takes no size suffix", s)
		}
		num, mul, div = s[:n-1], m, divisor
	}
	intPart, frac, hasFrac := strings.Cut(num, ".")
	if intPart == "" || !digits(intPart) || hasFrac && !digits(frac) || len(intPart)+len(frac) > maxDigits {
		return 0, fmt.Errorf("%q: not a number (vzctl takes N, N.N with a suffix, or unlimited)", s)
	}
	if _, err := strconv.ParseUint(intPart, 10, 64); err != nil {
		return 0, fmt.Errorf("%q: out of range (vzctl's strtoull fails too)", s)
	}
	// Exact rational arithmetic, where vzctl uses long double: value =
	// trunc(N.N * mul / divisor). The two agree wherever long double
	// represents N.N exactly; for a decimal fraction it may not (0.1), and
	// vzctl can then land one unit lower than the exact result.
	v, _ := new(big.Rat).SetString(intPart + "." + frac + "0")
	v.Mul(v, big.NewRat(mul, div))
	q := new(big.Int).Quo(v.Num(), v.Denom())
	if !q.IsUint64() || q.Uint64() > ubc.LongMax64 {
		return ubc.LongMax64, nil
	}
	return q.Uint64(), nil
}

var suffixes = map[byte]int64{'g': 1 << 30, 'm': 1 << 20, 'k': 1 << 10, 'p': ubc.PageSize, 'b': 1}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
