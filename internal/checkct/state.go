package checkct

import (
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/text"
)

// state judges running or stopped against --expect (auto: its ONBOOT),
// and a config missing or unreadable.
func (a *app) state(c *ct) *part {
	p := &part{}
	v := a.verdict(c)
	p.set(v.st, v.short, "["+v.st.String()+"] state: "+v.line)
	runningPerf := "0"
	if c.running {
		runningPerf = "1"
	}
	p.perf = append(p.perf, check.Perf{Label: "running", Value: runningPerf, Min: "0", Max: "1"})
	if short, line, bad := configProblem(c); bad {
		p.state = status.Worse(p.state, status.Warning)
		p.short = joinShort(p.short, short)
		p.add(status.Warning, "[WARNING] config: "+line)
	}
	return p
}

// paren is " (s)", or "" for an empty s.
func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// verdict is the container's state against what is expected of it.
type verdict struct {
	st          status.Status
	short, line string
}

func (a *app) verdict(c *ct) verdict {
	expect := a.expected(c)
	why := onbootWhy(c)
	if c.stateSource != "" {
		why = joinWhy([]string{c.stateSource, why})
	}
	switch {
	case c.transitional():
		// Neither up nor down: its tasks and load are not its own yet.
		word := strings.ToLower(c.phase)
		return verdict{status.Warning, word, word + paren(why)}
	case !c.running && expect == "running":
		return verdict{status.Critical, "not running", "not running, but it should" + paren(why)}
	case c.running && expect == "stopped":
		return verdict{status.Warning, "running, expected stopped", "running, but --expect stopped"}
	case c.running:
		return verdict{status.OK, "", "running" + paren(why)}
	}
	return verdict{status.OK, "", "stopped" + paren(why)}
}

// transitional reports whether ve.state says it is starting or stopping.
func (c *ct) transitional() bool { return c.phase == "STARTING" || c.phase == "STOPPING" }

// expected is whether the container should run: --expect, or with auto
// its ONBOOT.
func (a *app) expected(c *ct) string {
	if a.f.Expect != "auto" {
		return a.f.Expect
	}
	if c.cfg["ONBOOT"] == "yes" {
		return "running"
	}
	return "any"
}

// onbootWhy is its ONBOOT as the state line shows it (config values are
// user data: cleaned).
func onbootWhy(c *ct) string {
	if v := c.cfg["ONBOOT"]; v != "" {
		return "ONBOOT=" + text.Clean(v, 16)
	}
	return ""
}

// configProblem words a config missing (for a running container) or
// unreadable.
func configProblem(c *ct) (short, line string, bad bool) {
	switch {
	case c.cfgErr == nil:
		return "", "", false
	case node.NoConfig(c.cfgErr):
		return "no config", "none for a running container (" + c.cfgErr.Error() + ")", true
	}
	return "config unreadable", c.cfgErr.Error(), true
}
