package threshold_test

import (
	"testing"

	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
)

func TestParseTriple(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want [3]string // canonical ranges, or "" for an error
	}{
		{"8", [3]string{"8", "8", "8"}},
		{"15,10,5", [3]string{"15", "10", "5"}},
		{"1.5,@2:3,~:4", [3]string{"1.5", "@2:3", "~:4"}},
		{"15,10", [3]string{}},
		{"15,,5", [3]string{}},
		{"1,2,3,4", [3]string{}},
		{"", [3]string{}},
		{"x", [3]string{}},
	} {
		got, err := threshold.ParseTriple(tc.in)
		if tc.want[0] == "" {
			if err == nil {
				t.Errorf("ParseTriple(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTriple(%q): %v", tc.in, err)
			continue
		}
		for i := range got {
			if s := got[i].String(); s != tc.want[i] {
				t.Errorf("ParseTriple(%q)[%d] = %s, want %s", tc.in, i, s, tc.want[i])
			}
		}
	}
}

// A load average in hundredths is judged exactly: 10.00 is inside "10",
// 10.01 is not.
func TestJudgeRatio(t *testing.T) {
	p := threshold.Pair{Warn: threshold.MustParse("10"), Crit: threshold.MustParse("20.5")}
	for _, tc := range []struct {
		hundredths uint64
		want       status.Status
	}{
		{0, status.OK}, {1000, status.OK}, {1001, status.Warning}, {2050, status.Warning}, {2051, status.Critical},
	} {
		if got := p.JudgeRatio(tc.hundredths, 100); got != tc.want {
			t.Errorf("JudgeRatio(%d/100) = %s, want %s", tc.hundredths, got, tc.want)
		}
	}
}
