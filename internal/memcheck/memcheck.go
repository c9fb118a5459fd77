// Package memcheck computes a node's memory utilization and commitment
// from its running containers' beancounters, as vzmemcheck does
// (kolyshkin/vzctl src/vzmemcheck.c calculate, src/validate.c
// calc_ve_utilization and calc_ve_commitment), plus the VSwap ratios
// vzmemcheck lacks. Pure: values in, ratios out, as exact fractions
// (vzctl uses doubles).
package memcheck

import (
	"fmt"
	"math/bits"

	"github.com/vzmon/vzmon/internal/ubc"
)

// Host is the node's memory in bytes (/proc/meminfo). LowMem is vzmemcheck's
// low memory, 40% of LowTotal; 0 on 64-bit kernels (no LowTotal), where the
// 32-bit lowmem zone does not exist and the low memory ratios do not apply.
// vzmemcheck falls back to MemTotal there, which measures nothing.
type Host struct{ RAM, Swap, LowMem uint64 }

// LowMemOf is vzmemcheck's mem.lowmem *= 0.4, exact: LowTotal x 2/5.
func LowMemOf(lowTotal uint64) uint64 { return lowTotal * 2 / 5 }

// Ratio is one metric: Num bytes against Den bytes, or not applicable
// (NA says why).
type Ratio struct {
	Name string // perfdata label: lowmem_util, alloc_limit_commit, ...
	What string // for people: "low memory utilization (held)"
	// Guarantee: a commitment of guarantees (over 1 they cannot all be
	// kept) rather than a utilization.
	Commitment bool
	Num, Den   uint64
	NA         string
}

type sum struct {
	v   uint64
	bad string
}

func (s *sum) add(v uint64, who string) {
	if s.bad != "" {
		return
	}
	if ubc.Unlimited(v) {
		s.bad = who + " is unlimited"
		return
	}
	t, carry := bits.Add64(s.v, v, 0)
	if carry != 0 {
		s.bad = "the sum exceeds 2^64 bytes"
		return
	}
	s.v = t
}

func pages(v uint64) uint64 {
	if ubc.Unlimited(v) || v > ubc.LongMax64/ubc.PageSize {
		return ubc.LongMax64
	}
	return v * ubc.PageSize
}

// socket and kernel buffers: vzmemcheck's kmem_net.
var kmemNet = []string{"kmemsize", "tcprcvbuf", "tcpsndbuf", "dgramrcvbuf", "othersockbuf"}

// Compute returns the ratios over the running containers cts (CT 0 is
// skipped, as vzmemcheck does). Containers with a VSwap physpages limit
// count toward the VSwap ratios, the others toward vzmemcheck's.
func Compute(h Host, cts []ubc.Container) []Ratio {
	var classic, vswap []*ubc.Container
	for i := range cts {
		c := &cts[i]
		if c.ID == "0" {
			continue
		}
		if r, ok := c.Row("physpages"); ok && !ubc.Unlimited(r.Limit) {
			vswap = append(vswap, c)
		} else {
			classic = append(classic, c)
		}
	}
	var out []Ratio
	if len(classic) > 0 || len(vswap) == 0 {
		out = append(out, classicRatios(h, classic)...)
	}
	if len(vswap) > 0 {
		out = append(out, vswapRatios(h, vswap)...)
	}
	return out
}

// value picks held (0), barrier (1) or limit (2) of a row.
func value(r *ubc.Row, which int) uint64 {
	return [...]uint64{r.Held, r.Barrier, r.Limit}[which]
}

var whichName = [...]string{"held", "barrier", "limit"}

// total sums, over cts, each of the resources' values (pages as bytes)
// plus kmem_net at kmemWhich.
func total(cts []*ubc.Container, res string, which, kmemWhich int) sum {
	var s sum
	for _, c := range cts {
		if res != "" {
			r, ok := c.Row(res)
			if !ok {
				s.bad = fmt.Sprintf("CT %s has no %s", c.ID, res)
				return s
			}
			v := value(r, which)
			if ubc.Unlimited(v) {
				s.add(v, fmt.Sprintf("CT %s %s %s", c.ID, res, whichName[which]))
			} else {
				s.add(pages(v), "")
			}
		}
		if kmemWhich < 0 {
			continue
		}
		for _, k := range kmemNet {
			r, ok := c.Row(k)
			if !ok {
				s.bad = fmt.Sprintf("CT %s has no %s", c.ID, k)
				return s
			}
			s.add(value(r, kmemWhich), fmt.Sprintf("CT %s %s %s", c.ID, k, whichName[kmemWhich]))
		}
	}
	return s
}

func ratio(name, what string, commit bool, s sum, den uint64, na string) Ratio {
	r := Ratio{Name: name, What: what, Commitment: commit, Num: s.v, Den: den, NA: s.bad}
	if na != "" {
		r.NA = na
	}
	if r.NA == "" && den == 0 {
		r.NA = "nothing to compare with (0 bytes)"
	}
	return r
}

const held, barrier, limit = 0, 1, 2

// classicRatios are vzmemcheck's eight columns (calc_ve_utilization,
// calc_ve_commitment after shift_ubs_param: [0] barrier, [1] limit).
func classicRatios(h Host, cts []*ubc.Container) []Ratio {
	ramSwap, over := bits.Add64(h.RAM, h.Swap, 0)
	if over != 0 {
		ramSwap = 0
	}
	lowNA := ""
	if h.LowMem == 0 {
		lowNA = "64-bit kernel: no low memory zone"
	}
	return []Ratio{
		ratio("lowmem_util", "low memory utilization (kernel and socket buffers held, of 40% of LowTotal)", false, total(cts, "", 0, held), h.LowMem, lowNA),
		ratio("lowmem_commit", "low memory commitment (their limits)", true, total(cts, "", 0, limit), h.LowMem, lowNA),
		ratio("ram_util", "RAM utilization (physpages held + buffers)", false, total(cts, "physpages", held, held), h.RAM, ""),
		ratio("memswap_util", "RAM+swap utilization (oomguarpages held + buffers)", false, total(cts, "oomguarpages", held, held), ramSwap, ""),
		ratio("memswap_commit", "RAM+swap commitment (oomguarpages barriers + buffer limits)", true, total(cts, "oomguarpages", barrier, limit), ramSwap, ""),
		ratio("alloc_util", "allocated memory utilization (privvmpages held + buffers)", false, total(cts, "privvmpages", held, held), ramSwap, ""),
		ratio("alloc_commit", "allocated memory commitment (vmguarpages barriers + buffer limits)", true, total(cts, "vmguarpages", barrier, limit), ramSwap, ""),
		ratio("alloc_limit_commit", "allocated memory limits (privvmpages limits + buffer limits)", true, total(cts, "privvmpages", limit, limit), ramSwap, ""),
	}
}

// vswapRatios: RAM and swap as VSwap containers are promised them
// (physpages and swappages limits) and use them (held).
func vswapRatios(h Host, cts []*ubc.Container) []Ratio {
	return []Ratio{
		ratio("vswap_ram_util", "VSwap RAM utilization (physpages held)", false, total(cts, "physpages", held, -1), h.RAM, ""),
		ratio("vswap_ram_commit", "VSwap RAM commitment (physpages limits)", true, total(cts, "physpages", limit, -1), h.RAM, ""),
		ratio("vswap_swap_util", "VSwap swap utilization (swappages held)", false, total(cts, "swappages", held, -1), h.Swap, ""),
		ratio("vswap_swap_commit", "VSwap swap commitment (swappages limits)", true, total(cts, "swappages", limit, -1), h.Swap, ""),
	}
}
