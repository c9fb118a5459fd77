package cmd_test

import (
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkct"
	"github.com/vzmon/vzmon/internal/checkfailcnt"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
)

// --max-output is one type with one rule: every plugin refuses the same
// values with the same words (they had three rules, two messages, and
// check_ubc took -1).
func TestMaxOutputIsJudgedAlike(t *testing.T) {
	for _, value := range []string{"-1", "-5", "x"} {
		want := `invalid arguments: --max-output: "` + value + `": must be 0 (no limit) or a number of bytes (see --help)`
		for _, app := range []*check.App{checkubc.New(), checkfailcnt.New(), checkct.New()} {
			out, code := checktest.Run(app, "--ctid", "1", "--max-output", value)
			if first, _, _ := strings.Cut(out, " | "); code != 3 || first != app.Tag+" UNKNOWN - "+want {
				t.Errorf("%s --max-output %s: exit %d: %s", app.Name, value, code, out)
			}
		}
	}
}
