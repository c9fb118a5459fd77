package failcnt_test

import (
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/failcnt"
	"github.com/vzmon/vzmon/internal/statefile"
	"github.com/vzmon/vzmon/internal/ubc"
)

// node builds a snapshot from id -> resource -> failcnt.
func node(cts map[string]map[string]uint64) *ubc.Snapshot {
	var b []byte
	b = append(b, "Version: 2.5\nuid resource held maxheld barrier limit failcnt\n"...)
	for id, rows := range cts {
		first := true
		for res, fc := range rows {
			prefix := "   "
			if first {
				prefix = id + ":"
			}
			first = false
			b = append(b, prefix+" "+res+" 1 1 100 100 "+itoa(fc)+"\n"...)
		}
	}
	s, err := ubc.Parse(bytesReader(b), "t")
	if err != nil {
		panic(err)
	}
	return s
}

type run struct {
	cts    map[string]map[string]uint64
	starts map[string]float64
	wall   int64
	boot   float64
	bootID string
}

func step(prev *statefile.State, r run, hold time.Duration) (*statefile.State, failcnt.Report) {
	bootID := r.bootID
	if bootID == "" {
		bootID = "b1"
	}
	return failcnt.Update(prev, failcnt.Input{
		Snap: node(r.cts), Container: func(id string) bool { return id != "0" }, Resource: func(string) bool { return true },
		Starts: r.starts, Now: statefile.Stamp{Wall: r.wall, Boot: r.boot}, BootID: bootID, Selection: "all",
		Hold: hold, Forget: 24 * time.Hour,
	})
}

func increases(rep failcnt.Report) map[string]uint64 {
	out := map[string]uint64{}
	for _, inc := range failcnt.Aggregate(rep.Active) {
		out[inc.CT+"/"+inc.Resource] = inc.Delta
	}
	return out
}

func TestTransitions(t *testing.T) {
	const hold = 15 * time.Minute
	ct := func(fc uint64) map[string]map[string]uint64 {
		return map[string]map[string]uint64{"101": {"numproc": fc, "tcpsndbuf": 7}}
	}
	tests := []struct {
		name    string
		first   run
		second  run
		hold    time.Duration
		want    map[string]uint64
		restart bool
		reset   bool
		new     bool
		dropped bool
	}{
		{"no change", run{cts: ct(5), wall: 1000, boot: 100}, run{cts: ct(5), wall: 1060, boot: 160}, hold, map[string]uint64{}, false, false, false, false},
		{"increase", run{cts: ct(5), wall: 1000, boot: 100}, run{cts: ct(9), wall: 1060, boot: 160}, hold, map[string]uint64{"101/numproc": 4}, false, false, false, false},
		{"restart resets counters", run{cts: ct(50), wall: 1000, boot: 100}, run{cts: map[string]map[string]uint64{"101": {"numproc": 3, "tcpsndbuf": 0}}, wall: 1060, boot: 160}, hold,
			map[string]uint64{"101/numproc": 3}, true, false, false, false},
		{"restart seen by start time, counters higher", run{cts: ct(5), starts: map[string]float64{"101": 10}, wall: 1000, boot: 100},
			run{cts: map[string]map[string]uint64{"101": {"numproc": 9, "tcpsndbuf": 8}}, starts: map[string]float64{"101": 150}, wall: 1060, boot: 160}, hold,
			map[string]uint64{"101/numproc": 9, "101/tcpsndbuf": 8}, true, false, false, false},
		{"same start, counter reset is not a restart", run{cts: ct(5), starts: map[string]float64{"101": 10}, wall: 1000, boot: 100},
			run{cts: map[string]map[string]uint64{"101": {"numproc": 2, "tcpsndbuf": 9}}, starts: map[string]float64{"101": 10.5}, wall: 1060, boot: 160}, hold,
			map[string]uint64{"101/numproc": 2, "101/tcpsndbuf": 2}, false, true, false, false},
		{"new container", run{cts: ct(5), wall: 1000, boot: 100},
			run{cts: map[string]map[string]uint64{"101": {"numproc": 5, "tcpsndbuf": 7}, "102": {"numfile": 3, "numproc": 0}}, wall: 1060, boot: 160}, hold,
			map[string]uint64{"102/numfile": 3}, false, false, true, false},
		{"vanished container remembered", run{cts: map[string]map[string]uint64{"101": {"numproc": 5}, "102": {"numfile": 3}}, wall: 1000, boot: 100},
			run{cts: map[string]map[string]uint64{"101": {"numproc": 5}}, wall: 1060, boot: 160}, hold, map[string]uint64{}, false, false, false, false},
		{"vanished container forgotten", run{cts: map[string]map[string]uint64{"101": {"numproc": 5}, "102": {"numfile": 3}}, wall: 1000, boot: 100},
			run{cts: map[string]map[string]uint64{"101": {"numproc": 5}}, wall: 1000 + 25*3600, boot: 100 + 25*3600}, hold, map[string]uint64{}, false, false, false, true},
		{"hold 0 still reports this run", run{cts: ct(5), wall: 1000, boot: 100}, run{cts: ct(6), wall: 1060, boot: 160}, 0, map[string]uint64{"101/numproc": 1}, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, rep := step(nil, tt.first, tt.hold)
			if !rep.Baseline || len(rep.Active) != 0 {
				t.Fatalf("first run: %+v", rep)
			}
			next, rep := step(base, tt.second, tt.hold)
			got := increases(rep)
			if len(got) != len(tt.want) {
				t.Fatalf("increases %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %d, want %d (all: %v)", k, got[k], v, got)
				}
			}
			if (len(rep.Restarts) > 0) != tt.restart || (len(rep.Resets) > 0) != tt.reset || (len(rep.New) > 0) != tt.new || (len(rep.Dropped) > 0) != tt.dropped {
				t.Errorf("restarts %v resets %v new %v dropped %v", rep.Restarts, rep.Resets, rep.New, rep.Dropped)
			}
			for _, e := range rep.Active {
				if e.Restart != tt.restart || e.Reset != (tt.reset && e.Resource == "numproc") {
					t.Errorf("event %+v: restart %v reset %v", e, tt.restart, tt.reset)
				}
			}
			if _, kept := next.Containers["102"]; tt.name == "vanished container remembered" && !kept {
				t.Error("vanished container dropped at once")
			}
			if b, err := next.Encode(); err != nil {
				t.Fatal(err)
			} else if _, err := statefile.Decode(b); err != nil {
				t.Fatalf("next state does not decode: %v", err)
			}
		})
	}
}

