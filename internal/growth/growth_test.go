package growth

import (
	"slices"
	"testing"

	"github.com/vzmon/vzmon/internal/failcnt"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
)

func TestLevel(t *testing.T) {
	warnAny := threshold.Pair{Warn: threshold.MustParse("0")}
	both := threshold.Pair{Warn: threshold.MustParse("0"), Crit: threshold.MustParse("100")}
	defaults := (&Flags{}).Judge(warnAny)
	none := (&Flags{CriticalResource: []string{"none"}}).Judge(both)
	physpages := (&Flags{CriticalResource: []string{"physpages"}}).Judge(warnAny)
	for _, tt := range []struct {
		name  string
		judge Judge
		res   string
		delta uint64
		want  status.Status
	}{
		{"default critical resource", defaults, "tcpsndbuf", 1, status.Critical},
		{"default: oomguarpages is critical", defaults, "oomguarpages", 1, status.Critical},
		{"default: physpages only warns", defaults, "physpages", 1, status.Warning},
		{"no increase", defaults, "physpages", 0, status.OK},
		{"none critical: below -c", none, "tcpsndbuf", 100, status.Warning},
		{"none critical: above -c", none, "tcpsndbuf", 101, status.Critical},
		// A capped resource grows under reclaim pressure: -c alone makes
		// it WARNING, naming it makes it CRITICAL.
		{"capped above -c", none, "swappages", 101, status.Warning},
		{"capped, named", physpages, "physpages", 1, status.Critical},
		{"named replaces the defaults", physpages, "tcpsndbuf", 1, status.Warning},
	} {
		if got := tt.judge.Level(failcnt.Increase{Resource: tt.res, Delta: tt.delta}); got != tt.want {
			t.Errorf("%s: %s +%d is %s, want %s", tt.name, tt.res, tt.delta, got, tt.want)
		}
	}
}

// The increases come out worst first; within a state they keep
// Aggregate's order (largest first), and the worst state is the run's.
func TestJudgeAllOrdersWorstFirst(t *testing.T) {
	judge := (&Flags{CriticalResource: []string{"numproc"}}).Judge(threshold.Pair{Warn: threshold.MustParse("10")})
	incs := []failcnt.Increase{
		{CT: "201", Resource: "tcpsndbuf", Delta: 50},
		{CT: "202", Resource: "numfile", Delta: 20},
		{CT: "203", Resource: "numfile", Delta: 5},
		{CT: "204", Resource: "numproc", Delta: 1},
	}
	judged, worst := judgeAll(incs, judge)
	var got []string
	for _, j := range judged {
		got = append(got, j.CT+" "+j.Level.String())
	}
	want := []string{"204 CRITICAL", "201 WARNING", "202 WARNING", "203 OK"}
	if !slices.Equal(got, want) || worst != status.Critical {
		t.Errorf("got %v (worst %s), want %v (CRITICAL)", got, worst, want)
	}
	if _, worst := judgeAll(nil, judge); worst != status.OK {
		t.Errorf("no increases: %s", worst)
	}
}
