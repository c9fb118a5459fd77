package checkct

import (
	"fmt"
	"strconv"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/vzproc"
)

// windows name the load averages, as check_load does.
var windows = [3]string{"load1", "load5", "load15"}

// cpus is the container's CPU count: CPUS= of its config, else the
// host's, read once a run (--all asks for each container's).
func (k *kernel) cpus(c *ct) int {
	if v, err := strconv.Atoi(c.cfg["CPUS"]); err == nil && v > 0 {
		return v
	}
	if k.hostCPUs == 0 {
		k.hostCPUs = max(1, k.n.HostCPUs(k.pr))
	}
	return k.hostCPUs
}

// loadRanges are --load-warning and --load-critical, or their defaults:
// 2 and 5 times the CPUs, for every window.
func (a *app) loadRanges(cpus int) (warn, crit threshold.Triple) {
	warn, crit = a.f.LoadWarning, a.f.LoadCritical
	if warn[0] == nil {
		warn, _ = threshold.ParseTriple(strconv.Itoa(2 * cpus))
	}
	if crit[0] == nil {
		crit, _ = threshold.ParseTriple(strconv.Itoa(5 * cpus))
	}
	return warn, crit
}

// load judges the container's load: the kernel's 1, 5 and 15-minute
// averages where a source has them (what the container itself sees), like
// check_load; else the runnable + uninterruptible threads counted now,
// which the host can count even when the container is too sick to report.
func (a *app) load(k *kernel, c *ct, lf loadFigure, tf taskFigure) *part {
	p := &part{}
	ncpu := k.cpus(c)
	warn, crit := a.loadRanges(ncpu)
	if lf.ok {
		st := judgeLoad(lf.avg, warn, crit)
		for i, v := range lf.avg {
			p.perf = append(p.perf, check.Perf{Label: windows[i], Value: v.String(), Warn: warn[i].Text(), Crit: crit[i].Text(), Min: "0"})
		}
		avgs := loadText(lf.avg)
		line := fmt.Sprintf("[%s] load: %s (1, 5, 15 min; %d CPUs), from %s", st, avgs, ncpu, lf.source)
		short := ""
		if st != status.OK {
			short = "load " + avgs
		}
		p.set(st, short, line)
		return p
	}
	if tf.err != nil {
		p.set(status.Unknown, "load unknown", "[UNKNOWN] load: "+tf.err.Error())
		return p
	}
	r, d := tf.tasks.ByState['R'], tf.tasks.ByState['D']
	now := uint64(r + d)
	st := threshold.Pair{Warn: warn[0], Crit: crit[0]}.Judge(now)
	line := fmt.Sprintf("[%s] load: %d runnable/blocked threads now (R %d, D %d; %d CPUs; %s)", st, now, r, d, ncpu, noAverage(lf.why))
	short := ""
	if st != status.OK {
		short = fmt.Sprintf("%d runnable/blocked tasks", now)
	}
	p.set(st, short, line)
	p.perf = append(p.perf, check.Perf{Label: "load", Value: strconv.FormatUint(now, 10), Warn: warn[0].Text(), Crit: crit[0].Text(), Min: "0"})
	return p
}

// judgeLoad is the worst state of the three averages, each against its
// window's ranges.
func judgeLoad(avg [3]vzproc.Load, warn, crit threshold.Triple) status.Status {
	st := status.OK
	for i, v := range avg {
		st = status.Worse(st, threshold.Pair{Warn: warn[i], Crit: crit[i]}.JudgeRatio(uint64(v), 100))
	}
	return st
}

// loadText is the three averages as check_load prints them.
func loadText(avg [3]vzproc.Load) string {
	return avg[0].String() + ", " + avg[1].String() + ", " + avg[2].String()
}

// noAverage says that no kernel load average was found, and why when
// something can be done about it.
func noAverage(why string) string {
	if why == "" {
		return "no kernel load average here"
	}
	return "no kernel load average: " + why
}
