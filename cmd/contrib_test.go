package cmd_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkct"
	"github.com/vzmon/vzmon/internal/checkfailcnt"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
)

// The committed Icinga 2 CheckCommands are exactly what the plugins'
// flags generate: contrib cannot drift from the command lines.
func TestIcinga2CommandsMatchFlags(t *testing.T) {
	committed, err := os.ReadFile("../contrib/icinga2/commands.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range []*check.App{checkubc.New(), checkfailcnt.New(), checkct.New()} {
		out, code := checktest.Run(app, "--dump-icinga2-config")
		if code != 0 || !strings.HasPrefix(out, "object CheckCommand") {
			t.Fatalf("%s: exit %d\n%s", app.Name, code, out)
		}
		if !strings.Contains(string(committed), out) {
			t.Errorf("contrib/icinga2/commands.conf is stale for %s: run make contrib", app.Name)
		}
	}
}
