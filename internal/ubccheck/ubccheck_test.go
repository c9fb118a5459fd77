package ubccheck_test

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/ubc"
	"github.com/vzmon/vzmon/internal/ubccheck"
	"github.com/vzmon/vzmon/internal/vzconf"
)

const unl = ubc.LongMax64

// base is consistent by hand from validate.c: avnumproc = 240/2 = 120;
// numfile >= max(32x120, 360+360+16) = 3840; dcachesize.lim >= 384x9312 =
// 3575808; kmemsize.bar >= 40960x120 + 3624960 = 8540160; socket buffer
// gaps >= 2560x360 = 921600.
func base() ubccheck.Set {
	return ubccheck.Set{
		"kmemsize": bl(14372700, 14790164), "lockedpages": bl(256, 256), "privvmpages": bl(65536, 69632),
		"shmpages": bl(21504, 21504), "numproc": bl(240, 240), "physpages": bl(0, unl),
		"vmguarpages": bl(33792, unl), "oomguarpages": bl(26112, unl), "numtcpsock": bl(360, 360),
		"numflock": bl(188, 206), "numpty": bl(16, 16), "numsiginfo": bl(256, 256),
		"tcpsndbuf": bl(1720320, 2703360), "tcprcvbuf": bl(1720320, 2703360),
		"othersockbuf": bl(1126080, 2097152), "dgramrcvbuf": bl(262144, 262144),
		"numothersock": bl(360, 360), "dcachesize": bl(3409920, 3624960), "numfile": bl(9312, 9312),
		"numiptent": bl(128, 128),
	}
}

func bl(b, l uint64) vzconf.BL { return vzconf.BL{Barrier: b, Limit: l} }

func set(res string, b, l uint64) func(ubccheck.Set) {
	return func(s ubccheck.Set) { s[res] = vzconf.BL{Barrier: b, Limit: l} }
}

func rules(r ubccheck.Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule+" "+f.Resource)
	}
	sort.Strings(out)
	return out
}

