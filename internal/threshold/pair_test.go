package threshold_test

import (
	"testing"

	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
)

func TestPairJudge(t *testing.T) {
	w, c := threshold.MustParse("10"), threshold.MustParse("20")
	for _, tt := range []struct {
		pair threshold.Pair
		v    uint64
		want status.Status
	}{
		{threshold.Pair{Warn: w, Crit: c}, 10, status.OK},
		{threshold.Pair{Warn: w, Crit: c}, 11, status.Warning},
		{threshold.Pair{Warn: w, Crit: c}, 21, status.Critical},
		// Critical first, whatever the warning range says.
		{threshold.Pair{Warn: threshold.MustParse("@0:100"), Crit: c}, 21, status.Critical},
		{threshold.Pair{Crit: c}, 15, status.OK},
		{threshold.Pair{Crit: c}, 21, status.Critical},
		{threshold.Pair{Warn: w}, 1000, status.Warning},
		{threshold.Pair{}, 1 << 63, status.OK},
	} {
		if got := tt.pair.Judge(tt.v); got != tt.want {
			t.Errorf("%s,%s at %d: %s, want %s", tt.pair.Warn.Text(), tt.pair.Crit.Text(), tt.v, got, tt.want)
		}
	}
}

// JudgePercent, through whole-number bounds, says what the exact
// percentages say, critical first; unset ranges never alert.
func TestPairJudgePercentIsExact(t *testing.T) {
	ranges := []*threshold.Range{nil, threshold.MustParse("90"), threshold.MustParse("99.9"),
		threshold.MustParse("@50:60.5"), threshold.MustParse("10:"), threshold.MustParse("0")}
	for _, warn := range ranges {
		for _, crit := range ranges {
			p := threshold.Pair{Warn: warn, Crit: crit}
			for _, whole := range []uint64{1, 3, 240, 9312, 1<<64 - 1} {
				for _, part := range []uint64{0, 1, whole / 2, whole * 9 / 10, whole*9/10 + 1, whole - 1, whole} {
					want := status.OK
					switch {
					case crit != nil && crit.AlertsPercent(part, whole):
						want = status.Critical
					case warn != nil && warn.AlertsPercent(part, whole):
						want = status.Warning
					}
					if got := p.JudgePercent(part, whole); got != want {
						t.Fatalf("%q,%q at %d of %d: %s, want %s", warn.Text(), crit.Text(), part, whole, got, want)
					}
				}
			}
		}
	}
}
