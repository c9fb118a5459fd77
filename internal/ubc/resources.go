// Package ubc reads the kernel's user beancounter tables
// (/proc/user_beancounters, /proc/bc/resources, /proc/bc/<id>/resources).
// It knows nothing about Nagios: records in, records out.
package ubc

// LongMax64 and LongMax32 are the kernel's "unlimited" (LONG_MAX) on 64-bit
// and 32-bit kernels. Both appear on 64-bit nodes, because configs written
// for 32-bit kernels carry 2147483647.
const (
	LongMax64 uint64 = 9223372036854775807
	LongMax32 uint64 = 2147483647
)

// PageSize is the page size of x86 and x86_64 OpenVZ kernels, the only ones
// that exist in practice; vzubc and the VHS emulator assume it too.
const PageSize = 4096

// Unlimited reports whether a barrier or limit means "no limit". The kernel
// refuses values above LONG_MAX, so anything larger is treated the same way.
func Unlimited(v uint64) bool {
	return v == LongMax64 || v == LongMax32 || v > LongMax64
}

// Unit is what a resource's numbers count.
type Unit uint8

// The units of the resources.
const (
	Count Unit = iota // objects: processes, sockets, files, rules
	Bytes
	Pages // 4 KiB pages
)

// Basis says which value a resource's usage is measured against.
type Basis uint8

const (
	// BarrierOrLimit is the barrier, or the limit when the barrier is 0 or unlimited.
	BarrierOrLimit Basis = iota
	// LimitOnly is for VSwap physpages and swappages, whose barrier is ignored (0).
	LimitOnly
	// Guarantee is for vmguarpages and oomguarpages, whose barrier is a guarantee,
	// not a ceiling; held above it is normal.
	Guarantee
)

// Resource describes one beancounter resource (docs/formats.md §2).
type Resource struct {
	Name  string
	Unit  Unit
	Basis Basis
	// FailureCritical: a growing failcnt means allocations fail for users
	// (docs/formats.md §2.2); false for reclaim-pressure counters.
	FailureCritical bool
	// Flag is the vzctl set option that changes it.
	Flag string
}

// dummyName marks the unused kernel slots; their rows are skipped.
const dummyName = "dummy"

// Known lists the resources in kernel index order (docs/formats.md §2), dummy
// slots included so that the order of /proc/user_beancounters matches.
var Known = [...]Resource{
	{"kmemsize", Bytes, BarrierOrLimit, true, "--kmemsize"},
	{"lockedpages", Pages, BarrierOrLimit, true, "--lockedpages"},
	{"privvmpages", Pages, BarrierOrLimit, true, "--privvmpages"},
	{"shmpages", Pages, BarrierOrLimit, true, "--shmpages"},
	{dummyName, Count, BarrierOrLimit, false, ""},
	{"numproc", Count, BarrierOrLimit, true, "--numproc"},
	{"physpages", Pages, LimitOnly, false, "--physpages"},
	{"vmguarpages", Pages, Guarantee, false, "--vmguarpages"},
	{"oomguarpages", Pages, Guarantee, true, "--oomguarpages"},
	{"numtcpsock", Count, BarrierOrLimit, true, "--numtcpsock"},
	{"numflock", Count, BarrierOrLimit, true, "--numflock"},
	{"numpty", Count, BarrierOrLimit, true, "--numpty"},
	{"numsiginfo", Count, BarrierOrLimit, true, "--numsiginfo"},
	{"tcpsndbuf", Bytes, BarrierOrLimit, true, "--tcpsndbuf"},
	{"tcprcvbuf", Bytes, BarrierOrLimit, true, "--tcprcvbuf"},
	{"othersockbuf", Bytes, BarrierOrLimit, true, "--othersockbuf"},
	{"dgramrcvbuf", Bytes, BarrierOrLimit, true, "--dgramrcvbuf"},
	{"numothersock", Count, BarrierOrLimit, true, "--numothersock"},
	{"dcachesize", Bytes, BarrierOrLimit, true, "--dcachesize"},
	{"numfile", Count, BarrierOrLimit, true, "--numfile"},
	{dummyName, Count, BarrierOrLimit, false, ""},
	{dummyName, Count, BarrierOrLimit, false, ""},
	{dummyName, Count, BarrierOrLimit, false, ""},
	{"numiptent", Count, BarrierOrLimit, true, "--numiptent"},
	{"swappages", Pages, LimitOnly, false, "--swappages"},
}

var knownIndex = func() map[string]int {
	m := make(map[string]int, len(Known))
	for i, r := range Known {
		if r.Name != dummyName {
			m[r.Name] = i
		}
	}
	return m
}()

// Lookup returns the description of a known resource. Unknown names (a
// future kernel's) get the generic description: a count measured against
// barrier or limit.
func Lookup(name string) (Resource, bool) {
	if i, ok := knownIndex[name]; ok {
		return Known[i], true
	}
	return Resource{Name: name, Unit: Count, Basis: BarrierOrLimit, FailureCritical: true, Flag: "--" + name}, false
}

// Index returns the kernel index of a known resource name, or -1. hint is
// the index expected (rows come in kernel order), tried before the map.
func Index(name string, hint int) int {
	if hint >= 0 && hint < len(Known) && Known[hint].Name == name && name != dummyName {
		return hint
	}
	if i, ok := knownIndex[name]; ok {
		return i
	}
	return -1
}

// IsKnown reports whether name is a real resource name (not "dummy").
func IsKnown(name string) bool {
	_, ok := knownIndex[name]
	return ok
}

// Names returns the real resource names in kernel order.
func Names() []string {
	out := make([]string, 0, len(Known))
	for _, r := range Known {
		if r.Name != dummyName {
			out = append(out, r.Name)
		}
	}
	return out
}