// TestRules puts every rule at, just below and just above its edge.
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  []func(ubccheck.Set)
		want []string // rule resource, sorted
	}{
		{"consistent", nil, nil},
		// CHECK_B
		{"numproc b=l", []func(ubccheck.Set){set("numproc", 240, 240)}, nil},
		{"numproc b<l", []func(ubccheck.Set){set("numproc", 240, 241)}, []string{"barrier=limit numproc"}},
		{"numproc b>l", []func(ubccheck.Set){set("numproc", 241, 240)}, []string{"barrier=limit numproc"}},
		{"numiptent unlimited both", []func(ubccheck.Set){set("numiptent", unl, ubc.LongMax32)}, nil},
		// CHECK_BL
		{"kmemsize b=l", []func(ubccheck.Set){set("kmemsize", 14790164, 14790164)}, nil},
		{"kmemsize b>l", []func(ubccheck.Set){set("kmemsize", 14790165, 14790164)}, []string{"barrier<=limit kmemsize"}},
		{"numflock b<l", []func(ubccheck.Set){set("numflock", 205, 206)}, nil},
		// limit unlimited
		{"vmguarpages lim", []func(ubccheck.Set){set("vmguarpages", 33792, unl-1)}, []string{"limit=unlimited vmguarpages"}},
		{"oomguarpages lim 32-bit unlimited", []func(ubccheck.Set){set("oomguarpages", 26112, ubc.LongMax32)}, nil},
		{"physpages bar", []func(ubccheck.Set){set("physpages", 1, unl)}, []string{"barrier=0 physpages"}},
		// dcachesize.lim >= 384 x numfile.bar = 3575808
		{"dcachesize at", []func(ubccheck.Set){set("dcachesize", 3409920, 3575808)}, nil},
		{"dcachesize below", []func(ubccheck.Set){set("dcachesize", 3409920, 3575807)}, []string{"dcachesize-numfile dcachesize"}},
		{"dcachesize numfile unlimited", []func(ubccheck.Set){set("numfile", unl, unl)}, nil},
		// kmemsize.bar >= 40960 x 120 + 3624960 = 8540160
		{"kmemsize at", []func(ubccheck.Set){set("kmemsize", 8540160, 14790164)}, nil},
		{"kmemsize below", []func(ubccheck.Set){set("kmemsize", 8540159, 14790164)}, []string{"kmemsize-numproc kmemsize"}},
		{"kmemsize above", []func(ubccheck.Set){set("kmemsize", 8540161, 14790164)}, nil},
		{"kmemsize numproc unlimited", []func(ubccheck.Set){set("numproc", unl, unl)}, nil},
		// privvmpages.bar >= vmguarpages.bar
		{"privvm at", []func(ubccheck.Set){set("privvmpages", 33792, 69632)}, nil},
		{"privvm below", []func(ubccheck.Set){set("privvmpages", 33791, 69632)}, []string{"privvmpages-vmguarpages privvmpages"}},
		// tcpsndbuf gap >= 921600
		{"tcpsndbuf gap at", []func(ubccheck.Set){set("tcpsndbuf", 1720320, 2641920)}, nil},
		{"tcpsndbuf gap below", []func(ubccheck.Set){set("tcpsndbuf", 1720320, 2641919)}, []string{"tcpsndbuf-gap tcpsndbuf"}},
		{"tcpsndbuf gap above", []func(ubccheck.Set){set("tcpsndbuf", 1720320, 2641921)}, nil},
		{"tcpsndbuf limit unlimited", []func(ubccheck.Set){set("tcpsndbuf", 1720320, unl)}, nil},
		{"numtcpsock raised (the seed)", []func(ubccheck.Set){set("numtcpsock", 1000, 1000)},
			[]string{"tcprcvbuf-gap tcprcvbuf", "tcpsndbuf-gap tcpsndbuf"}},
		{"numtcpsock unlimited: not applicable", []func(ubccheck.Set){set("numtcpsock", unl, unl)}, nil},
		// othersockbuf gap >= 921600 (Error), tcprcvbuf gap (Warning)
		{"othersockbuf gap below", []func(ubccheck.Set){set("othersockbuf", 1126080, 2047679)}, []string{"othersockbuf-gap othersockbuf"}},
		{"othersockbuf gap at", []func(ubccheck.Set){set("othersockbuf", 1126080, 2047680)}, nil},
		{"tcprcvbuf gap below", []func(ubccheck.Set){set("tcprcvbuf", 1720320, 2641919)}, []string{"tcprcvbuf-gap tcprcvbuf"}},
		// minimum barriers 64K, 32K, 129K
		{"tcprcvbuf min below", []func(ubccheck.Set){set("tcprcvbuf", 65535, 65535+921600)}, []string{"tcprcvbuf-min tcprcvbuf"}},
		{"tcprcvbuf min at", []func(ubccheck.Set){set("tcprcvbuf", 65536, 65536+921600)}, nil},
		{"tcpsndbuf min below", []func(ubccheck.Set){set("tcpsndbuf", 65535, 65535+921600)}, []string{"tcpsndbuf-min tcpsndbuf"}},
		{"dgramrcvbuf below 32K", []func(ubccheck.Set){set("dgramrcvbuf", 32767, 32767)}, []string{"dgramrcvbuf-min dgramrcvbuf"}},
		{"dgramrcvbuf at 32K", []func(ubccheck.Set){set("dgramrcvbuf", 32768, 32768)}, []string{"dgramrcvbuf-rec dgramrcvbuf"}},
		{"dgramrcvbuf below 129K", []func(ubccheck.Set){set("dgramrcvbuf", 132095, 132095)}, []string{"dgramrcvbuf-rec dgramrcvbuf"}},
		{"dgramrcvbuf at 129K", []func(ubccheck.Set){set("dgramrcvbuf", 132096, 132096)}, nil},
		{"othersockbuf below 32K", []func(ubccheck.Set){set("othersockbuf", 32767, 32767+921600)}, []string{"othersockbuf-min othersockbuf"}},
		{"othersockbuf at 32K", []func(ubccheck.Set){set("othersockbuf", 32768, 32768+921600)}, []string{"othersockbuf-rec othersockbuf"}},
		// numfile >= max(32 x avnumproc, socks+ptys): 3840 here
		{"numfile at", []func(ubccheck.Set){set("numfile", 3840, 3840), set("dcachesize", 1474560, 1474560)}, nil},
		{"numfile below", []func(ubccheck.Set){set("numfile", 3839, 3839), set("dcachesize", 1474560, 1474560)}, []string{"numfile-min numfile"}},
		{"numfile by sockets", []func(ubccheck.Set){set("numtcpsock", 9000, 9000), set("tcpsndbuf", 1720320, unl), set("tcprcvbuf", 1720320, unl)},
			[]string{"numfile-min numfile"}},
		// missing
		{"missing numpty", []func(ubccheck.Set){func(s ubccheck.Set) { delete(s, "numpty") }}, []string{"required numpty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			for _, m := range tc.mod {
				m(s)
			}
			r := ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Recommendation)
			if got := rules(r); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("findings %v, want %v\n%+v", got, tc.want, r.Findings)
			}
			checkFix(t, s, 0, ubccheck.Host{}, r, ubccheck.Recommendation)
		})
	}
}

