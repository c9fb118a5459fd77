package threshold_test

import (
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
