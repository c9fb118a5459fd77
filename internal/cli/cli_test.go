package cli_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/cli"
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
		{[]string{"-t", "0"}, false, "above 0", 0},
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
