package checkct

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/report"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/threshold"
)

// quota judges vzquota's disk and inode usage against the soft limit (the
// hard one where there is no soft one).
func (a *app) quota(n node.Node, pr *check.Progress, c *ct) *part {
	p := &part{}
	layout := c.cfg["VE_LAYOUT"]
	if layout == "ploop" { // no need to take vzquota's global lock
		p.set(status.OK, "", "[OK] quota: ploop (VE_LAYOUT=ploop): its quota is inside the image, not visible from the host")
		return p
	}
	quotas, err := n.VZQuota(pr)
	if err != nil && !node.IsNotExist(err) {
		p.set(status.Unknown, "quota unknown", "[UNKNOWN] quota: "+err.Error())
		return p
	}
	q, ok := quotas[c.id]
	if !ok {
		p.set(status.OK, "", "[OK] quota: "+noQuota(n, c, layout, err == nil))
		return p
	}
	p.state = status.OK
	var shorts []string
	for _, m := range []struct {
		what             string
		used, soft, hard uint64
		unit             uint64
		uom              string
	}{{"disk", q.BlocksUsed, q.BlocksSoft, q.BlocksHard, 1024, "B"}, {"inodes", q.InodesUsed, q.InodesSoft, q.InodesHard, 1, ""}} {
		basis, basisName := m.soft, "soft limit"
		if basis == 0 {
			basis, basisName = m.hard, "hard limit"
		}
		perf := check.Perf{Label: "quota_" + m.what, Value: strconv.FormatUint(m.used*m.unit, 10), UOM: m.uom, Min: "0"}
		if m.hard > 0 {
			perf.Max = strconv.FormatUint(m.hard*m.unit, 10)
		}
		if basis == 0 {
			p.add(status.OK, fmt.Sprintf("[OK] quota: %s %s used, no limit", m.what, quotaValue(m.used, m.unit)))
			p.perf = append(p.perf, perf)
			continue
		}
		pct := m.used * 1000 / basis
		st := threshold.Pair{Warn: a.f.QuotaWarning, Crit: a.f.QuotaCritical}.JudgePercent(m.used, basis)
		if a.f.QuotaWarning != nil {
			perf.Warn = a.f.QuotaWarning.PercentOf(basis * m.unit)
		}
		if a.f.QuotaCritical != nil {
			perf.Crit = a.f.QuotaCritical.PercentOf(basis * m.unit)
		}
		p.perf = append(p.perf, perf)
		phrase := fmt.Sprintf("%s %d.%d%% of %s", m.what, pct/10, pct%10, basisName)
		p.add(st, fmt.Sprintf("[%s] quota: %s (%s of %s, hard %s)", st, phrase, quotaValue(m.used, m.unit), quotaValue(basis, m.unit), quotaValue(m.hard, m.unit)))
		if st != status.OK {
			p.state = status.Worse(p.state, st)
			shorts = append(shorts, phrase)
		}
	}
	p.short = strings.Join(shorts, ", ")
	return p
}

// noQuota says what is known about a container without a vzquota entry
// (ploop is handled before): simfs without an active quota, not running,
// or no layout in its config.
func noQuota(n node.Node, c *ct, layout string, haveFile bool) string {
	where := "no entry in " + n.Path("proc/vz/vzquota")
	if !haveFile {
		where = "no " + n.Path("proc/vz/vzquota") + " on this node (vzquota module not loaded)"
	}
	switch {
	case !c.running:
		return "not running (vzquota shows a quota only while the container is mounted)"
	case layout == "simfs" && c.cfg["DISK_QUOTA"] == "no":
		return "simfs without an active quota (DISK_QUOTA=no in its config; " + where + ")"
	case layout == "simfs":
		return "simfs without an active quota (" + where + ")"
	case layout == "":
		return where + " and no VE_LAYOUT in its config (ploop, or simfs without quota)"
	}
	return where + " (VE_LAYOUT=" + text.Clean(layout, 32) + ")"
}

func quotaValue(v, unit uint64) string {
	if unit == 1 {
		return strconv.FormatUint(v, 10)
	}
	return report.Bytes(v * unit)
}
