// Package usage evaluates beancounter usage against barrier/limit with
// percentage ranges. Pure: snapshot and settings in, findings out.
package usage

import (
	"cmp"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"

	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Pair is a resource's warning and critical range (percentages of its
// basis).
type Pair = threshold.Pair

// Settings say what to evaluate and how.
type Settings struct {
	Default Pair
	// PerResource overrides Default; an Off pair turns a resource off.
	PerResource map[string]Pair
	// Named resources are evaluated even when off by default (guarantees,
	// physpages): the user asked for them with --resource or --threshold.
	Named   map[string]bool
	MaxHeld bool
	table   *compiled // built on first use; settings do not change after
}

// OffByDefault are the resources not evaluated unless named:
//   - vmguarpages, oomguarpages: the barrier is a guarantee, held above it
//     is normal (docs/formats.md §0.6);
//   - physpages: in VSwap it counts page cache too, so a healthy container
//     sits near 100% of its RAM; swappages and the oomguarpages failcnt
//     show real memory trouble.
var OffByDefault = map[string]bool{"vmguarpages": true, "oomguarpages": true, "physpages": true}

// ParseOverride parses RESOURCE=WARN,CRIT (either part may be empty).
func ParseOverride(s string) (string, Pair, error) {
	name, ranges, ok := strings.Cut(s, "=")
	if !ok {
		return "", Pair{}, fmt.Errorf("--threshold %q: expected RESOURCE=WARN,CRIT", s)
	}
	if !ubc.IsKnown(name) {
		return "", Pair{}, fmt.Errorf("--threshold %q: unknown resource %q (known: %s)", s, name, strings.Join(ubc.Names(), ", "))
	}
	w, c, ok := strings.Cut(ranges, ",")
	if !ok {
		return "", Pair{}, fmt.Errorf("--threshold %q: expected RESOURCE=WARN,CRIT (a comma, even with one part empty)", s)
	}
	var p Pair
	for _, part := range []struct {
		text string
		dst  **threshold.Range
	}{{w, &p.Warn}, {c, &p.Crit}} {
		if part.text == "" {
			continue
		}
		r, err := threshold.Parse(part.text)
		if err != nil {
			return "", Pair{}, fmt.Errorf("--threshold %q: %w", s, err)
		}
		*part.dst = &r
	}
	return name, p, nil
}

// For returns the ranges that apply to a resource, and whether it is
// evaluated at all.
func (s *Settings) For(name string) (Pair, bool) {
	if p, ok := s.PerResource[name]; ok {
		return p, !p.Off()
	}
	if OffByDefault[name] && !s.Named[name] {
		return Pair{}, false
	}
	return s.Default, !s.Default.Off()
}

// Basis returns what a resource's usage is measured against ("barrier" or
// "limit", or "guarantee"), or ok=false when it is unlimited or 0 and so
// not evaluated.
func Basis(res ubc.Resource, row ubc.Row) (value uint64, name string, ok bool) {
	switch res.Basis {
	case ubc.Guarantee:
		value, name = row.Barrier, "guarantee"
	case ubc.LimitOnly:
		value, name = row.Limit, "limit"
	default:
		value, name = row.Barrier, "barrier"
		if value == 0 || ubc.Unlimited(value) {
			value, name = row.Limit, "limit"
		}
	}
	if value == 0 || ubc.Unlimited(value) {
		return 0, "", false
	}
	return value, name, true
}

// Finding is one evaluated resource of one container.
type Finding struct {
	CT        string
	Row       ubc.Row
	Res       ubc.Resource
	Pair      Pair
	Basis     uint64
	BasisName string
	State     status.Status
	// Measured is "held" or "maxheld": which value gave State.
	Measured string
	Value    uint64
}

// PerMille is the usage in tenths of a percent, rounded down.
func (f Finding) PerMille() uint64 {
	if f.Basis == 0 {
		return 0
	}
	hi, lo := bits.Mul64(f.Value, 1000)
	if hi >= f.Basis { // absurd held values: saturate instead of overflowing
		return 1<<64 - 1
	}
	q, _ := bits.Div64(hi, lo, f.Basis)
	return q
}

// PercentText is the usage for people: "157%", "91.9%", rounded half up,
// with more decimals where the value is so close to a threshold that one
// decimal would show it on the wrong side ("99.94%" for -c 99.9).
func (f Finding) PercentText() string {
	if f.Basis == 0 {
		return "0%"
	}
	return threshold.PercentText(f.Value, f.Basis, f.Pair.Warn, f.Pair.Crit)
}

// compiled is For, precomputed per kernel index, with the ranges
// converted to whole-number bounds for the last basis seen: containers on a
// node mostly share their limits, so evaluating a row is a few integer
// comparisons, not 128-bit arithmetic.
type compiled struct {
	pair  [len(ubc.Known)]Pair
	on    [len(ubc.Known)]bool
	cache [len(ubc.Known)]boundsCache
}

type boundsCache struct {
	basis uint64
	b     threshold.PairBounds
	valid bool
}

func (s *Settings) compile() *compiled {
	c := &compiled{}
	for i, r := range ubc.Known {
		c.pair[i], c.on[i] = s.For(r.Name)
	}
	return c
}

// level evaluates v against p for basis, through the cache entry bc.
func level(p Pair, bc *boundsCache, v, basis uint64) status.Status {
	if !bc.valid || bc.basis != basis {
		bc.basis, bc.b, bc.valid = basis, p.PercentBounds(basis), true
	}
	return bc.b.Judge(v)
}

// Rows evaluates the selected rows of one container and returns how many
// resources it evaluated. emit gets every evaluated resource, or with
// problemsOnly just those not OK.
func (s *Settings) Rows(ct *ubc.Container, want func(string) bool, problemsOnly bool, emit func(Finding)) int {
	if s.table == nil {
		s.table = s.compile()
	}
	evaluated, hint := 0, 0
	for _, row := range ct.Rows {
		idx := ubc.Index(row.Name, hint)
		hint = idx + 1
		var pair Pair
		var on bool
		var res ubc.Resource
		bc := &boundsCache{}
		if idx >= 0 {
			pair, on, res, bc = s.table.pair[idx], s.table.on[idx], ubc.Known[idx], &s.table.cache[idx]
		} else {
			pair, on = s.For(row.Name)
			res, _ = ubc.Lookup(row.Name)
		}
		if !on || !want(row.Name) {
			continue
		}
		basis, basisName, ok := Basis(res, row)
		if !ok {
			continue
		}
		evaluated++
		st, measured, value := level(pair, bc, row.Held, basis), "held", row.Held
		if s.MaxHeld {
			if mst := level(pair, bc, row.MaxHeld, basis); status.Worse(st, mst) != st {
				st, measured, value = mst, "maxheld", row.MaxHeld
			}
		}
		if problemsOnly && st == status.OK {
			continue
		}
		emit(Finding{CT: ct.ID, Row: row, Res: res, Pair: pair, Basis: basis, BasisName: basisName,
			Measured: measured, Value: value, State: st})
	}
	return evaluated
}

// Unjudged is a resource named with --resource or --threshold that a
// container gives nothing to judge it by, and why.
type Unjudged struct {
	Resource, Why string
}

// Unjudged returns, in name order, the named resources that want selects
// and ct has no basis for: no row, or a barrier, limit or guarantee that
// is 0 or unlimited. Resources turned off (--threshold RES=,) are not
// listed: that was asked for.
func (s *Settings) Unjudged(ct *ubc.Container, want func(string) bool) []Unjudged {
	var out []Unjudged
	for _, name := range slices.Sorted(maps.Keys(s.Named)) {
		if _, on := s.For(name); !on || !want(name) {
			continue
		}
		i := slices.IndexFunc(ct.Rows, func(r ubc.Row) bool { return r.Name == name })
		if i < 0 {
			out = append(out, Unjudged{name, "not in the table"})
			continue
		}
		row := ct.Rows[i]
		res, _ := ubc.Lookup(name)
		if _, _, ok := Basis(res, row); ok {
			continue
		}
		var why string
		switch res.Basis {
		case ubc.Guarantee:
			why = "guarantee " + zeroOrUnlimited(row.Barrier)
		case ubc.LimitOnly:
			why = "limit " + zeroOrUnlimited(row.Limit)
		default:
			why = "barrier " + zeroOrUnlimited(row.Barrier) + ", limit " + zeroOrUnlimited(row.Limit)
		}
		out = append(out, Unjudged{name, why})
	}
	return out
}

// zeroOrUnlimited names a value Basis found unusable.
func zeroOrUnlimited(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "unlimited"
}

// SortProblems orders findings worst first: state, then percentage, then
// container and resource for a stable output.
func SortProblems(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(status.Compare(b.State, a.State), cmp.Compare(b.PerMille(), a.PerMille()),
			strings.Compare(a.CT, b.CT), strings.Compare(a.Res.Name, b.Res.Name))
	})
}

