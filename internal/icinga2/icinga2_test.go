package icinga2_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/contrib"
	"github.com/vzmon/vzmon/internal/icinga2"
)

type flags struct {
	cli.Common `embed:""`
	CTID       []string       `name:"ctid" sep:"none" help:"Containers."`
	Maxheld    bool           `name:"maxheld" help:"Also maxheld."`
	Warning    string         `short:"w" default:"90" help:"Warning | range."`
	List       bool           `name:"list" icinga2:"-" help:"Not a check."`
	Hidden     string         `name:"secret" hidden:"" help:"Hidden."`
	MaxOutput  *cli.MaxOutput `name:"max-output" help:"Cut to BYTES."`
}

const help = "Checks a thing\non a node.\n\nExamples:\n  check_x -w 5"

func command(t *testing.T) *icinga2.Command {
	t.Helper()
	c, err := icinga2.New(&flags{}, "check_x", "x", help)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The model keeps check flags only (not --root, --list, hidden ones,
// --help, --version), names each variable <command>_<flag> with
// underscores as the ITL does, and passes the Icinga output budget.
func TestModel(t *testing.T) {
	c := command(t)
	var got []string
	for _, a := range c.Args {
		got = append(got, a.Flag+" "+a.Var+" "+strconv.Itoa(int(a.Kind))+" "+a.Default)
	}
	want := []string{
		"--timeout x_timeout 0 10",
		"--verbose x_verbose 1 ",
		"--ctid x_ctid 2 ",
		"--maxheld x_maxheld 1 ",
		"--warning x_warning 0 90",
		"--max-output x_max_output 0 65504",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("args:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.About != "Checks a thing on a node." {
		t.Errorf("about %q", c.About)
	}
	if mo := c.Args[5].Help; !strings.HasPrefix(mo, "Cut to BYTES. This CheckCommand passes 65504: Icinga 2") {
		t.Errorf("max-output help %q", mo)
	}
}

func TestConfig(t *testing.T) {
	conf := command(t).Config()
	for _, want := range []string{
		"object CheckCommand \"x\" {\n\tcommand = [ PluginContribDir + \"/check_x\" ]\n",
		"\t\t\"--ctid\" = {\n\t\t\tvalue = \"$x_ctid$\"\n\t\t\trepeat_key = true\n\t\t\tdescription = \"Containers.\"\n\t\t}\n",
		"\t\t\"--maxheld\" = {\n\t\t\tset_if = \"$x_maxheld$\"\n",
		"\tvars.x_timeout = \"10\"\n\tvars.x_warning = \"90\"\n\tvars.x_max_output = \"65504\"\n}\n",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("config lacks %q:\n%s", want, conf)
		}
	}
	for _, never := range []string{"--root", "--list", "--secret", "--help", "--version", "PluginDir"} {
		if strings.Contains(conf, never) {
			t.Errorf("config has %s:\n%s", never, conf)
		}
	}
}

// The documentation is the ITL's table: one row per variable, pipes in
// the text escaped so that the table holds.
func TestDoc(t *testing.T) {
	c := command(t)
	doc := c.Doc()
	if !strings.Contains(doc, "The [check_x](https://github.com/vzmon/vzmon) plugin checks a thing on a node.\n") {
		t.Errorf("doc:\n%s", doc)
	}
	for _, a := range c.Args {
		row := regexp.MustCompile(`(?m)^` + a.Var + ` +\| \*\*Optional\.\*\* (.*)$`).FindStringSubmatch(doc)
		if row == nil {
			t.Errorf("no row for %s:\n%s", a.Var, doc)
			continue
		}
		if strings.Count(row[1], "|") != strings.Count(row[1], `\|`) {
			t.Errorf("unescaped | in %s's row: %s", a.Var, row[1])
		}
		if a.Default != "" && !strings.HasSuffix(row[1], ` Defaults to "`+a.Default+`".`) {
			t.Errorf("%s's row does not give its default: %s", a.Var, row[1])
		}
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"plain": `"plain"`, `a"b`: `"a\"b"`, `c:\x`: `"c:\\x"`, "l1\nl2\t": `"l1\nl2\t"`, "$x$": `"$x$"`,
	} {
		if got := icinga2.String(in); got != want {
			t.Errorf("String(%q) = %s, want %s", in, got, want)
		}
	}
}

// The basket holds what Director needs to create the objects: every
// argument of every command, each variable as a field linked to a
// Datafield that exists, the templates importing what exists, and UUIDs
// that are stable and unique.
func TestBasket(t *testing.T) {
	c := command(t)
	ts := icinga2.Templates()
	raw, err := icinga2.Basket([]*icinga2.Command{c}, ts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := icinga2.Basket([]*icinga2.Command{command(t)}, icinga2.Templates())
	if string(raw) != string(again) {
		t.Error("the basket differs between two runs")
	}
	CheckBasket(t, raw, []*icinga2.Command{c}, ts)
}

type field struct {
	ID       int    `json:"datafield_id"`
	Required string `json:"is_required"`
}

type basket struct {
	Command map[string]struct {
		Arguments map[string]map[string]any `json:"arguments"`
		Command   string                    `json:"command"`
		Fields    []field                   `json:"fields"`
		Methods   string                    `json:"methods_execute"`
		Name      string                    `json:"object_name"`
		Type      string                    `json:"object_type"`
		Vars      map[string]any            `json:"vars"`
		UUID      string                    `json:"uuid"`
	}
	ServiceTemplate map[string]struct {
		Name    string         `json:"object_name"`
		Type    string         `json:"object_type"`
		Command string         `json:"check_command"`
		Imports []string       `json:"imports"`
		Vars    map[string]any `json:"vars"`
		UUID    string         `json:"uuid"`
	}
	HostTemplate map[string]struct {
		Name   string         `json:"object_name"`
		Type   string         `json:"object_type"`
		Fields []field        `json:"fields"`
		Vars   map[string]any `json:"vars"`
		UUID   string         `json:"uuid"`
	}
	Datafield map[string]struct {
		Varname  string `json:"varname"`
		Caption  string `json:"caption"`
		Datatype string `json:"datatype"`
		UUID     string `json:"uuid"`
	}
}

// CheckBasket checks a basket against the commands and templates it was
// made from.
func CheckBasket(t *testing.T, raw []byte, cmds []*icinga2.Command, ts []icinga2.Template) {
	t.Helper()
	var b basket
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	uuids := map[string]string{}
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := func(what, u string) {
		if !uuidRE.MatchString(u) {
			t.Errorf("%s: uuid %q", what, u)
		}
		if other, dup := uuids[u]; dup {
			t.Errorf("%s and %s share the uuid %s", what, other, u)
		}
		uuids[u] = what
	}
	used := map[int]bool{}
	link := func(what string, fs []field, varname string) {
		for _, f := range fs {
			df, ok := b.Datafield[strconv.Itoa(f.ID)]
			if ok && df.Varname == varname {
				used[f.ID] = true
				return
			}
		}
		t.Errorf("%s: no field for %s", what, varname)
	}
	types := map[icinga2.Kind]string{icinga2.Value: "DataTypeString", icinga2.Switch: "DataTypeBoolean", icinga2.List: "DataTypeArray"}
	if len(b.Command) != len(cmds) {
		t.Errorf("%d commands, want %d", len(b.Command), len(cmds))
	}
	for _, c := range cmds {
		got, ok := b.Command[c.Name]
		if !ok {
			t.Errorf("no command %s", c.Name)
			continue
		}
		seen("command "+c.Name, got.UUID)
		if got.Command != "PluginContribDir + /"+c.Plugin || got.Methods != "PluginCheck" || got.Name != c.Name || got.Type != "object" {
			t.Errorf("command %s: %q %q %q %q", c.Name, got.Command, got.Methods, got.Name, got.Type)
		}
		if len(got.Arguments) != len(c.Args) || len(got.Fields) != len(c.Args) {
			t.Errorf("command %s: %d arguments and %d fields for %d flags", c.Name, len(got.Arguments), len(got.Fields), len(c.Args))
		}
		for _, a := range c.Args {
			arg := got.Arguments[a.Flag]
			key := map[icinga2.Kind]string{icinga2.Value: "value", icinga2.Switch: "set_if", icinga2.List: "value"}[a.Kind]
			if arg[key] != "$"+a.Var+"$" || arg["description"] != a.Help || (a.Kind == icinga2.List) != (arg["repeat_key"] == true) {
				t.Errorf("command %s argument %s: %v", c.Name, a.Flag, arg)
			}
			if a.Default != "" && got.Vars[a.Var] != a.Default {
				t.Errorf("command %s: vars.%s = %v, want %q", c.Name, a.Var, got.Vars[a.Var], a.Default)
			}
			link("command "+c.Name, got.Fields, a.Var)
			for id, df := range b.Datafield {
				if df.Varname == a.Var && !strings.HasSuffix(df.Datatype, `\`+types[a.Kind]) {
					t.Errorf("field %s (%s): %s", id, a.Var, df.Datatype)
				}
			}
		}
	}
	for _, tmpl := range ts {
		got, ok := b.ServiceTemplate[tmpl.Name]
		if !ok {
			t.Errorf("no service template %s", tmpl.Name)
			continue
		}
		seen("service template "+tmpl.Name, got.UUID)
		if got.Type != "template" || got.Command != tmpl.Command || len(got.Vars) != len(tmpl.Vars) {
			t.Errorf("service template %s: %+v", tmpl.Name, got)
		}
		for _, imp := range got.Imports {
			if _, ok := b.ServiceTemplate[imp]; !ok {
				t.Errorf("service template %s imports %s, which is not in the basket", tmpl.Name, imp)
			}
		}
	}
	node, ok := b.HostTemplate[icinga2.NodeTemplate]
	if !ok || node.Type != "template" || node.Vars["openvz_node"] != true {
		t.Errorf("host template %s: %+v", icinga2.NodeTemplate, node)
	}
	seen("host template", node.UUID)
	link("host template", node.Fields, "openvz_containers")
	for id, df := range b.Datafield {
		n, _ := strconv.Atoi(id)
		if !used[n] {
			t.Errorf("field %s (%s) is used by nothing", id, df.Varname)
		}
		seen("field "+df.Varname, df.UUID)
	}
}

// The committed basket, of the real plugins, holds together too.
func TestBasketOfThePlugins(t *testing.T) {
	cmds, err := contrib.Commands()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(checktest.RepoRoot(t), "contrib", "icinga2", "director-basket.json"))
	if err != nil {
		t.Fatal(err)
	}
	CheckBasket(t, raw, cmds, icinga2.Templates())
}
