package threshold_test

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/threshold"
)

func TestParseAndAlert(t *testing.T) {
	tests := []struct {
		expr  string
		alert []uint64
		quiet []uint64
		canon string
	}{
		{"10", []uint64{11, 1000}, []uint64{0, 5, 10}, "10"},
		{"10:", []uint64{0, 9}, []uint64{10, 11, 1 << 62}, "10:"},
		{"~:10", []uint64{11}, []uint64{0, 10}, "~:10"},
		{"10:20", []uint64{9, 21}, []uint64{10, 15, 20}, "10:20"},
		{"@10:20", []uint64{10, 15, 20}, []uint64{9, 21}, "@10:20"},
		{"@~:10", []uint64{0, 5, 10}, []uint64{11}, "@~:10"},
		{"@5", []uint64{0, 5}, []uint64{6}, "@0:5"},
		{"0", []uint64{1}, []uint64{0}, "0"},
		{"-5:5", []uint64{6}, []uint64{0, 5}, "-5:5"},
		{"+7", []uint64{8}, []uint64{7}, "7"},
		{"2.50", []uint64{3}, []uint64{2}, "2.5"},
		{"0.5:", []uint64{0}, []uint64{1}, "0.5:"},
	}
	for _, tt := range tests {
		r, err := threshold.Parse(tt.expr)
		if err != nil {
			t.Fatalf("%q: %v", tt.expr, err)
		}
		for _, v := range tt.alert {
			if !r.Alerts(v) {
				t.Errorf("%q should alert for %d", tt.expr, v)
			}
		}
		for _, v := range tt.quiet {
			if r.Alerts(v) {
				t.Errorf("%q should not alert for %d", tt.expr, v)
			}
		}
		if r.String() != tt.canon {
			t.Errorf("%q String() = %q, want %q", tt.expr, r.String(), tt.canon)
		}
		if back, err := threshold.Parse(r.String()); err != nil || back != r {
			t.Errorf("%q does not round-trip: %v", tt.expr, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "@", ":10", "abc", "10:5", "1e3", "1.", ".", "~", "1:2:3", "0x10", "1.1234567", "123456789012345678901", "--1", "5:~", " 5"} {
		if _, err := threshold.Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestPercentExactAtBoundaries(t *testing.T) {
	r := threshold.MustParse("90")
	// 90% of 240 is exactly 216: not above 90, while 217 is.
	if r.AlertsPercent(216, 240) || !r.AlertsPercent(217, 240) {
		t.Fatal("90% of 240 misjudged")
	}
	if got := r.PercentOf(240); got != "216" {
		t.Fatalf("PercentOf = %q", got)
	}
	// 95% of 2703360 = 2568192; 99.9% of 1000 = 999; 33.3% of 10 = 3.33 -> end 3.
	for _, tt := range []struct {
		expr  string
		whole uint64
		want  string
	}{{"95", 2703360, "2568192"}, {"99.9", 1000, "999"}, {"33.3", 10, "3"}, {"33.3:", 10, "4:"}, {"@10:20", 15, "@2:3"}, {"~:50", 9223372036854775807, "4611686018427387903"}, {"-10:10", 15, "1"}, {"12.5:87.5", 1, "@0:"}, {"@12.5:87.5", 1, "0:"}, {"~:-5", 10, "@0:"}} {
		if got := threshold.MustParse(tt.expr).PercentOf(tt.whole); got != tt.want {
			t.Errorf("%s of %d = %q, want %q", tt.expr, tt.whole, got, tt.want)
		}
	}
	// held = LONG_MAX-ish values do not overflow the comparison.
	if !threshold.MustParse("95").AlertsPercent(9223372036854775807, 9223372036854775807) {
		t.Fatal("100% not above 95")
	}
}

// The value-unit rendering must alert at exactly the held values the
// percentage alerts at.
func TestPercentOfAgreesWithAlertsPercent(t *testing.T) {
	for _, expr := range []string{"90", "95", "33.3", "12.5:87.5", "@40:60", "~:66.6"} {
		pr := threshold.MustParse(expr)
		for _, whole := range []uint64{1, 3, 7, 240, 1000, 2703360} {
			vr := threshold.MustParse(pr.PercentOf(whole))
			for held := uint64(0); held <= whole+2 && held < 3000; held++ {
				if pr.AlertsPercent(held, whole) != vr.Alerts(held) {
					t.Fatalf("%s of %d at %d: percent says %v, units %s say %v", expr, whole, held, pr.AlertsPercent(held, whole), vr, vr.Alerts(held))
				}
			}
		}
	}
}

func TestPercentText(t *testing.T) {
	for _, tt := range []struct {
		part, whole uint64
		ranges      []string
		want        string
	}{
		{919, 1000, nil, "91.9%"},
		{1570, 1000, nil, "157%"},
		{91944, 100000, nil, "91.9%"},
		{9195, 10000, nil, "92%"}, // half up
		{233, 240, nil, "97.1%"},  // 97.083: was cut to 97%
		{0, 240, nil, "0%"},
		{1, 3000, nil, "0%"},
		{9994, 10000, []string{"90", "99.9"}, "99.94%"}, // alerts: not "99.9%"
		{999, 1000, []string{"90", "99.9"}, "99.9%"},    // exactly the bound: no alert
		{9995, 10000, []string{"90", "99.9"}, "100%"},   // 99.95 rounds above the bound
		{8996, 10000, []string{"90", "95"}, "89.96%"},   // no alert: not "90%"
		{9004, 10000, []string{"90", "95"}, "90.04%"},   // alerts: not "90%"
		{899996, 1000000, []string{"90"}, "89.9996%"},   // as many decimals as it takes
		{1e15*9/10 + 1, 1e15, []string{"90"}, "90.0000000000001%"},
		{2999, 10000, []string{"@30:70"}, "29.99%"}, // inside ranges too
		{7001, 10000, []string{"@30:70"}, "70.01%"},
		{1 << 63, 1, nil, "922337203685477580800%"}, // absurd, but a number
		{1e18*9/10 + 1, 1e18, []string{"90"}, "90.0000000000000001%"},
		{9e18 + 1, 1e19, []string{"90"}, "90.00000000000000001%"}, // beyond 64 bits
		{9e18 + 1, 1e19, nil, "90%"},
	} {
		var ranges []*threshold.Range
		for _, r := range tt.ranges {
			ranges = append(ranges, threshold.MustParse(r))
		}
		if got := threshold.PercentText(tt.part, tt.whole, ranges...); got != tt.want {
			t.Errorf("PercentText(%d, %d, %v) = %q, want %q", tt.part, tt.whole, tt.ranges, got, tt.want)
		}
	}
}

// A value shown alerts under every range exactly as the value itself.
func TestPercentTextIsOnTheRightSide(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 4))
	exprs := []string{"90", "95", "99.9", "99.99", "33.333333", "12.5:87.5", "@40:60", "~:66.6", "100", "0.05"}
	for i := 0; i < 200000; i++ {
		whole := 1 + r.Uint64N([]uint64{10, 1000, 1e6, 1e12, 1e18}[r.IntN(5)])
		part := r.Uint64N(whole + whole/5 + 1)
		if r.IntN(4) == 0 { // next to a bound: a bound of whole itself
			pct := []uint64{90, 95, 100}[r.IntN(3)]
			part = whole/100*pct + r.Uint64N(3) - 1
		}
		rng := threshold.MustParse(exprs[r.IntN(len(exprs))])
		text := threshold.PercentText(part, whole, rng)
		intPart, frac, _ := strings.Cut(strings.TrimSuffix(text, "%"), ".")
		// The value shown, as digits over 100*10^decimals, against the
		// range: big numbers, as a test of its own arithmetic.
		shown, ok := new(big.Rat).SetString(intPart + "." + frac + "0")
		if !ok {
			t.Fatalf("%d of %d: %q", part, whole, text)
		}
		if alertsRat(rng, shown) != rng.AlertsPercent(part, whole) {
			t.Fatalf("%d of %d against %s shows %q on the other side", part, whole, rng, text)
		}
	}
}

// alertsRat evaluates r at the percentage v, from r's text.
func alertsRat(r *threshold.Range, v *big.Rat) bool {
	text, inside := strings.CutPrefix(r.String(), "@")
	lo, hi, colon := strings.Cut(text, ":")
	if !colon {
		lo, hi = "0", lo
	}
	in := true
	if lo != "~" {
		b, _ := new(big.Rat).SetString(lo)
		in = in && v.Cmp(b) >= 0
	}
	if hi != "" {
		b, _ := new(big.Rat).SetString(hi)
		in = in && v.Cmp(b) <= 0
	}
	return in == inside
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"10", "@~:10", "1.5:2.5", "-3:", "~:0"} {
		f.Add(s, uint64(5), uint64(10))
	}
	f.Fuzz(func(t *testing.T, s string, part, whole uint64) {
		r, err := threshold.Parse(s)
		if err != nil {
			return
		}
		back, err := threshold.Parse(r.String())
		if err != nil || back != r {
			t.Fatalf("%q -> %q does not round-trip", s, r.String())
		}
		_ = r.Alerts(part)
		if whole != 0 {
			if r.AlertsPercent(part, whole) != r.PercentBounds(whole).Alerts(part) {
				t.Fatalf("%q at %d of %d: percent and bounds %s disagree", s, part, whole, r.PercentOf(whole))
			}
			if _, err := threshold.Parse(r.PercentOf(whole)); err != nil {
				t.Fatalf("PercentOf(%d) of %q = %q unparsable", whole, s, r.PercentOf(whole))
			}
		}
	})
}
