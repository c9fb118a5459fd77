package cli_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/threshold"
)

type app struct {
	cli.Common
}

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		exited  bool
		errText string
		timeout time.Duration
	}{
		{nil, false, "", 10 * time.Second},
		{[]string{"-t", "2.5"}, false, "", 2500 * time.Millisecond},
		{[]string{"--timeout=1m"}, false, "", time.Minute},
		{[]string{"-t", "abc"}, false, "not a number of seconds", 0},
		{[]string{"-t", "0"}, false, `--timeout: "0": must be a positive number of seconds or a duration`, 0},
		{[]string{"-t=2.5"}, false, "", 2500 * time.Millisecond}, // kong alone read "=2.5"
		{[]string{"--bogus"}, false, "unknown flag --bogus", 0},
		{[]string{"-h"}, true, "", 0},
		{[]string{"--version"}, true, "", 0},
	}
	for _, tt := range tests {
		var a app
		var out bytes.Buffer
		err := cli.Parse(&a, "check_x", "Checks x.", tt.args, &out)
		switch {
		case tt.exited:
			if !errors.Is(err, cli.ErrExited) || out.Len() == 0 {
				t.Errorf("%v: err=%v out=%q", tt.args, err, out.String())
			}
		case tt.errText != "":
			if err == nil || !strings.Contains(err.Error(), tt.errText) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%v: err=%v", tt.args, err)
			}
		default:
			if err != nil || a.Timeout.Duration() != tt.timeout || a.Root != "/" {
				t.Errorf("%v: err=%v timeout=%v root=%q", tt.args, err, a.Timeout, a.Root)
			}
		}
	}
}

// valueApp has the flags that take numbers and ranges, as the plugins
// declare them.
type valueApp struct {
	cli.Common
	Warning   *threshold.Range `short:"w"`
	Critical  *threshold.Range `short:"c"`
	Hold      cli.Duration     `name:"hold"`
	MaxOutput cli.MaxOutput    `name:"max-output" default:"1023"`
	Budget    *cli.MaxOutput   `name:"budget"` // unset: nil
}

// A negative value is judged by its flag, whichever way it is written:
// kong took "-5" after a flag for a flag ("expected value value but got
// "-5""), and kept the "=" of "-t=-5".
func TestNegativeValues(t *testing.T) {
	const (
		timeout   = `--timeout: "-5": must be a positive number of seconds or a duration (like 10, 2.5 or 1m30s), at most 1h`
		hold      = `--hold: "-5": a duration cannot be negative (like 90s, 15m, 2h, 1d)`
		maxOutput = `--max-output: "-5": must be 0 (no limit) or a number of bytes`
		rng       = `invalid range "-5": a single number N means 0 to N, so it cannot be negative; write both ends, like -10:-5 or ~:-5`
	)
	tests := []struct {
		args    []string
		errText string
		check   func(valueApp) bool
	}{
		{[]string{"-t", "-5"}, timeout, nil},
		{[]string{"--timeout=-5"}, timeout, nil},
		{[]string{"--timeout", "-5"}, timeout, nil},
		{[]string{"-t=-5"}, timeout, nil},
		{[]string{"-w", "-5"}, "--warning: " + rng, nil},
		{[]string{"--warning=-5"}, "--warning: " + rng, nil},
		{[]string{"--warning", "-5"}, "--warning: " + rng, nil},
		{[]string{"-c", "-5"}, "--critical: " + rng, nil},
		{[]string{"--critical=-5"}, "--critical: " + rng, nil},
		{[]string{"--critical", "-5"}, "--critical: " + rng, nil},
		{[]string{"--hold", "-5"}, hold, nil},
		{[]string{"--hold=-5"}, hold, nil},
		{[]string{"--hold", "-5m"}, `--hold: "-5m": a duration cannot be negative`, nil},
		// --max-output says what it takes, in every plugin alike.
		{[]string{"--max-output", "-5"}, maxOutput, nil},
		{[]string{"--max-output=-5"}, maxOutput, nil},
		{[]string{"--max-output", "x"}, `--max-output: "x": must be 0 (no limit) or a number of bytes`, nil},
		{nil, "", func(a valueApp) bool { return a.MaxOutput == 1023 && a.Budget == nil }},
		{[]string{"--max-output", "0", "--budget", "300"}, "", func(a valueApp) bool { return a.MaxOutput == 0 && *a.Budget == 300 }},
		{[]string{"--budget", "-1"}, `--budget: "-1": must be 0 (no limit) or a number of bytes`, nil},
		// Negative ranges are legitimate, written either way.
		{[]string{"--warning=-5:5"}, "", func(a valueApp) bool { return a.Warning.String() == "-5:5" }},
		{[]string{"-w", "-5:5"}, "", func(a valueApp) bool { return a.Warning.String() == "-5:5" }},
		{[]string{"-w=-5:5", "-c", "~:5"}, "", func(a valueApp) bool { return a.Warning.String() == "-5:5" && a.Critical.String() == "~:5" }},
		{[]string{"-c", "@-10:-5"}, "", func(a valueApp) bool { return a.Critical.String() == "@-10:-5" }},
		// A flag where a value should be.
		{[]string{"-t", "-v"}, "--timeout needs a value, but the flag -v follows it", nil},
		{[]string{"--warning", "--hold", "1m"}, "--warning needs a value, but the flag --hold follows it", nil},
		// After "--" nothing is a flag: kong's own answer.
		{[]string{"--", "-t", "-5"}, "unexpected argument -t", nil},
	}
	for _, tt := range tests {
		var a valueApp
		var out bytes.Buffer
		err := cli.Parse(&a, "check_x", "Checks x.", tt.args, &out)
		switch {
		case tt.errText != "":
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("%q: err = %v\nwant it to contain %s", tt.args, err, tt.errText)
			}
		case err != nil || !tt.check(a):
			t.Errorf("%q: err = %v, flags %+v", tt.args, err, a)
		}
	}
}
