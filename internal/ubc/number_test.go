package ubc

import (
	"strconv"
	"testing"
)

// For BenchmarkScanNumber in package ubc_test, which needs nodegen (an
// importer of ubc).
var (
	ScanNumber, PlainNumber   = scanNumber, plainNumber
	SkipBlank, PlainSkipBlank = skipBlank, plainSkipBlank
)

// plainNumber is scanNumber written the plain way, strconv.ParseUint of
// the token: the oracle of FuzzScanNumber and the baseline of
// BenchmarkScanNumber.
func plainNumber(line []byte, pos int, allowMax bool) (uint64, int, bool) {
	end := tokenEnd(line, pos)
	if allowMax && string(line[pos:end]) == "max" {
		return LongMax64, end, true
	}
	v, err := strconv.ParseUint(string(line[pos:end]), 10, 64)
	return v, end, err == nil
}

func plainSkipBlank(line []byte, i int) int {
	for i < len(line) && isBlank(line[i]) {
		i++
	}
	return i
}

// FuzzScanNumber checks the eight-at-a-time scanning against strconv and
// a byte loop, on every token of the line.
func FuzzScanNumber(f *testing.F) {
	for _, s := range []string{
		"0", "007", "12345678", "123456789", "1234567812345678", "9223372036854775807",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "0000000000000000000018446744073709551615",
		"00000000000000000000018446744073709551616", "max", "maxi", "1234567:", "12345678x", "-1", "+1", "1_000", "0x10", "1e3",
		"  5: kmemsize                 12632064             14221312  9223372036854775807  max                    0\r",
		"12345678\x0012345678", "1234567\xff",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, line []byte, allowMax bool) {
		for pos := 0; ; {
			if got, want := skipBlank(line, pos), plainSkipBlank(line, pos); got != want {
				t.Fatalf("skipBlank(%q, %d) = %d, want %d", line, pos, got, want)
			}
			if pos = skipBlank(line, pos); pos == len(line) {
				return
			}
			v, end, ok := scanNumber(line, pos, allowMax)
			wv, wend, wok := plainNumber(line, pos, allowMax)
			if ok != wok || end != wend || ok && v != wv {
				t.Fatalf("scanNumber(%q) = %d, %d, %v; strconv: %d, %d, %v", line[pos:], v, end-pos, ok, wv, wend-pos, wok)
			}
			pos = end
		}
	})
}
