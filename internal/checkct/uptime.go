package checkct

import (
	"fmt"
	"strconv"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/status"
)

// uptime reports how long the container has run, and warns after a
// recent restart with --restart-warning.
func (a *app) uptime(k *kernel, c *ct) *part {
	p := &part{}
	uf := k.uptime(c)
	if !uf.ok {
		unknown := status.OK // uptime is informational unless asked for
		if a.f.RestartWarning > 0 {
			unknown = status.Unknown
		}
		p.set(unknown, "uptime unknown", fmt.Sprintf("[%s] uptime: unknown (%s)", unknown, uf.err))
		return p
	}
	up := uf.d
	p.perf = append(p.perf, check.Perf{Label: "uptime", Value: strconv.FormatInt(int64(up.Seconds()), 10), UOM: "s", Min: "0"})
	if a.f.RestartWarning > 0 && up < a.f.RestartWarning.D() {
		ago := report.Duration(up, 2)
		p.set(status.Warning, "restarted "+ago+" ago", "[WARNING] uptime: restarted "+ago+" ago (less than --restart-warning "+report.Duration(a.f.RestartWarning.D(), 0)+")")
		return p
	}
	p.set(status.OK, "", "[OK] uptime: "+report.Duration(up, 2)+", from "+uf.source)
	return p
}
