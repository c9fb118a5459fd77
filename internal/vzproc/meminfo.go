package vzproc

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/text"
)

// MemInfo is what vzmemcheck reads of /proc/meminfo, in bytes
// (src/lib/util.c get_mem, get_swap, get_lowmem). LowTotal is 0 where the
// kernel prints no LowTotal line (64-bit: no highmem split).
type MemInfo struct {
	Total, SwapTotal, LowTotal uint64
}

// ParseMemInfo reads /proc/meminfo: "Key:   N kB" lines. MemTotal and
// SwapTotal are required; other lines are skipped, whatever they hold.
func ParseMemInfo(r io.Reader, source string) (MemInfo, error) {
	var m MemInfo
	var haveTotal, haveSwap bool
	_, err := lines(r, source, func(_ int, line string) error {
		key, rest, ok := strings.Cut(line, ":")
		var dst *uint64
		switch key {
		case "MemTotal":
			dst, haveTotal = &m.Total, true
		case "SwapTotal":
			dst, haveSwap = &m.SwapTotal, true
		case "LowTotal":
			dst = &m.LowTotal
		}
		if dst == nil || !ok {
			return nil
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return fmt.Errorf("%s: expected \"N kB\", found %q", key, text.Excerpt(rest))
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil || kb > 1<<53 { // far beyond any machine; keeps *1024 exact
			return fmt.Errorf("%s: %q is not a size in kB", key, text.Excerpt(f[0]))
		}
		*dst = kb * 1024
		return nil
	})
	if err != nil {
		return MemInfo{}, err
	}
	switch {
	case !haveTotal:
		return MemInfo{}, fmt.Errorf("%s: no MemTotal line", source)
	case !haveSwap:
		return MemInfo{}, fmt.Errorf("%s: no SwapTotal line", source)
	case m.Total == 0:
		return MemInfo{}, fmt.Errorf("%s: MemTotal is 0", source)
	}
	return m, nil
}