// Flags are the threshold flags shared by check_ubc and check_vz_container.
type Flags struct {
	Warning   *threshold.Range `short:"w" default:"90" placeholder:"RANGE" help:"Warning range over usage in percent (held as % of barrier, or of limit where there is no barrier); the default ${default} alerts above ${default}%."`
	Critical  *threshold.Range `short:"c" default:"95" placeholder:"RANGE" help:"Critical range over usage in percent; the default ${default} alerts above ${default}%, so held at or over the barrier is always CRITICAL."`
	Threshold []string         `name:"threshold" sep:"none" placeholder:"RES=WARN,CRIT" help:"Per-resource ranges, repeatable: tcpsndbuf=70,85. An empty part turns that level off; physpages=90,98 turns VSwap RAM checking on; tcpsndbuf=, turns a resource off."`
	MaxHeld   bool             `name:"maxheld" help:"Also evaluate maxheld, the peak since the container started (catches spikes between checks)."`
}

// Validate checks the --threshold values.
func (f *Flags) Validate() error {
	for _, t := range f.Threshold {
		if _, _, err := ParseOverride(t); err != nil {
			return err
		}
	}
	return nil
}

// Settings turns the flags into evaluation settings; named are the
// resources given with --resource.
func (f *Flags) Settings(named map[string]bool) *Settings {
	s := &Settings{Default: Pair{Warn: f.Warning, Crit: f.Critical}, PerResource: map[string]Pair{}, Named: map[string]bool{}, MaxHeld: f.MaxHeld}
	for n := range named {
		s.Named[n] = true
	}
	for _, t := range f.Threshold {
		name, p, _ := ParseOverride(t) // validated before
		s.PerResource[name] = p
		s.Named[name] = true
	}
	return s
}
