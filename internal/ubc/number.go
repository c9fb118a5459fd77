package ubc

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

// The fields of a row: blanks, and unsigned decimal numbers. A row is
// mostly padding and digits, so both are read eight bytes at a time.

const spaces8 = 0x2020202020202020

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// skipBlank returns the index of the first non-blank byte at or after i.
func skipBlank(line []byte, i int) int {
	for i+8 <= len(line) {
		x := binary.LittleEndian.Uint64(line[i:]) ^ spaces8
		if x != 0 {
			i += bits.TrailingZeros64(x) >> 3
			break
		}
		i += 8
	}
	for i < len(line) && isBlank(line[i]) {
		i++
	}
	return i
}

func tokenEnd(line []byte, i int) int {
	for i < len(line) && !isBlank(line[i]) {
		i++
	}
	return i
}

// scanNumber parses the unsigned decimal token starting at pos, a
// non-blank byte, and returns its end: the same values and failures as
// strconv.ParseUint(token, 10, 64) (FuzzScanNumber). Up to 19 digits
// cannot overflow; longer tokens go through strconv for the overflow
// check. allowMax accepts the literal "max" that the VHS emulator prints
// for an unlimited pids.max.
func scanNumber(line []byte, pos int, allowMax bool) (uint64, int, bool) {
	i := pos
	var v uint64
	for i+8 <= len(line) {
		x := binary.LittleEndian.Uint64(line[i:])
		if !eightDigits(x) {
			break
		}
		v = v*100000000 + parseEight(x)
		i += 8
	}
	for i < len(line) {
		d := line[i] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
		i++
	}
	if i < len(line) && !isBlank(line[i]) {
		end := tokenEnd(line, pos)
		if allowMax && string(line[pos:end]) == "max" {
			return LongMax64, end, true
		}
		return 0, end, false
	}
	if i-pos > 19 {
		big, err := strconv.ParseUint(string(line[pos:i]), 10, 64)
		return big, i, err == nil
	}
	return v, i, true
}

// eightDigits reports whether all eight bytes of x are '0'..'9': the high
// nibble is 3, and adding 6 to the low nibble does not carry into it.
func eightDigits(x uint64) bool {
	const hi, six = 0xF0F0F0F0F0F0F0F0, 0x0606060606060606
	return x&hi == 0x3030303030303030 && (x+six)&hi == 0x3030303030303030
}

// parseEight converts eight ASCII digits (first digit in the lowest byte)
// by combining neighbours pairwise: 2-digit, then 4-digit, then 8-digit.
func parseEight(x uint64) uint64 {
	x -= 0x3030303030303030
	x = (x*10 + x>>8) & 0x00FF00FF00FF00FF
	x = (x*100 + x>>16) & 0x0000FFFF0000FFFF
	return (x*10000 + x>>32) & 0xFFFFFFFF
}