// checkFix applies the fix and checks again: no findings may remain, and
// no value may go down.
func checkFix(t *testing.T, s ubccheck.Set, avn uint64, h ubccheck.Host, r ubccheck.Result, lvl ubccheck.Level) {
	t.Helper()
	if len(r.Findings) > 0 && r.Findings[0].Rule == "required" {
		return
	}
	fixed := ubccheck.Set{}
	for k, v := range s {
		fixed[k] = v
	}
	for k, v := range r.Fix {
		if v.Barrier < min(s[k].Barrier, unl) && !(k == "physpages" || k == "swappages") {
			t.Errorf("fix lowers %s barrier %d -> %d", k, s[k].Barrier, v.Barrier)
		}
		fixed[k] = v
	}
	if again := ubccheck.Check(fixed, avn, h, lvl); len(again.Findings) > 0 {
		t.Errorf("after the fix %v: %+v", r.Fix, again.Findings)
	}
	if len(r.Findings) > 0 && len(r.Fix) == 0 {
		t.Errorf("findings but no fix")
	}
}

func TestLevels(t *testing.T) {
	s := base()
	s["dgramrcvbuf"] = vzconf.BL{Barrier: 65536, Limit: 65536} // Recommendation only
	s["numtcpsock"] = vzconf.BL{Barrier: 1000, Limit: 1000}    // tcpsndbuf Error, tcprcvbuf Warning
	if got := rules(ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Error)); !reflect.DeepEqual(got, []string{"tcpsndbuf-gap tcpsndbuf"}) {
		t.Errorf("Error level: %v", got)
	}
	r := ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Error)
	if _, ok := r.Fix["tcprcvbuf"]; ok {
		t.Errorf("a fix for an unchecked Warning: %v", r.Fix)
	}
	if got := rules(ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Warning)); len(got) != 2 {
		t.Errorf("Warning level: %v", got)
	}
	if got := rules(ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Recommendation)); len(got) != 3 {
		t.Errorf("Recommendation level: %v", got)
	}
}

