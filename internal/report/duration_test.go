package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/report"
)

func TestDuration(t *testing.T) {
	const day = 24 * time.Hour
	for _, tt := range []struct {
		in   time.Duration
		most int
		want string
	}{
		// Issue 10 item 11: the old formatter cut these to "1h3", "1m3", "10m3".
		{90 * time.Minute, 0, "1h 30m"},
		{90 * time.Second, 0, "1m 30s"},
		{10*time.Minute + 30*time.Second, 0, "10m 30s"},
		{15 * time.Minute, 0, "15m"},
		{0, 0, "0s"},
		{24 * time.Hour, 0, "1d"},
		{2*day + 12*time.Hour, 0, "2d 12h"},
		{time.Hour + 5*time.Second, 0, "1h 5s"},
		{20 * time.Minute, 0, "20m"},
		{400 * time.Millisecond, 0, "0.4s"},
		{time.Minute + 1500*time.Millisecond, 0, "1m 1.5s"},
		{-90 * time.Second, 0, "-1m 30s"},
		// Uptimes: the two largest places, cut.
		{26*day + 3*time.Hour + 17*time.Minute + 42*time.Second, 2, "26d 3h"},
		{4*time.Hour + 12*time.Minute + 59*time.Second, 2, "4h 12m"},
		{2*time.Minute + 5*time.Second + 900*time.Millisecond, 2, "2m 5s"},
		{day + 5*time.Minute, 2, "1d"},
		{2 * day, 2, "2d"},
		{500 * time.Millisecond, 2, "0s"},
		{37 * time.Second, 2, "37s"},
	} {
		if got := report.Duration(tt.in, tt.most); got != tt.want {
			t.Errorf("Duration(%v, %d) = %q, want %q", tt.in, tt.most, got, tt.want)
		}
	}
}

// An exact duration reads back as the flag that gave it, spaces removed.
func TestDurationReadsBackAsFlag(t *testing.T) {
	for _, d := range []time.Duration{0, 90 * time.Second, 90 * time.Minute, 15 * time.Minute, 60*time.Hour + 7*time.Second, 400 * time.Millisecond} {
		text := report.Duration(d, 0)
		var back cli.Duration
		if err := back.UnmarshalText([]byte(strings.ReplaceAll(text, " ", ""))); err != nil || back.D() != d {
			t.Errorf("%v printed %q, reads back as %v (%v)", d, text, back.D(), err)
		}
	}
}
