// Package report words beancounter findings for people and for graphs:
// human units, the vzctl command that changes a limit, and perfdata in the
// value's own unit.
package report

import (
	"fmt"
	"strconv"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/usage"
)

// Plural is "1 container", "2 containers".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Bytes formats a byte count with 1024-based K/M/G/T, as vzctl reads them.
func Bytes(v uint64) string {
	const units = "KMGTPE"
	if v < 1024 {
		return strconv.FormatUint(v, 10) + "B"
	}
	f := float64(v)
	i := -1
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f < 10 {
		return strconv.FormatFloat(f, 'f', 1, 64) + units[i:i+1]
	}
	return strconv.FormatFloat(f, 'f', 0, 64) + units[i:i+1]
}

// toBytes converts a page resource's value to bytes, saturating instead of
// wrapping for absurd values.
func toBytes(res ubc.Resource, v uint64) uint64 {
	if res.Unit != ubc.Pages {
		return v
	}
	if v > (1<<64-1)/ubc.PageSize {
		return 1<<64 - 1
	}
	return v * ubc.PageSize
}

// Human formats a value of a resource: bytes (pages converted) or a count;
// barriers and limits at LONG_MAX read "unlimited".
func Human(res ubc.Resource, v uint64, isLimit bool) string {
	if isLimit && ubc.Unlimited(v) {
		return "unlimited"
	}
	if res.Unit == ubc.Count || v == 0 {
		return strconv.FormatUint(v, 10)
	}
	return Bytes(toBytes(res, v))
}

// Raise is the vzctl command that changes the resource, with the current
// values. VSwap RAM and swap are set with --ram/--swap.
func Raise(ctID string, row ubc.Row) string {
	res, _ := ubc.Lookup(row.Name)
	switch row.Name {
	case "physpages":
		return fmt.Sprintf("vzctl set %s --save --ram SIZE (now %s)", ctID, Human(res, row.Limit, true))
	case "swappages":
		return fmt.Sprintf("vzctl set %s --save --swap SIZE (now %s)", ctID, Human(res, row.Limit, true))
	}
	return fmt.Sprintf("vzctl set %s --save %s B:L (now %s:%s)", ctID, res.Flag, limitText(row.Barrier), limitText(row.Limit))
}

