package usage_test

import (
	"slices"
	"testing"

	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/usage"
)

func defaults() *usage.Settings {
	return &usage.Settings{Default: usage.Pair{Warn: threshold.MustParse("90"), Crit: threshold.MustParse("95")}}
}

func TestBasis(t *testing.T) {
	const u = ubc.LongMax64
	tests := []struct {
		row  ubc.Row
		want uint64
		name string
		ok   bool
	}{
		{ubc.Row{Name: "tcpsndbuf", Barrier: 100, Limit: 200}, 100, "barrier", true},
		{ubc.Row{Name: "numproc", Barrier: 0, Limit: 400}, 400, "limit", true},
		{ubc.Row{Name: "numproc", Barrier: u, Limit: 400}, 400, "limit", true},
		{ubc.Row{Name: "numproc", Barrier: ubc.LongMax32, Limit: ubc.LongMax32}, 0, "", false},
		{ubc.Row{Name: "physpages", Barrier: 0, Limit: 262144}, 262144, "limit", true},
		{ubc.Row{Name: "physpages", Barrier: 0, Limit: u}, 0, "", false},
		{ubc.Row{Name: "swappages", Barrier: 50, Limit: 100}, 100, "limit", true},
		{ubc.Row{Name: "oomguarpages", Barrier: 26112, Limit: u}, 26112, "guarantee", true},
		{ubc.Row{Name: "kmemsize", Barrier: 0, Limit: 0}, 0, "", false},
	}
	for _, tt := range tests {
		res, _ := ubc.Lookup(tt.row.Name)
		v, n, ok := usage.Basis(res, tt.row)
		if v != tt.want || n != tt.name || ok != tt.ok {
			t.Errorf("%+v: got %d %q %v", tt.row, v, n, ok)
		}
	}
}

func TestRows(t *testing.T) {
	ct := &ubc.Container{ID: "204", Rows: []ubc.Row{
		{Name: "tcpsndbuf", Held: 2701184, MaxHeld: 2703360, Barrier: 1720320, Limit: 2703360},
		{Name: "numproc", Held: 90, MaxHeld: 399, Barrier: 400, Limit: 400},
		{Name: "numtcpsock", Held: 360, MaxHeld: 360, Barrier: 360, Limit: 360}, // held == barrier
		{Name: "numfile", Held: 8380, Barrier: 9312, Limit: 9312},               // 89.99%: 8381 would be above 90
		{Name: "physpages", Held: 262144, Barrier: 0, Limit: 262144},
		{Name: "oomguarpages", Held: 90000, Barrier: 26112, Limit: ubc.LongMax64},
	}}
	collect := func(s *usage.Settings, want func(string) bool) map[string]usage.Finding {
		got := map[string]usage.Finding{}
		s.Rows(ct, want, false, func(f usage.Finding) { got[f.Res.Name] = f })
		return got
	}
	all := func(string) bool { return true }

	got := collect(defaults(), all)
	for name, want := range map[string]status.Status{"tcpsndbuf": status.Critical, "numproc": status.OK, "numtcpsock": status.Critical, "numfile": status.OK} {
		if got[name].State != want {
			t.Errorf("%s = %v, want %v", name, got[name].State, want)
		}
	}
	if _, on := got["physpages"]; on {
		t.Error("physpages evaluated by default")
	}
	if _, on := got["oomguarpages"]; on {
		t.Error("guarantee evaluated by default")
	}

	s := defaults()
	s.MaxHeld = true
	s.Named = map[string]bool{"oomguarpages": true}
	got = collect(s, all)
	if f := got["numproc"]; f.State != status.Critical || f.Measured != "maxheld" {
		t.Errorf("maxheld: %+v", f)
	}
	if f := got["oomguarpages"]; f.State != status.Critical || f.BasisName != "guarantee" {
		t.Errorf("named guarantee: %+v", f)
	}

	s = defaults()
	_, off, _ := usage.ParseOverride("tcpsndbuf=,")
	_, phys, _ := usage.ParseOverride("physpages=99,")
	s.PerResource = map[string]usage.Pair{"tcpsndbuf": off, "physpages": phys}
	got = collect(s, func(n string) bool { return n != "numtcpsock" })
	if _, on := got["tcpsndbuf"]; on {
		t.Error("override did not turn tcpsndbuf off")
	}
	if got["physpages"].State != status.Warning {
		t.Errorf("physpages override: %+v", got["physpages"])
	}
	if _, on := got["numtcpsock"]; on {
		t.Error("excluded resource evaluated")
	}
}

