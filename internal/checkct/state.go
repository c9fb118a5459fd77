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
	onboot := c.cfg["ONBOOT"]
	expect := a.f.Expect
	if expect == "auto" {
		expect = "any"
		if onboot == "yes" {
			expect = "running"
		}
	}
	why := ""
	if onboot != "" {
		why = "ONBOOT=" + text.Clean(onboot, 16)
	}
	if c.stateSource != "" {
		why = joinWhy([]string{c.stateSource, why})
	}
	switch {
	case c.phase == "STARTING" || c.phase == "STOPPING":
		// Neither up nor down: its tasks and load are not its own yet.
		word := strings.ToLower(c.phase)
		p.set(status.Warning, word, "[WARNING] state: "+word+" ("+why+")")
	case !c.running && expect == "running":
		p.set(status.Critical, "not running", "[CRITICAL] state: not running, but it should"+paren(why))
	case c.running && expect == "stopped":
		p.set(status.Warning, "running, expected stopped", "[WARNING] state: running, but --expect stopped")
	case c.running:
		p.set(status.OK, "", "[OK] state: running"+paren(why))
	default:
		p.set(status.OK, "", "[OK] state: stopped"+paren(why))
	}
	runningPerf := "0"
	if c.running {
		runningPerf = "1"
	}
	p.perf = append(p.perf, check.Perf{Label: "running", Value: runningPerf, Min: "0", Max: "1"})
	switch {
	case c.cfgErr == nil:
	case node.NoConfig(c.cfgErr): // running: identify refused it otherwise
		p.state = status.Worse(p.state, status.Warning)
		p.short = joinShort(p.short, "no config")
		p.add(status.Warning, "[WARNING] config: none for a running container ("+c.cfgErr.Error()+")")
	default:
		p.state = status.Worse(p.state, status.Warning)
		p.short = joinShort(p.short, "config unreadable")
		p.add(status.Warning, "[WARNING] config: "+c.cfgErr.Error())
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