func limitText(v uint64) string {
	if ubc.Unlimited(v) {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// Values is a row's numbers for people: "held 2.6M, maxheld 2.6M,
// barrier 1.6M, limit 2.6M".
func Values(row ubc.Row) string {
	res, _ := ubc.Lookup(row.Name)
	return fmt.Sprintf("held %s, maxheld %s, barrier %s, limit %s", Human(res, row.Held, false),
		Human(res, row.MaxHeld, false), Human(res, row.Barrier, true), Human(res, row.Limit, true))
}

// ProblemLines are the long-output lines of one finding.
func ProblemLines(ctLabel string, f usage.Finding) []string {
	return []string{
		fmt.Sprintf("[%s] %s %s: %s, failcnt %d", f.State, ctLabel, Short(f), Values(f.Row), f.Row.FailCnt),
		"    raise: " + Raise(f.CT, f.Row),
	}
}

// Short is the summary phrase of a finding: "tcpsndbuf 157% of barrier",
// "numproc maxheld 99.8% of limit".
func Short(f usage.Finding) string {
	if f.Measured == "maxheld" {
		return fmt.Sprintf("%s maxheld %s of %s", f.Row.Name, f.PercentText(), f.BasisName)
	}
	return fmt.Sprintf("%s %s of %s", f.Row.Name, f.PercentText(), f.BasisName)
}

// uom is the perfdata unit of a resource's values.
func uom(res ubc.Resource) string {
	if res.Unit == ubc.Count {
		return ""
	}
	return "B"
}

// HeldPerf is the perfdata of a resource's held value: bytes for byte and
// page resources, a plain number for counts; warn/crit are the percentage
// ranges converted to the same unit; max is the limit, empty when unlimited.
func HeldPerf(ctID string, res ubc.Resource, row ubc.Row, pair usage.Pair, basis uint64, evaluated bool) check.Perf {
	return heldPerf(check.Label("ct"+ctID, row.Name), res, row, limitsOf(res, row, pair, basis, evaluated))
}

// limits are the warn, crit and max fields of a held value's perfdata.
type limits struct{ warn, crit, max string }

func limitsOf(res ubc.Resource, row ubc.Row, pair usage.Pair, basis uint64, evaluated bool) limits {
	var l limits
	if !ubc.Unlimited(row.Limit) && row.Limit != 0 {
		l.max = strconv.FormatUint(toBytes(res, row.Limit), 10)
	}
	if evaluated {
		whole := toBytes(res, basis)
		if pair.Warn != nil {
			l.warn = pair.Warn.PercentOf(whole)
		}
		if pair.Crit != nil {
			l.crit = pair.Crit.PercentOf(whole)
		}
	}
	return l
}

func heldPerf(label string, res ubc.Resource, row ubc.Row, l limits) check.Perf {
	return check.Perf{Label: label, Value: strconv.FormatUint(toBytes(res, row.Held), 10), UOM: uom(res),
		Warn: l.warn, Crit: l.crit, Min: "0", Max: l.max}
}

// FindingPerf is HeldPerf for an evaluated finding.
func FindingPerf(f usage.Finding) check.Perf {
	return HeldPerf(f.CT, f.Res, f.Row, f.Pair, f.Basis, true)
}

// FailcntPerf is a resource's failcnt as a counter.
func FailcntPerf(ctID string, row ubc.Row) check.Perf {
	return failcntPerf(check.Label("ct"+ctID, row.Name, failcntSuffix), row)
}

const failcntSuffix = "failcnt"

func failcntPerf(label string, row ubc.Row) check.Perf {
	return check.Perf{Label: label, Value: strconv.FormatUint(row.FailCnt, 10), UOM: "c", Min: "0"}
}

// ContainerPerf is every wanted resource of a container: held (with the
// thresholds where it is evaluated) and failcnt.
func ContainerPerf(ct *ubc.Container, want func(string) bool, settings *usage.Settings) []check.Perf {
	var perf []check.Perf
	eachContainerPerf([]ubc.Container{*ct}, want, settings, func(held, failcnt check.Perf) {
		perf = append(perf, held, failcnt)
	})
	return perf
}

// AddContainerPerf adds the ContainerPerf of each container to list. A
// node has a million values: containers with the same limits share their
// strings.
func AddContainerPerf(list *check.PerfList, cts []ubc.Container, want func(string) bool, settings *usage.Settings) {
	n := 0
	for _, ct := range cts {
		n += 2 * len(ct.Rows)
	}
	list.Grow(n, 64) // a label of 30 bytes, four numbers
	eachContainerPerf(cts, want, settings, func(held, failcnt check.Perf) { list.Add(held, failcnt) })
}

func eachContainerPerf(cts []ubc.Container, want func(string) bool, settings *usage.Settings, add func(held, failcnt check.Perf)) {
	type key struct {
		name         string
		basis, limit uint64
		evaluated    bool
	}
	shared := map[key]limits{}
	for _, ct := range cts {
		prefix := "ct" + ct.ID
		for _, row := range ct.Rows {
			if !want(row.Name) {
				continue
			}
			res, _ := ubc.Lookup(row.Name)
			pair, on := settings.For(row.Name)
			basis, _, limited := usage.Basis(res, row)
			k := key{row.Name, basis, row.Limit, on && limited}
			l, ok := shared[k]
			if !ok {
				l = limitsOf(res, row, pair, basis, k.evaluated)
				shared[k] = l
			}
			// The held label is the failcnt label's start: one allocation.
			failcnt := check.Label(prefix, row.Name, failcntSuffix)
			add(heldPerf(failcnt[:len(failcnt)-len("_"+failcntSuffix)], res, row, l), failcntPerf(failcnt, row))
		}
	}
}