func TestBaselineListsHistory(t *testing.T) {
	_, rep := step(nil, run{cts: map[string]map[string]uint64{"101": {"numproc": 5, "numfile": 0}}, wall: 1, boot: 1}, time.Minute)
	if len(rep.History) != 1 || rep.History[0].Resource != "numproc" || len(rep.Active) != 0 {
		t.Fatalf("%+v", rep)
	}
}

// The window keeps an increase for hold, by the boot clock, and then drops it.
func TestWindow(t *testing.T) {
	const hold = 15 * time.Minute
	st, _ := step(nil, run{cts: map[string]map[string]uint64{"101": {"numproc": 1}}, wall: 1000, boot: 100}, hold)
	st, rep := step(st, run{cts: map[string]map[string]uint64{"101": {"numproc": 4}}, wall: 1060, boot: 160}, hold)
	if increases(rep)["101/numproc"] != 3 {
		t.Fatal("increase not seen")
	}
	st, rep = step(st, run{cts: map[string]map[string]uint64{"101": {"numproc": 6}}, wall: 1360, boot: 460}, hold)
	if got := increases(rep)["101/numproc"]; got != 5 {
		t.Fatalf("within the window the increases add up: %d", got)
	}
	// 14 minutes after the last increase: still reported; then gone.
	st, rep = step(st, run{cts: map[string]map[string]uint64{"101": {"numproc": 6}}, wall: 1360 + 14*60, boot: 460 + 14*60}, hold)
	if increases(rep)["101/numproc"] != 2 {
		t.Fatalf("window lost the recent increase: %v", increases(rep))
	}
	_, rep = step(st, run{cts: map[string]map[string]uint64{"101": {"numproc": 6}}, wall: 1360 + 16*60, boot: 460 + 16*60}, hold)
	if len(rep.Active) != 0 {
		t.Fatalf("window did not expire: %v", increases(rep))
	}
}

// Wall-clock jumps do not move the window while the boot clock is usable,
// and without it an event "from the future" is re-anchored, not lost.
func TestClockGoingBackwards(t *testing.T) {
	const hold = 15 * time.Minute
	st, _ := step(nil, run{cts: map[string]map[string]uint64{"101": {"numproc": 1}}, wall: 100000, boot: 100}, hold)
	st, _ = step(st, run{cts: map[string]map[string]uint64{"101": {"numproc": 2}}, wall: 100060, boot: 160}, hold)
	// Wall clock set back a day, boot clock advances 1 minute: still held.
	st2, rep := step(st, run{cts: map[string]map[string]uint64{"101": {"numproc": 2}}, wall: 100060 - 86400, boot: 220}, hold)
	if increases(rep)["101/numproc"] != 1 {
		t.Fatal("wall-clock jump broke the window")
	}
	// Boot clock unknown (another boot ID): re-anchored, kept, then expires.
	st3, rep := step(st2, run{cts: map[string]map[string]uint64{"101": {"numproc": 2}}, wall: 50, bootID: "b2"}, hold)
	if increases(rep)["101/numproc"] != 1 {
		t.Fatal("event from the future dropped")
	}
	_, rep = step(st3, run{cts: map[string]map[string]uint64{"101": {"numproc": 2}}, wall: 50 + 16*60, bootID: "b2"}, hold)
	if len(rep.Active) != 0 {
		t.Fatal("re-anchored event never expires")
	}
}

