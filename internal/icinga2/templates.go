package icinga2

import (
	"fmt"
	"sort"
	"strings"
)

// Template is one of the suite's Service templates: the base one carries
// the check intervals, the others a command and its vars. templates.conf
// and the Director basket both render these.
type Template struct {
	Name    string
	Import  string // the template it imports, "" for none
	Command string // check_command, "" for none
	Vars    map[string]any
	Notes   string
	// Check intervals in seconds and attempts, 0 for none (inherited).
	MaxCheckAttempts, CheckInterval, RetryInterval int
}

// BaseTemplate is what every vzmon service imports.
const BaseTemplate = "vzmon-service"

// Templates are the suite's Service templates. The base one's retries
// reach HARD (3 attempts, 1 minute apart) well within check_ubc_failcnt's
// default --hold of 15 minutes.
func Templates() []Template {
	return []Template{
		{Name: BaseTemplate, MaxCheckAttempts: 3, CheckInterval: 300, RetryInterval: 60,
			Notes: "Check intervals of the vzmon services."},
		{Name: "vzmon-ubc", Import: BaseTemplate, Command: "ubc",
			Notes: "Usage of every container's beancounters, once per node."},
		{Name: "vzmon-ubc-failcnt", Import: BaseTemplate, Command: "ubc_failcnt",
			Notes: "Failcnt growth of every container, once per node."},
		{Name: "vzmon-ubc-config", Import: BaseTemplate, Command: "ubc", Vars: map[string]any{"ubc_mode": "config"}, CheckInterval: 3600, RetryInterval: 300,
			Notes: "Limits that cannot work together (vzcfgvalidate's rules): they change only when edited, hourly is enough."},
		{Name: "vzmon-ubc-memory", Import: BaseTemplate, Command: "ubc", Vars: map[string]any{"ubc_mode": "memory"},
			Notes: "The node's memory utilization and commitment (vzmemcheck's ratios, and VSwap's)."},
		{Name: "vzmon-containers", Import: BaseTemplate, Command: "vz_container", Vars: map[string]any{"vz_container_all": true},
			Notes: "Every container in one run: each that should run runs, and each one's load."},
		{Name: "vzmon-ct", Import: BaseTemplate, Command: "vz_container",
			Notes: "One container from the node's view; set vz_container_ctid."},
	}
}

// TemplatesConfig renders the templates in Icinga 2's DSL.
func TemplatesConfig(ts []Template) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "// %s\ntemplate Service %s {\n", t.Notes, String(t.Name))
		if t.Import != "" {
			fmt.Fprintf(&b, "\timport %s\n", String(t.Import))
		}
		if t.Command != "" {
			fmt.Fprintf(&b, "\tcheck_command = %s\n", String(t.Command))
		}
		if t.MaxCheckAttempts > 0 {
			fmt.Fprintf(&b, "\tmax_check_attempts = %d\n", t.MaxCheckAttempts)
		}
		if t.CheckInterval > 0 {
			fmt.Fprintf(&b, "\tcheck_interval = %s\n", duration(t.CheckInterval))
		}
		if t.RetryInterval > 0 {
			fmt.Fprintf(&b, "\tretry_interval = %s\n", duration(t.RetryInterval))
		}
		for _, k := range sortedKeys(t.Vars) {
			fmt.Fprintf(&b, "\tvars.%s = %s\n", k, literal(t.Vars[k]))
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// duration writes seconds as the DSL's duration literal.
func duration(s int) string {
	switch {
	case s%3600 == 0:
		return fmt.Sprintf("%dh", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	}
	return fmt.Sprintf("%ds", s)
}

func literal(v any) string {
	if s, ok := v.(string); ok {
		return String(s)
	}
	return fmt.Sprint(v) // bool, int
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
