package memcheck_test

import (
	"testing"

	"github.com/vzmon/vzmon/internal/memcheck"
	"github.com/vzmon/vzmon/internal/ubc"
)

const unl = ubc.LongMax64

// ct builds a container; each resource is held, barrier, limit.
func ct(id string, res map[string][3]uint64) ubc.Container {
	c := ubc.Container{ID: id}
	for _, name := range ubc.Names() {
		if v, ok := res[name]; ok {
			c.Rows = append(c.Rows, ubc.Row{Name: name, Held: v[0], Barrier: v[1], Limit: v[2]})
		}
	}
	return c
}

func classic(id string, k uint64) ubc.Container {
	return ct(id, map[string][3]uint64{
		"kmemsize": {1000 * k, 2000, 3000}, "tcprcvbuf": {100, 200, 300}, "tcpsndbuf": {10, 20, 30},
		"dgramrcvbuf": {1, 2, 3}, "othersockbuf": {5, 6, 7},
		"physpages": {10, 0, unl}, "oomguarpages": {20, 30, unl}, "privvmpages": {40, 50, 60}, "vmguarpages": {0, 70, unl},
	})
}

// TestClassic pins vzmemcheck's formulas (validate.c calc_ve_utilization,
// calc_ve_commitment), worked by hand for two containers.
func TestClassic(t *testing.T) {
	h := memcheck.Host{RAM: 1 << 20, Swap: 1 << 19, LowMem: memcheck.LowMemOf(1000)}
	got := map[string]memcheck.Ratio{}
	for _, r := range memcheck.Compute(h, []ubc.Container{classic("101", 1), classic("102", 2), ct("0", nil)}) {
		got[r.Name] = r
	}
	// kmem_net held: (1000+100+10+1+5) + (2000+100+10+1+5) = 1116 + 2116 = 3232
	// kmem_net limits: 2 x (3000+300+30+3+7) = 6680
	ramSwap := uint64(1<<20 + 1<<19)
	for name, want := range map[string][2]uint64{
		"lowmem_util":        {3232, 400}, // 40% of LowTotal 1000
		"lowmem_commit":      {6680, 400},
		"ram_util":           {2*10*4096 + 3232, 1 << 20},
		"memswap_util":       {2*20*4096 + 3232, ramSwap},
		"memswap_commit":     {2*30*4096 + 6680, ramSwap},
		"alloc_util":         {2*40*4096 + 3232, ramSwap},
		"alloc_commit":       {2*70*4096 + 6680, ramSwap},
		"alloc_limit_commit": {2*60*4096 + 6680, ramSwap},
	} {
		r := got[name]
		if r.NA != "" || r.Num != want[0] || r.Den != want[1] {
			t.Errorf("%s = %+v, want %d/%d", name, r, want[0], want[1])
		}
	}
	if len(got) != 8 {
		t.Errorf("%d ratios: %v", len(got), got)
	}
}

func TestNotApplicable(t *testing.T) {
	// 64-bit: no low memory zone.
	for _, r := range memcheck.Compute(memcheck.Host{RAM: 1, Swap: 1}, []ubc.Container{classic("101", 1)}) {
		if (r.Name == "lowmem_util" || r.Name == "lowmem_commit") != (r.NA != "") {
			t.Errorf("%s: NA %q", r.Name, r.NA)
		}
	}
	// An unlimited limit makes a commitment meaningless, naming why.
	c := classic("101", 1)
	c.Rows[0].Limit = unl // kmemsize
	for _, r := range memcheck.Compute(memcheck.Host{RAM: 1 << 20, Swap: 1, LowMem: 400}, []ubc.Container{c}) {
		if r.Name == "lowmem_commit" && r.NA != "CT 101 kmemsize limit is unlimited" {
			t.Errorf("lowmem_commit NA = %q", r.NA)
		}
		if r.Name == "lowmem_util" && r.NA != "" {
			t.Errorf("lowmem_util NA = %q", r.NA)
		}
	}
	if got := memcheck.LowMemOf(889960); got != 355984 {
		t.Errorf("LowMemOf = %d", got)
	}
}

func TestVSwap(t *testing.T) {
	v := func(id string, ramHeld, ram, swapHeld, swap uint64) ubc.Container {
		return ct(id, map[string][3]uint64{"physpages": {ramHeld, 0, ram}, "swappages": {swapHeld, 0, swap}})
	}
	h := memcheck.Host{RAM: 4 << 30, Swap: 1 << 30}
	got := map[string]memcheck.Ratio{}
	for _, r := range memcheck.Compute(h, []ubc.Container{v("1", 1000, 1<<20, 10, 1<<18), v("2", 3000, 1<<19, 0, 1<<18)}) {
		got[r.Name] = r
	}
	for name, want := range map[string][2]uint64{
		"vswap_ram_util":    {4000 * 4096, 4 << 30},
		"vswap_ram_commit":  {(1<<20 + 1<<19) * 4096, 4 << 30}, // 6 GiB of 4: overcommitted 150%
		"vswap_swap_util":   {10 * 4096, 1 << 30},
		"vswap_swap_commit": {(1 << 19) * 4096, 1 << 30},
	} {
		if r := got[name]; r.NA != "" || r.Num != want[0] || r.Den != want[1] {
			t.Errorf("%s = %+v, want %d/%d", name, r, want[0], want[1])
		}
	}
	if len(got) != 4 {
		t.Errorf("a VSwap-only node got the classic ratios too: %v", got)
	}
	// No swap: the swap ratios have nothing to compare with.
	for _, r := range memcheck.Compute(memcheck.Host{RAM: 1 << 30}, []ubc.Container{v("1", 1, 2, 0, 0)}) {
		if r.Name == "vswap_swap_util" && r.NA == "" {
			t.Errorf("no swap: %+v", r)
		}
	}
}