// TestFixFixpoint: raising numfile (the last rule) raises dcachesize's and
// kmemsize's minimums; one pass of vzcfgvalidate -r would leave those.
func TestFixFixpoint(t *testing.T) {
	s := base()
	s["numfile"] = vzconf.BL{Barrier: 3000, Limit: 3000}
	s["dcachesize"] = vzconf.BL{Barrier: 1152000, Limit: 1152000} // 384 x 3000
	s["kmemsize"] = vzconf.BL{Barrier: 40960*120 + 1152000, Limit: 40960*120 + 1152000 + 100}
	r := ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Recommendation)
	if got := rules(r); !reflect.DeepEqual(got, []string{"numfile-min numfile"}) {
		t.Fatalf("findings %v", got)
	}
	want := ubccheck.Set{
		"numfile":    bl(3840, 3840),
		"dcachesize": bl(1152000, 384*3840),
		"kmemsize":   bl(40960*120+384*3840, 40960*120+384*3840+100),
	}
	if !reflect.DeepEqual(r.Fix, want) {
		t.Errorf("fix %v, want %v", r.Fix, want)
	}
	checkFix(t, s, 0, ubccheck.Host{}, r, ubccheck.Recommendation)
}

// TestAvnumproc: AVNUMPROC from the config replaces numproc.bar/2.
func TestAvnumproc(t *testing.T) {
	s := base()
	// 40960 x 200 + 3624960 = 11816960 > 8540160; numfile 32 x 200 = 6400 < 9312
	s["kmemsize"] = vzconf.BL{Barrier: 11816959, Limit: 14790164}
	if got := rules(ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Recommendation)); got != nil {
		t.Errorf("without avnumproc: %v", got)
	}
	r := ubccheck.Check(s, 200, ubccheck.Host{}, ubccheck.Recommendation)
	if got := rules(r); !reflect.DeepEqual(got, []string{"kmemsize-numproc kmemsize"}) {
		t.Errorf("avnumproc 200: %v", got)
	}
	checkFix(t, s, 200, ubccheck.Host{}, r, ubccheck.Recommendation)
}

func TestVSwap(t *testing.T) {
	h := ubccheck.Host{RAMPages: 1 << 20, SwapPages: 1 << 19}
	vs := func(pb, pl, sb, sl uint64) ubccheck.Set {
		// vmguarpages' limit would be an Error on a classic set.
		return ubccheck.Set{"physpages": bl(pb, pl), "swappages": bl(sb, sl), "numproc": bl(unl, unl), "vmguarpages": bl(0, 100)}
	}
	for _, tc := range []struct {
		name string
		s    ubccheck.Set
		want []string
	}{
		{"ok (classic memory-model rules do not apply)", vs(0, 262144, 0, 131072), nil},
		{"ram at", vs(0, 1<<20, 0, 1<<19), nil},
		{"ram above", vs(0, 1<<20+1, 0, 1<<19), []string{"physpages-host physpages"}},
		{"swap above", vs(0, 1, 0, 1<<19+1), []string{"swappages-host swappages"}},
		{"barriers", vs(1, 262144, 2, 131072), []string{"barrier=0 physpages", "barrier=0 swappages"}},
		{"only ram and swap", ubccheck.Set{"physpages": bl(0, 262144), "swappages": bl(0, 1)}, nil},
		{"missing swappages", ubccheck.Set{"physpages": bl(0, 262144)}, []string{"required swappages"}},
		{"seed on VSwap: limited socket rules still apply", func() ubccheck.Set {
			s := base()
			s["physpages"], s["swappages"] = bl(0, 262144), bl(0, 262144)
			s["kmemsize"], s["privvmpages"], s["vmguarpages"], s["oomguarpages"] = bl(unl, unl), bl(unl, unl), bl(0, unl), bl(0, unl)
			s["numproc"], s["numtcpsock"] = bl(400, 400), bl(1000, 1000)
			return s
		}(), []string{"tcprcvbuf-gap tcprcvbuf", "tcpsndbuf-gap tcpsndbuf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ubccheck.Check(tc.s, 0, h, ubccheck.Recommendation)
			if !r.VSwap {
				t.Fatal("not VSwap")
			}
			if got := rules(r); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			checkFix(t, tc.s, 0, h, r, ubccheck.Recommendation)
		})
	}
	// Host unknown: the host rules are skipped, not guessed.
	if r := ubccheck.Check(vs(0, 1<<40, 0, 1<<40), 0, ubccheck.Host{}, ubccheck.Recommendation); len(r.Findings) != 0 {
		t.Errorf("unknown host: %v", r.Findings)
	}
}

