package report

import (
	"strconv"
	"strings"
	"time"
)

var durationUnits = []struct {
	size time.Duration
	name string
}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}

// Duration formats d for people, in the units operators type (d, h, m, s),
// largest first and zero units left out: "15m", "1h 30m", "2d 12h",
// "10m 30s", "0s". With most > 0 it shows at most that many places from
// the largest unit, cut rather than rounded, for uptimes ("26d 3h" of
// 26d3h17m); with 0 it is exact, a part of a second as a decimal ("0.4s").
func Duration(d time.Duration, most int) string {
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign, u = "-", uint64(-(d+1))+1 // no overflow at the minimum
	}
	var parts []string
	places := 0
	for _, unit := range durationUnits {
		if most > 0 && places == most {
			break
		}
		size := uint64(unit.size)
		n := u / size
		u -= n * size
		if n == 0 && len(parts) == 0 && unit.name != "s" {
			continue // no leading zero units
		}
		places++
		switch {
		case unit.name == "s" && most == 0 && u > 0:
			parts = append(parts, strconv.FormatFloat(float64(n)+float64(u)/1e9, 'f', -1, 64)+"s")
		case n > 0:
			parts = append(parts, strconv.FormatUint(n, 10)+unit.name)
		}
	}
	if len(parts) == 0 {
		return "0s"
	}
	return sign + strings.Join(parts, " ")
}
