// Package icinga2 renders a plugin's kong flags as an Icinga 2 CheckCommand
// in the style of the Icinga Template Library's plugins-contrib.d, its
// documentation table and an Icinga Director basket: all three come from
// the one model, so contrib/icinga2 cannot drift from the command lines.
package icinga2

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/vzmon/vzmon/internal/cli"
)

// DumpFlag makes a plugin print its Icinga 2 CheckCommand and exit 0.
const DumpFlag = "--dump-icinga2-config"

// OutputBudget is the --max-output the CheckCommands pass. The plugins'
// own defaults fit NRPE 2 (1,023 bytes), which cuts what is longer; Icinga
// 2 itself, agents included, has no such limit, and 65,504 bytes fit the
// 64 KiB text columns of the IDO and Icinga DB databases (and NRPE 3/4).
const OutputBudget = 65504

// URL is where the plugins live, for the documentation.
const URL = "https://github.com/vzmon/vzmon"

// Kind is how an argument reaches the command line.
type Kind int

// The kinds of argument, as the ITL writes them.
const (
	Value  Kind = iota // "--flag" = { value = "$var$" }
	Switch             // "--flag" = { set_if = "$var$" }
	List               // "--flag" = { value = "$var$"; repeat_key = true }
)

// Arg is one flag of the plugin as a CheckCommand argument.
type Arg struct {
	Flag    string // --ctid
	Var     string // ubc_ctid
	Kind    Kind
	Help    string // one line
	Default string // what the command's vars set; "" for nothing
}

// Command is one plugin's CheckCommand.
type Command struct {
	Name   string // ubc
	Plugin string // check_ubc
	About  string // what the plugin does: its help's first paragraph, one line
	Args   []Arg
}

// New builds the CheckCommand name for plugin from its kong flags and its
// help text. Flags tagged icinga2:"-" stay out: test-only ones (--root) and
// modes that are not checks (--list); so do --help and --version.
func New(flags any, plugin, name, help string) (*Command, error) {
	parser, err := kong.New(flags, kong.Name(plugin), kong.Exit(func(int) {}))
	if err != nil {
		return nil, err
	}
	about, _, _ := strings.Cut(help, "\n\n")
	c := &Command{Name: name, Plugin: plugin, About: oneLine(about)}
	for _, f := range parser.Model.Flags {
		if f.Hidden || f.Name == "help" || f.Name == "version" || f.Tag.Get("icinga2") == "-" {
			continue
		}
		a := Arg{Flag: "--" + f.Name, Var: name + "_" + strings.ReplaceAll(f.Name, "-", "_"), Help: oneLine(f.Help), Default: f.Default}
		switch {
		case f.IsBool() || f.IsCounter():
			a.Kind, a.Default = Switch, ""
		case f.IsSlice():
			a.Kind = List
		}
		if isMaxOutput(f.Target.Type()) {
			a.Default = fmt.Sprint(OutputBudget)
			a.Help += fmt.Sprintf(" This CheckCommand passes %d: Icinga 2, agents included, has no output limit of its own, and %d bytes fit the text columns of the IDO and Icinga DB databases.", OutputBudget, OutputBudget)
		}
		c.Args = append(c.Args, a)
	}
	return c, nil
}

func isMaxOutput(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t == reflect.TypeOf(cli.MaxOutput(0))
}

// Config renders the CheckCommand in Icinga 2's DSL, as the ITL's
// plugins-contrib.d does: PluginContribDir, every argument with its
// description, switches with set_if, lists with repeat_key, defaults in
// vars.
func (c *Command) Config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "object CheckCommand %q {\n", c.Name)
	fmt.Fprintf(&b, "\tcommand = [ PluginContribDir + \"/%s\" ]\n\n\targuments = {\n", c.Plugin)
	var vars []string
	for _, a := range c.Args {
		fmt.Fprintf(&b, "\t\t%q = {\n", a.Flag)
		switch a.Kind {
		case Switch:
			fmt.Fprintf(&b, "\t\t\tset_if = \"$%s$\"\n", a.Var)
		case List:
			fmt.Fprintf(&b, "\t\t\tvalue = \"$%s$\"\n\t\t\trepeat_key = true\n", a.Var)
		default:
			fmt.Fprintf(&b, "\t\t\tvalue = \"$%s$\"\n", a.Var)
		}
		fmt.Fprintf(&b, "\t\t\tdescription = %s\n\t\t}\n", String(a.Help))
		if a.Default != "" {
			vars = append(vars, fmt.Sprintf("\tvars.%s = %s\n", a.Var, String(a.Default)))
		}
	}
	b.WriteString("\t}\n")
	if len(vars) > 0 {
		b.WriteString("\n")
		for _, v := range vars {
			b.WriteString(v)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// Doc renders the command's documentation as the ITL's
// (doc/10-icinga-template-library.md) does: what the plugin does, then a
// table of its custom variables.
func (c *Command) Doc() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### %s <a id=\"plugin-contrib-command-%s\"></a>\n\n", c.Name, strings.ReplaceAll(c.Name, "_", "-"))
	about := c.About
	if about != "" {
		about = strings.ToLower(about[:1]) + about[1:]
	}
	fmt.Fprintf(&b, "The [%s](%s) plugin %s\n\n", c.Plugin, URL, about)
	b.WriteString("Custom variables passed as [command parameters](03-monitoring-basics.md#command-passing-parameters):\n\n")
	width := len("Name")
	for _, a := range c.Args {
		width = max(width, len(a.Var))
	}
	fmt.Fprintf(&b, "%-*s | Description\n%s|%s\n", width, "Name", strings.Repeat("-", width+1), strings.Repeat("-", 12))
	for _, a := range c.Args {
		desc := "**Optional.** " + a.Help
		if a.Default != "" {
			desc += fmt.Sprintf(" Defaults to %q.", a.Default)
		}
		fmt.Fprintf(&b, "%-*s | %s\n", width, a.Var, strings.ReplaceAll(desc, "|", `\|`))
	}
	return b.String()
}

// String quotes s as an Icinga 2 DSL string: the DSL knows the escapes \"
// \\ \n \t \r \b \f and nothing else, so the rest goes as it is.
func String(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`, "\b", `\b`, "\f", `\f`)
	return `"` + r.Replace(s) + `"`
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
