package cmd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/contrib"
	"github.com/vzmon/vzmon/internal/icinga2"
)

// The committed Icinga 2 CheckCommands are exactly what the plugins'
// flags generate: contrib cannot drift from the command lines.
func TestIcinga2CommandsMatchFlags(t *testing.T) {
	committed, err := os.ReadFile("../contrib/icinga2/commands.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range contrib.Apps() {
		out, code := checktest.Run(app, "--dump-icinga2-config")
		if code != 0 || !strings.HasPrefix(out, "object CheckCommand") {
			t.Fatalf("%s: exit %d\n%s", app.Name, code, out)
		}
		if !strings.Contains(string(committed), out) {
			t.Errorf("contrib/icinga2/commands.conf is stale for %s: run make contrib", app.Name)
		}
	}
}

// Every file make contrib generates (commands.conf, commands.md,
// templates.conf, the Director basket) is committed as generated.
func TestGeneratedContribIsCurrent(t *testing.T) {
	files, err := contrib.Files()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join("..", path))
		if err != nil {
			t.Errorf("%v: run make contrib", err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s is stale: run make contrib", path)
		}
	}
}

// Every CheckCommand variable that README.md and the hand-written
// contrib/icinga2 files name exists in the commands: a renamed or dropped
// flag cannot leave the documentation and the apply rules behind.
func TestDocumentedVarsExist(t *testing.T) {
	cmds, err := contrib.Commands()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, c := range cmds {
		for _, a := range c.Args {
			vars[a.Var] = true
		}
	}
	files, _ := filepath.Glob("../contrib/icinga2/services*.conf")
	files = append(files, "../README.md", "../contrib/README.md")
	ref := regexp.MustCompile(`(?:vars\.|\$)((?:ubc_failcnt|ubc|vz_container)_[a-z0-9_]+)`)
	found := 0
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ref.FindAllStringSubmatch(string(text), -1) {
			found++
			if !vars[m[1]] {
				t.Errorf("%s names %s, which no CheckCommand has", f, m[1])
			}
		}
	}
	if found == 0 {
		t.Error("found no variable to check: the pattern is broken")
	}
	// The README names what the model defines: the output budget, the
	// templates and the discovered template's name.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	musts := []string{fmt.Sprintf("--max-output %d", icinga2.OutputBudget), checkubc.ContainersTemplate("node1.example.com"), icinga2.NodeTemplate}
	for _, tmpl := range icinga2.Templates() {
		musts = append(musts, "`"+tmpl.Name+"`")
	}
	for _, must := range musts {
		if !strings.Contains(string(readme), must) {
			t.Errorf("README.md does not name %s", must)
		}
	}
	var names []string
	for v := range vars {
		names = append(names, v)
	}
	sort.Strings(names)
	if len(names) < 40 {
		t.Errorf("only %d variables: %v", len(names), names)
	}
}