func TestParseOverrideErrors(t *testing.T) {
	for _, s := range []string{"tcpsndbuf", "bogus=1,2", "tcpsndbuf=90", "tcpsndbuf=x,1", "dummy=1,2"} {
		if _, _, err := usage.ParseOverride(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// A finding shows its usage on the side of the thresholds it was judged
// by: rounded half up, with more decimals next to a threshold (issue 10
// item 19: -c 99.9 alerted on a value shown as "99.9%").
func TestPercentTextNearThresholds(t *testing.T) {
	pair := usage.Pair{Warn: threshold.MustParse("90"), Crit: threshold.MustParse("99.9")}
	for _, tt := range []struct {
		held uint64
		want string
	}{
		{9994, "99.94%"}, // CRITICAL
		{9990, "99.9%"},  // WARNING: exactly the bound
		{8996, "89.96%"}, // OK
		{9004, "90.04%"}, // WARNING
		{9195, "92%"},    // half up
	} {
		f := usage.Finding{Value: tt.held, Basis: 10000, Pair: pair}
		if got := f.PercentText(); got != tt.want {
			t.Errorf("%d of 10000: %q, want %q", tt.held, got, tt.want)
		}
	}
}

// A resource asked for that a container gives nothing to judge by is
// named with the reason (issue 10 item 19).
func TestUnjudged(t *testing.T) {
	ct := &ubc.Container{ID: "204", Rows: []ubc.Row{
		{Name: "oomguarpages", Held: 9, Barrier: 0, Limit: ubc.LongMax64},            // guarantee 0
		{Name: "vmguarpages", Held: 9, Barrier: ubc.LongMax64, Limit: ubc.LongMax64}, // guarantee unlimited
		{Name: "physpages", Held: 9, Barrier: 0, Limit: ubc.LongMax64},               // limit unlimited
		{Name: "kmemsize", Held: 9, Barrier: ubc.LongMax64, Limit: ubc.LongMax64},
		{Name: "numproc", Held: 9, Barrier: 0, Limit: 0},
		{Name: "numfile", Held: 9, Barrier: 100, Limit: 100}, // judged
		{Name: "tcpsndbuf", Held: 9, Barrier: 0, Limit: 0},   // turned off below
	}}
	s := defaults()
	_, off, _ := usage.ParseOverride("tcpsndbuf=,")
	s.PerResource = map[string]usage.Pair{"tcpsndbuf": off}
	s.Named = map[string]bool{}
	for _, n := range []string{"oomguarpages", "vmguarpages", "physpages", "kmemsize", "numproc", "numfile", "tcpsndbuf", "swappages", "numpty"} {
		s.Named[n] = true
	}
	got := s.Unjudged(ct, func(n string) bool { return n != "numpty" })
	want := []usage.Unjudged{
		{Resource: "kmemsize", Why: "barrier unlimited, limit unlimited"},
		{Resource: "numproc", Why: "barrier 0, limit 0"},
		{Resource: "oomguarpages", Why: "guarantee 0"},
		{Resource: "physpages", Why: "limit unlimited"},
		{Resource: "swappages", Why: "not in the table"},
		{Resource: "vmguarpages", Why: "guarantee unlimited"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Unjudged:\n got %v\nwant %v", got, want)
	}
	if got := defaults().Unjudged(ct, func(string) bool { return true }); got != nil {
		t.Errorf("nothing named, yet %v", got)
	}
}

// Worst first in status order (CRITICAL before UNKNOWN before WARNING),
// then higher usage, then container and resource.
func TestSortProblems(t *testing.T) {
	f := func(ct, res string, st status.Status, value uint64) usage.Finding {
		r, _ := ubc.Lookup(res)
		return usage.Finding{CT: ct, Res: r, State: st, Value: value, Basis: 100}
	}
	got := []usage.Finding{
		f("201", "numproc", status.Warning, 91),
		f("202", "numproc", status.Critical, 96),
		f("203", "numfile", status.Unknown, 0),
		f("201", "numfile", status.Critical, 120),
		f("200", "numproc", status.Warning, 91),
		f("200", "numfile", status.Warning, 91),
	}
	usage.SortProblems(got)
	var order []string
	for _, x := range got {
		order = append(order, x.CT+"/"+x.Res.Name)
	}
	want := []string{"201/numfile", "202/numproc", "203/numfile", "200/numfile", "200/numproc", "201/numproc"}
	if !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}
