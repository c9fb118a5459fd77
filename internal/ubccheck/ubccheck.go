// Package ubccheck checks a container's beancounter barriers and limits
// for consistency, with the rules of vzctl's vzcfgvalidate
// (kolyshkin/vzctl src/validate.c: validate, validate_vswap), and computes
// the smallest change that satisfies all of them, as vzcfgvalidate -r does.
// Pure: values in, findings out; it reads nothing.
package ubccheck

import (
	"fmt"

	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/vzconf"
)

// Level is vzcfgvalidate's word for a violated rule.
type Level uint8

// The levels, most serious first.
const (
	Error Level = iota
	Warning
	Recommendation
)

func (l Level) String() string {
	return [...]string{"Error", "Warning", "Recommendation"}[l]
}

// Set is a container's barrier:limit per resource (kernel names), in the
// resource's unit (bytes, pages or objects).
type Set map[string]vzconf.BL

// Host is what the VSwap rules compare against, in pages; 0 = unknown
// (those rules are then skipped).
type Host struct{ RAMPages, SwapPages uint64 }

// Finding is one violated rule.
type Finding struct {
	Rule     string // rule name, as in the README table
	Level    Level
	Resource string // the resource the fix changes
	Text     string // what is wrong, with the numbers
}

// Result is the outcome for one container.
type Result struct {
	VSwap    bool
	Findings []Finding
	// Fix holds the resources the fix changes, with their new values;
	// applying all of them yields a set without findings at the levels
	// checked.
	Fix Set
}