// numproc is a node of CT 101 with this numproc failcnt.
func numproc(fc uint64) map[string]map[string]uint64 {
	return map[string]map[string]uint64{"101": {"numproc": fc}}
}

// A run with a shorter --hold reports only its own window but keeps the
// longer window of the other runs on the state (issue 10 item 6: a
// --hold 0 run from cron erased the scheduled check's window).
func TestShorterHoldKeepsTheWindow(t *testing.T) {
	const hold = 15 * time.Minute
	st, _ := step(nil, run{cts: numproc(1), wall: 1000, boot: 100}, hold)
	st, rep := step(st, run{cts: numproc(4), wall: 1060, boot: 160}, hold)
	if increases(rep)["101/numproc"] != 3 {
		t.Fatal("increase not seen")
	}
	st, rep = step(st, run{cts: numproc(4), wall: 1120, boot: 220}, 0)
	if len(rep.Active) != 0 {
		t.Fatalf("--hold 0 reported an older increase: %v", increases(rep))
	}
	if len(st.Events) != 1 || len(st.Holds) != 2 {
		t.Fatalf("--hold 0 dropped the window: events %v holds %v", st.Events, st.Holds)
	}
	// A fresh increase seen by the --hold 0 run is kept for the others too.
	st, rep = step(st, run{cts: numproc(6), wall: 1180, boot: 280}, 0)
	if increases(rep)["101/numproc"] != 2 {
		t.Fatalf("--hold 0 missed its own increase: %v", increases(rep))
	}
	st, rep = step(st, run{cts: numproc(6), wall: 1240, boot: 340}, hold)
	if increases(rep)["101/numproc"] != 5 {
		t.Fatalf("the 15m run lost increases to the --hold 0 runs: %v", increases(rep))
	}
	// Past 15 minutes the events go, whoever runs.
	_, rep = step(st, run{cts: numproc(6), wall: 1180 + 16*60, boot: 280 + 16*60}, 0)
	if len(rep.Active) != 0 {
		t.Fatalf("%v", increases(rep))
	}
}

// A hold no run uses any more lapses after --forget (and after itself):
// a one-off long --hold does not keep every event for ever.
func TestLongHoldLapses(t *testing.T) {
	const day = 24 * time.Hour
	st, _ := step(nil, run{cts: numproc(1), wall: 1000, boot: 100}, 15*time.Minute)
	st, _ = step(st, run{cts: numproc(2), wall: 1060, boot: 160}, 2*time.Hour) // one-off, by hand
	hours := func(h float64) run { return run{cts: numproc(2), wall: 1060 + int64(h*3600), boot: 160 + h*3600} }
	st, rep := step(st, hours(1), 15*time.Minute)
	if len(rep.Active) != 0 || len(st.Events) != 1 {
		t.Fatalf("1h later: active %v, kept %v", rep.Active, st.Events)
	}
	st, _ = step(st, hours(3), 15*time.Minute)
	if len(st.Events) != 0 || len(st.Holds) != 2 {
		t.Fatalf("3h later the 2h hold still keeps events or was forgotten: events %v holds %v", st.Events, st.Holds)
	}
	st, _ = step(st, hours(25), 15*time.Minute)
	if len(st.Holds) != 1 || st.Holds[0].D() != 15*time.Minute {
		t.Fatalf("after --forget the 2h hold is still recorded: %v", st.Holds)
	}
	// A hold longer than --forget lives as long as itself.
	st, _ = step(st, hours(26), 3*day)
	st, _ = step(st, hours(26+48), 15*time.Minute)
	if len(st.Holds) != 2 {
		t.Fatalf("a 3d hold lapsed after 2d: %v", st.Holds)
	}
	st, _ = step(st, hours(26+73), 15*time.Minute)
	if len(st.Holds) != 1 {
		t.Fatalf("a 3d hold outlived itself: %v", st.Holds)
	}
}

// However many holds are tried, the state stays decodable: the least
// recently used are forgotten.
func TestHoldsBounded(t *testing.T) {
	cts := map[string]map[string]uint64{"101": {"numproc": 1}}
	st, _ := step(nil, run{cts: cts, wall: 1000, boot: 100}, time.Minute)
	for i := 1; i <= statefile.MaxHolds+10; i++ {
		st, _ = step(st, run{cts: cts, wall: 1000 + int64(i), boot: 100 + float64(i)}, time.Duration(i)*time.Second)
	}
	if len(st.Holds) != statefile.MaxHolds || st.Holds[0].D() != time.Duration(statefile.MaxHolds+10)*time.Second {
		t.Fatalf("%d holds, first %v", len(st.Holds), st.Holds[0])
	}
	if b, err := st.Encode(); err != nil {
		t.Fatal(err)
	} else if _, err := statefile.Decode(b); err != nil {
		t.Fatal(err)
	}
}
