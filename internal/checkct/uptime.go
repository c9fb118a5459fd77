package checkct

import (
	"fmt"
	"strconv"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/status"
)

// uptime reports how long the container has run, and warns after a
// recent restart with --restart-warning.
func (a *app) uptime(n node.Node, pr *check.Progress, c *ct) *part {
	p := &part{}
	st, err := n.VEStat(pr)
	unknown := status.OK // uptime is informational unless asked for
	if a.f.RestartWarning > 0 {
		unknown = status.Unknown
	}
	if err != nil {
		p.set(unknown, "uptime unknown", fmt.Sprintf("[%s] uptime: unknown (%s)", unknown, err))
		return p
	}
	v, ok := st[c.id]
	if !ok {
		p.set(unknown, "uptime unknown", fmt.Sprintf("[%s] uptime: %s has no line for it", unknown, n.Path("proc/vz/vestat")))
		return p
	}
	secs, ok := v.UptimeSeconds()
	if !ok {
		p.set(unknown, "uptime unknown", fmt.Sprintf("[%s] uptime: this kernel's vestat units are not certain (2.6.18 counts CPU cycles)", unknown))
		return p
	}
	up := time.Duration(secs * float64(time.Second))
	p.perf = append(p.perf, check.Perf{Label: "uptime", Value: strconv.FormatInt(int64(secs), 10), UOM: "s", Min: "0"})
	if a.f.RestartWarning > 0 && up < a.f.RestartWarning.D() {
		ago := report.Duration(up, 2)
		p.set(status.Warning, "restarted "+ago+" ago", "[WARNING] uptime: restarted "+ago+" ago (less than --restart-warning "+report.Duration(a.f.RestartWarning.D(), 0)+")")
		return p
	}
	p.set(status.OK, "", "[OK] uptime: "+report.Duration(up, 2))
	return p
}