// TestReference pins findings derived by hand from validate.c for
// generated configs (the vzctl formulas written out in each comment).
func TestReference(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(ubccheck.Set)
		want []string // Level rule: exact text
	}{
		{"seed: numtcpsock 360 -> 1000, tcpsndbuf unchanged", func(s ubccheck.Set) {
			s["numtcpsock"] = vzconf.BL{Barrier: 1000, Limit: 1000}
			s["tcprcvbuf"] = vzconf.BL{Barrier: 1720320, Limit: 4280320}
		}, []string{
			// 2.5 KB x 1000 sockets is 2560000, the gap only 983040
			"Error tcpsndbuf-gap: tcpsndbuf limit-barrier should be >= 2560000 (2.5 KB x numtcpsock barrier 1000), currently 2703360-1720320=983040",
		}},
		{"kmemsize too small for 120 processes", func(s ubccheck.Set) {
			s["kmemsize"] = vzconf.BL{Barrier: 2752512, Limit: 2936012}
		}, []string{
			// 40 KB x 120 processes plus 3624960 is 8540160
			"Error kmemsize-numproc: kmemsize barrier should be >= 8540160 (40 KB x avnumproc 120 + dcachesize limit 3624960), currently 2752512",
		}},
		{"numfile below sockets", func(s ubccheck.Set) {
			s["numfile"] = vzconf.BL{Barrier: 700, Limit: 700}
			s["numproc"] = vzconf.BL{Barrier: 40, Limit: 40}
		}, []string{
			// avnumproc 20: 32 x 20 is 640, less than 360+360+16 sockets and ptys
			"Warning numfile-min: numfile barrier should be >= 736 (max of 32 x avnumproc 20 and numtcpsock+numothersock+numpty barriers 736), currently 700",
		}},
		{"dcachesize below 384 x numfile", func(s ubccheck.Set) {
			s["dcachesize"] = vzconf.BL{Barrier: 1048576, Limit: 1097728}
		}, []string{
			// 384 bytes x 9312 files is 3575808
			"Warning dcachesize-numfile: dcachesize limit should be >= 3575808 (384 x numfile barrier 9312), currently 1097728",
		}},
		{"barrier above limit and othersockbuf gap", func(s ubccheck.Set) {
			s["othersockbuf"] = vzconf.BL{Barrier: 2097152, Limit: 1126080}
		}, []string{
			"Error barrier<=limit: othersockbuf barrier should be <= its limit (currently 2097152:1126080)",
			// gap counted as 0 where vzctl's unsigned subtraction wraps
			"Error othersockbuf-gap: othersockbuf limit-barrier should be >= 921600 (2.5 KB x numothersock barrier 360), currently 1126080-2097152=0",
		}},
		{"privvmpages below the guarantee", func(s ubccheck.Set) {
			s["privvmpages"] = vzconf.BL{Barrier: 16384, Limit: 18022}
		}, []string{
			"Warning privvmpages-vmguarpages: privvmpages barrier should be >= vmguarpages barrier 33792 (currently 16384)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			tc.mod(s)
			r := ubccheck.Check(s, 0, ubccheck.Host{}, ubccheck.Recommendation)
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Level.String()+" "+f.Rule+": "+f.Text)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			checkFix(t, s, 0, ubccheck.Host{}, r, ubccheck.Recommendation)
		})
	}
}

// Every rule is in the README's rule table, by name.
func TestReadmeNamesEveryRule(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range ubccheck.RuleNames() {
		if !strings.Contains(string(b), "`"+name+"`") {
			t.Errorf("rule %s is not in the README's table", name)
		}
	}
}