// FixOrder returns the resources of Fix in kernel order, for a stable
// vzctl command line.
func (r Result) FixOrder() []string {
	var out []string
	for _, n := range ubc.Names() {
		if _, ok := r.Fix[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

const unl = ubc.LongMax64

// normalize maps both kernels' LONG_MAX (and anything above) to one
// "unlimited", so that a 32-bit config's 2147483647 compares equal to a
// 64-bit kernel's LONG_MAX, as vzctl's own comparisons see them on the
// node that wrote them.
func normalize(s Set) Set {
	out := make(Set, len(s))
	for k, v := range s {
		if ubc.Unlimited(v.Barrier) {
			v.Barrier = unl
		}
		if ubc.Unlimited(v.Limit) {
			v.Limit = unl
		}
		out[k] = v
	}
	return out
}

// add and mul saturate at unlimited: vzctl's unsigned long wraps and then
// masks with LONG_MAX (val &= LONG_MAX), which turns an overflow into an
// arbitrary small requirement; saturating says "needs unlimited" instead.
func add(a, b uint64) uint64 {
	if a >= unl || b >= unl || a+b >= unl {
		return unl
	}
	return a + b
}

func mul(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= unl || b >= unl || a > unl/b {
		return unl
	}
	return a * b
}

func sub(a, b uint64) uint64 { // a-b, 0 if negative
	if a <= b {
		return 0
	}
	return a - b
}

// required lists the parameters vzcfgvalidate needs (validate.c:
// check_param); without one of them it checks nothing.
var required = []string{"numproc", "numtcpsock", "numothersock", "oomguarpages", "vmguarpages", "kmemsize", "tcpsndbuf", "tcprcvbuf", "othersockbuf", "dgramrcvbuf", "privvmpages", "numfile", "dcachesize", "physpages", "numpty"}

// requiredVSwap: a VSwap config needs only these (src/lib/ub.c check_ub).
var requiredVSwap = []string{"physpages", "swappages"}

// IsVSwap reports whether a set is a VSwap one, with vzctl's test
// (src/lib/ub.c is_vswap_config, vzlist print_vswap): physpages present
// and its limit not unlimited.
func IsVSwap(s Set) bool {
	p, ok := s["physpages"]
	return ok && !ubc.Unlimited(p.Limit)
}

// Check evaluates the rules at levels up to maxLevel on s. avnumproc is the
// AVNUMPROC config value, 0 if absent (vzctl then uses numproc.bar/2).
func Check(s Set, avnumproc uint64, host Host, maxLevel Level) Result {
	s = normalize(s)
	res := Result{VSwap: IsVSwap(s), Fix: Set{}}
	rules, need := classic, required
	if res.VSwap {
		rules, need = vswap, requiredVSwap
	}
	for _, n := range need {
		if _, ok := s[n]; !ok {
			res.Findings = append(res.Findings, Finding{"required", Error, n, n + " not set: vzcfgvalidate checks nothing without it"})
		}
	}
	if len(res.Findings) > 0 {
		return res
	}
	ctx := &env{host: host, avnumproc: avnumproc}
	// Findings: every rule against the values as they are.
	for _, r := range rules {
		if r.level > maxLevel || !r.applies(s) {
			continue
		}
		if f, bad := r.eval(ctx, s); bad {
			f.Rule, f.Level = r.name, r.level
			res.Findings = append(res.Findings, f)
		}
	}
	if len(res.Findings) == 0 {
		return res
	}
	// Fix: vzcfgvalidate -r applies each rule's repair in order, once.
	// One pass is not always enough (raising numfile, the last rule,
	// raises dcachesize's and so kmemsize's minimum), so passes repeat
	// until none changes anything; every repair only raises values, so
	// this ends.
	w := make(Set, len(s))
	for k, v := range s {
		w[k] = v
	}
	for pass := 0; pass < 8; pass++ {
		changed := false
		for _, r := range rules {
			if r.level > maxLevel || !r.applies(w) {
				continue
			}
			if _, bad := r.eval(ctx, w); bad {
				r.fix(ctx, w)
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for k, v := range w {
		if s[k] != v {
			res.Fix[k] = v
		}
	}
	return res
}

type env struct {
	host      Host
	avnumproc uint64
}

// avn is vzctl's avnumproc: AVNUMPROC, else numproc.bar/2 (validate.c).
func (e *env) avn(s Set) uint64 {
	if e.avnumproc != 0 {
		return e.avnumproc
	}
	if s["numproc"].Barrier >= unl {
		return unl
	}
	return s["numproc"].Barrier / 2
}

// rule is one vzcfgvalidate check: eval reports a violation with its text
// and the resource to change; fix changes it in place.
type rule struct {
	name  string
	level Level
	eval  func(e *env, s Set) (Finding, bool)
	fix   func(e *env, s Set)
	// needs are the resources the rule reads; without one of them it
	// does not apply (a VSwap config may set only physpages and swappages).
	needs []string
}

func (r rule) applies(s Set) bool {
	for _, n := range r.needs {
		if _, ok := s[n]; !ok {
			return false
		}
	}
	return true
}

func num(v uint64) string {
	if v >= unl {
		return "unlimited"
	}
	return fmt.Sprint(v)
}

func bl(v vzconf.BL) string { return num(v.Barrier) + ":" + num(v.Limit) }

// equalBL: validate.c CHECK_B, barrier must equal limit; fix both to the
// larger.
func equalBL(res string) rule {
	return rule{"barrier=limit", Error,
		func(_ *env, s Set) (Finding, bool) {
			v, ok := s[res]
			if !ok || v.Barrier == v.Limit {
				return Finding{}, false
			}
			return Finding{Resource: res, Text: fmt.Sprintf("%s barrier should equal its limit (currently %s)", res, bl(v))}, true
		},
		func(_ *env, s Set) {
			v := s[res]
			m := max(v.Barrier, v.Limit)
			s[res] = vzconf.BL{Barrier: m, Limit: m}
		}, []string{res}}
}

// barrierLELimit: validate.c CHECK_BL; fix the limit up to the barrier.
func barrierLELimit(res string) rule {
	return rule{"barrier<=limit", Error,
		func(_ *env, s Set) (Finding, bool) {
			v, ok := s[res]
			if !ok || v.Barrier <= v.Limit {
				return Finding{}, false
			}
			return Finding{Resource: res, Text: fmt.Sprintf("%s barrier should be <= its limit (currently %s)", res, bl(v))}, true
		},
		func(_ *env, s Set) {
			v := s[res]
			s[res] = vzconf.BL{Barrier: v.Barrier, Limit: v.Barrier}
		}, []string{res}}
}

// limitUnlimited: vmguarpages, oomguarpages, physpages (non-VSwap) limits
// must be LONG_MAX (validate.c).
func limitUnlimited(res string) rule {
	return rule{"limit=unlimited", Error,
		func(_ *env, s Set) (Finding, bool) {
			v := s[res]
			if v.Limit >= unl {
				return Finding{}, false
			}
			return Finding{Resource: res, Text: fmt.Sprintf("%s limit should be unlimited (currently %s)", res, num(v.Limit))}, true
		},
		func(_ *env, s Set) {
			v := s[res]
			s[res] = vzconf.BL{Barrier: v.Barrier, Limit: unl}
		}, []string{res}}
}

// barrierZero: physpages barrier must be 0 (validate.c; validate_vswap
// for physpages and swappages).
func barrierZero(res string) rule {
	return rule{"barrier=0", Error,
		func(_ *env, s Set) (Finding, bool) {
			v, ok := s[res]
			if !ok || v.Barrier == 0 {
				return Finding{}, false
			}
			return Finding{Resource: res, Text: fmt.Sprintf("%s barrier should be 0 (currently %s)", res, num(v.Barrier))}, true
		},
		func(_ *env, s Set) {
			v := s[res]
			s[res] = vzconf.BL{Barrier: 0, Limit: v.Limit}
		}, []string{res}}
}

// gap: limit - barrier of buf >= 2.5 KB x count.bar (validate.c: 2.5 *
// 1024 * numtcpsock[0], a double product; 2560 x n is the same integer
// below 2^53/2560 sockets, and exact above). Fix: raise the limit.
func gap(buf, count string, level Level) rule {
	need := func(s Set) (uint64, bool) {
		c := s[count].Barrier
		return mul(2560, c), c < unl
	}
	return rule{buf + "-gap", level,
		func(_ *env, s Set) (Finding, bool) {
			v := s[buf]
			n, ok := need(s)
			if !ok || v.Limit >= unl || sub(v.Limit, v.Barrier) >= n {
				return Finding{}, false
			}
			return Finding{Resource: buf, Text: fmt.Sprintf("%s limit-barrier should be >= %d (2.5 KB x %s barrier %d), currently %d-%d=%d",
				buf, n, count, s[count].Barrier, v.Limit, v.Barrier, sub(v.Limit, v.Barrier))}, true
		},
		func(_ *env, s Set) {
			v := s[buf]
			n, _ := need(s)
			s[buf] = vzconf.BL{Barrier: v.Barrier, Limit: add(v.Barrier, n)}
		}, []string{buf, count}}
}

// minBarrier: barrier of res >= min; fix raises barrier and limit by the
// same amount, keeping the gap (validate.c).
func minBarrier(name, res string, want uint64, level Level, below uint64) rule {
	return rule{name, level,
		func(_ *env, s Set) (Finding, bool) {
			v := s[res]
			// A Recommendation applies only where the Warning's smaller
			// minimum is met (validate.c's else-if).
			if v.Barrier >= want || v.Barrier < below {
				return Finding{}, false
			}
			return Finding{Resource: res, Text: fmt.Sprintf("%s barrier should be >= %d (currently %d)", res, want, v.Barrier)}, true
		},
		func(_ *env, s Set) {
			raise(s, res, want)
		}, []string{res}}
}

// raise sets res's barrier to want and moves the limit up by as much.
func raise(s Set, res string, want uint64) {
	v := s[res]
	s[res] = vzconf.BL{Barrier: want, Limit: add(v.Limit, want-v.Barrier)}
}

// classic is validate() for non-VSwap sets, in the source's order.
var classic = []rule{
	equalBL("numproc"), equalBL("numtcpsock"), equalBL("numothersock"),
	limitUnlimited("vmguarpages"),
	barrierLELimit("kmemsize"), barrierLELimit("tcpsndbuf"), barrierLELimit("tcprcvbuf"),
	barrierLELimit("othersockbuf"), barrierLELimit("dgramrcvbuf"),
	limitUnlimited("oomguarpages"),
	barrierLELimit("privvmpages"), barrierLELimit("lockedpages"), equalBL("shmpages"),
	barrierZero("physpages"), limitUnlimited("physpages"),
	equalBL("numfile"), barrierLELimit("numflock"), equalBL("numpty"), equalBL("numsiginfo"),
	barrierLELimit("dcachesize"), equalBL("numiptent"),
	{"dcachesize-numfile", Warning,
		func(_ *env, s Set) (Finding, bool) {
			nf := s["numfile"].Barrier
			if nf >= unl || s["dcachesize"].Limit >= mul(384, nf) {
				return Finding{}, false
			}
			return Finding{Resource: "dcachesize", Text: fmt.Sprintf("dcachesize limit should be >= %d (384 x numfile barrier %d), currently %d", mul(384, nf), nf, s["dcachesize"].Limit)}, true
		},
		func(_ *env, s Set) {
			v := s["dcachesize"]
			s["dcachesize"] = vzconf.BL{Barrier: v.Barrier, Limit: mul(384, s["numfile"].Barrier)}
		}, []string{"dcachesize", "numfile"}},
	{"kmemsize-numproc", Error,
		func(e *env, s Set) (Finding, bool) {
			a, dc := e.avn(s), s["dcachesize"].Limit
			if a >= unl || dc >= unl {
				return Finding{}, false
			}
			need := add(mul(40*1024, a), dc)
			if s["kmemsize"].Barrier >= need {
				return Finding{}, false
			}
			return Finding{Resource: "kmemsize", Text: fmt.Sprintf("kmemsize barrier should be >= %d (40 KB x avnumproc %d + dcachesize limit %d), currently %d", need, a, dc, s["kmemsize"].Barrier)}, true
		},
		func(e *env, s Set) {
			raise(s, "kmemsize", add(mul(40*1024, e.avn(s)), s["dcachesize"].Limit))
		}, []string{"kmemsize", "numproc", "dcachesize"}},
	{"privvmpages-vmguarpages", Warning,
		func(_ *env, s Set) (Finding, bool) {
			g := s["vmguarpages"].Barrier
			if s["privvmpages"].Barrier >= g {
				return Finding{}, false
			}
			return Finding{Resource: "privvmpages", Text: fmt.Sprintf("privvmpages barrier should be >= vmguarpages barrier %s (currently %d)", num(g), s["privvmpages"].Barrier)}, true
		},
		// validate.c sets the limit to vmguarpages' limit (LONG_MAX) when
		// privvmpages' limit is not below the guarantee: a slip for
		// privvmpages' own limit, which is what is kept here.
		func(_ *env, s Set) {
			g, v := s["vmguarpages"].Barrier, s["privvmpages"]
			s["privvmpages"] = vzconf.BL{Barrier: g, Limit: max(v.Limit, g)}
		}, []string{"privvmpages", "vmguarpages"}},
	gap("tcpsndbuf", "numtcpsock", Error),
	gap("othersockbuf", "numothersock", Error),
	gap("tcprcvbuf", "numtcpsock", Warning),
	minBarrier("tcprcvbuf-min", "tcprcvbuf", 64<<10, Warning, 0),
	minBarrier("tcpsndbuf-min", "tcpsndbuf", 64<<10, Warning, 0),
	minBarrier("dgramrcvbuf-min", "dgramrcvbuf", 32<<10, Warning, 0),
	minBarrier("dgramrcvbuf-rec", "dgramrcvbuf", 129<<10, Recommendation, 32<<10),
	minBarrier("othersockbuf-min", "othersockbuf", 32<<10, Warning, 0),
	minBarrier("othersockbuf-rec", "othersockbuf", 129<<10, Recommendation, 32<<10),
	{"numfile-min", Warning,
		func(e *env, s Set) (Finding, bool) {
			need, ok := numfileNeed(e, s)
			if !ok || s["numfile"].Barrier >= need {
				return Finding{}, false
			}
			return Finding{Resource: "numfile", Text: fmt.Sprintf("numfile barrier should be >= %d (max of 32 x avnumproc %d and numtcpsock+numothersock+numpty barriers %d), currently %d",
				need, e.avn(s), add(add(s["numtcpsock"].Barrier, s["numothersock"].Barrier), s["numpty"].Barrier), s["numfile"].Barrier)}, true
		},
		func(e *env, s Set) {
			need, _ := numfileNeed(e, s)
			raise(s, "numfile", need)
		}, []string{"numfile", "numproc", "numtcpsock", "numothersock", "numpty"}},
}

func numfileNeed(e *env, s Set) (uint64, bool) {
	socks := add(add(s["numtcpsock"].Barrier, s["numothersock"].Barrier), s["numpty"].Barrier)
	need := max(mul(32, e.avn(s)), socks)
	return need, need < unl
}

// vswap is validate_vswap() (barriers 0, limits within the host's RAM and
// swap) followed by the classic rules except those of the pre-VSwap memory
// model (guarantee and physpages limits unlimited, physpages barrier 0).
// vzctl checks only the first part on VSwap; the kernel still enforces
// every limit that is set, though, and the seed's tcpsndbuf incident is on
// a VSwap node, so the rules between limited resources stay (a rule with
// an unlimited input does not apply, see Check).
var vswap = append(vswapRules, func() []rule {
	var out []rule
	for _, r := range classic {
		if r.name != "limit=unlimited" && r.name != "barrier=0" {
			out = append(out, r)
		}
	}
	return out
}()...)

var vswapRules = []rule{
	barrierZero("physpages"), hostLimit("physpages", func(h Host) uint64 { return h.RAMPages }, "RAM"),
	barrierZero("swappages"), hostLimit("swappages", func(h Host) uint64 { return h.SwapPages }, "swap"),
}

func hostLimit(res string, of func(Host) uint64, what string) rule {
	return rule{res + "-host", Warning,
		func(e *env, s Set) (Finding, bool) {
			h := of(e.host)
			v, ok := s[res]
			if !ok || h == 0 || v.Limit <= h {
				return Finding{}, false
			}
			return Finding{Resource: res, Text: fmt.Sprintf("%s limit should be <= the node's %s, %d pages (currently %s)", res, what, h, num(v.Limit))}, true
		},
		func(e *env, s Set) {
			v := s[res]
			s[res] = vzconf.BL{Barrier: v.Barrier, Limit: of(e.host)}
		}, []string{res}}
}

// RuleNames returns every rule's name once, in evaluation order (the
// README's table lists them).
func RuleNames() []string {
	var out []string
	seen := map[string]bool{"required": true}
	out = append(out, "required")
	for _, rs := range [][]rule{classic, vswapRules} {
		for _, r := range rs {
			if !seen[r.name] {
				seen[r.name] = true
				out = append(out, r.name)
			}
		}
	}
	return out
}
