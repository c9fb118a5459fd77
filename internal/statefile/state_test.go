package statefile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/statefile"
)

const sample = `{"version":2,"selection":"ct=;xct=;res=;xres=","boot_id":"b","written":{"wall":10,"boot":5},"resources":["tcpsndbuf"],` +
	`"containers":{"204":{"start":1.5,"last_seen":{"wall":10,"boot":5},"failcnt":{"tcpsndbuf":7}}},` +
	`"events":[{"ct":"204","resource":"tcpsndbuf","delta":3,"failcnt":7,"seen":{"wall":10,"boot":5}}],` +
	`"holds":[{"seconds":900,"last_used":{"wall":10,"boot":5}},{"seconds":0,"last_used":{"wall":8,"boot":3}}]}`

func TestDecodeRoundTrip(t *testing.T) {
	st, err := statefile.Decode([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Encode()
	if err != nil {
		t.Fatal(err)
	}
	again, err := statefile.Decode(b)
	if err != nil || again.Containers["204"].FailCnt["tcpsndbuf"] != 7 || len(again.Events) != 1 ||
		len(again.Holds) != 2 || again.Holds[0].D() != 15*time.Minute {
		t.Fatalf("%v %+v", err, again)
	}
}

// A file of the previous format (no holds) still reads: an upgrade keeps
// the state and its window.
func TestDecodeVersion1(t *testing.T) {
	v1 := `{"version":1,"selection":"ct=;xct=;res=;xres=","boot_id":"b","written":{"wall":10,"boot":5},"resources":["tcpsndbuf"],` +
		`"containers":{"204":{"start":1.5,"last_seen":{"wall":10,"boot":5},"failcnt":{"tcpsndbuf":7}}},` +
		`"events":[{"ct":"204","resource":"tcpsndbuf","delta":3,"failcnt":7,"seen":{"wall":10,"boot":5}}]}`
	st, err := statefile.Decode([]byte(v1))
	if err != nil || len(st.Events) != 1 || len(st.Holds) != 0 {
		t.Fatalf("%v %+v", err, st)
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, in := range map[string]string{
		"empty":            ``,
		"not json":         `garbage`,
		"newer version":    strings.Replace(sample, `"version":2`, `"version":3`, 1),
		"version 0":        strings.Replace(sample, `"version":2`, `"version":0`, 1),
		"holds in v1":      strings.Replace(sample, `"version":2`, `"version":1`, 1),
		"negative hold":    strings.Replace(sample, `"seconds":900`, `"seconds":-1`, 1),
		"huge hold":        strings.Replace(sample, `"seconds":900`, `"seconds":1e300`, 1),
		"unknown field":    strings.Replace(sample, `"boot_id"`, `"bootid"`, 1),
		"bad id":           strings.Replace(sample, `"204":{`, `"../x":{`, 1),
		"unknown resource": strings.Replace(sample, `{"tcpsndbuf":7}`, `{"tcpsendbuf":7}`, 1),
		"negative count":   strings.Replace(sample, `{"tcpsndbuf":7}`, `{"tcpsndbuf":-7}`, 1),
		"zero delta":       strings.Replace(sample, `"delta":3`, `"delta":0`, 1),
		"trailing data":    sample + `{}`,
		"truncated":        sample[:len(sample)/2],
	} {
		if _, err := statefile.Decode([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{"version":1,"containers":{}}`))
	f.Add([]byte(`{"version":2,"containers":{},"holds":[{"seconds":60,"last_used":{"wall":1}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := statefile.Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode and decode to the same thing.
		out, err := st.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := statefile.Decode(out)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if len(again.Containers) != len(st.Containers) || len(again.Events) != len(st.Events) || len(again.Holds) != len(st.Holds) {
			t.Fatal("round trip changed the state")
		}
	})
}
