package cli

import (
	"fmt"
	"strings"

	"github.com/alecthomas/kong"
)

// DumpFlag makes a plugin print its Icinga 2 CheckCommand and exit 0.
const DumpFlag = "--dump-icinga2-config"

// Icinga2Command renders the plugin's Icinga 2 CheckCommand from its kong
// model, in the Icinga Template Library's style, so contrib/icinga2 can
// never drift from the flags: every flag with its description, switches
// with set_if, lists with repeat_key, defaults in vars (named after the
// command).
func Icinga2Command(flags any, name, command string) (string, error) {
	parser, err := kong.New(flags, kong.Name(name), kong.Exit(func(int) {}))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "object CheckCommand %q {\n", command)
	fmt.Fprintf(&b, "\tcommand = [ PluginDir + \"/%s\" ]\n\n\targuments = {\n", name)
	var vars []string
	for _, f := range parser.Model.Flags {
		if f.Hidden || f.Name == "help" || f.Name == "version" {
			continue
		}
		v := command + "_" + strings.ReplaceAll(f.Name, "-", "_")
		fmt.Fprintf(&b, "\t\t\"--%s\" = {\n", f.Name)
		switch {
		case f.IsBool() || f.IsCounter():
			fmt.Fprintf(&b, "\t\t\tset_if = \"$%s$\"\n", v)
		case f.IsSlice():
			fmt.Fprintf(&b, "\t\t\tvalue = \"$%s$\"\n\t\t\trepeat_key = true\n", v)
		default:
			fmt.Fprintf(&b, "\t\t\tvalue = \"$%s$\"\n", v)
		}
		fmt.Fprintf(&b, "\t\t\tdescription = %q\n\t\t}\n", oneLine(f.Help))
		// --root / is the plugin's own default, not a setting worth a var.
		rootDefault := f.Name == "root" && f.Default == "/"
		if d := f.Default; d != "" && !rootDefault && !f.IsBool() && !f.IsCounter() {
			vars = append(vars, fmt.Sprintf("\tvars.%s = %q\n", v, d))
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
	return b.String(), nil
}
