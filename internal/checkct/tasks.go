package checkct

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/vzproc"
)

// envIDs are the values its tasks may carry in envID: of
// /proc/<pid>/status: its ID (OpenVZ 6 prints the numeric veid, Virtuozzo
// 7 the CTID, a UUID for UUID-named containers), the numeric VEID= of its
// config and --envid, for kernels that print a legacy number.
func (a *app) envIDs(c *ct) []string {
	ids := []string{c.id}
	for _, id := range []string{c.cfg["VEID"], a.f.EnvID} {
		if isNumeric(id) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func isNumeric(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// scan reads the container's tasks once, for the tasks and processes parts;
// finding none is an error, not an idle container.
func (a *app) scan(ctx context.Context, n node.Node, pr *check.Progress, c *ct) (*node.Tasks, error) {
	ids := a.envIDs(c)
	tasks, err := n.ScanTasks(ctx, pr, ids)
	if err != nil {
		return nil, err
	}
	if tasks.Scanned > 0 && tasks.NoEnvID == tasks.Scanned {
		return nil, fmt.Errorf("no /proc/<pid>/status under %s has an envID line: not an OpenVZ kernel", n.Path("proc"))
	}
	// A running container has at least its init: none found means its
	// tasks carry an envID not tried, not that it is idle.
	if tasks.Processes == 0 {
		return nil, fmt.Errorf("no process under %s has envID %s, though %s runs; if this kernel shows another ID there, give it with --envid", n.Path("proc"), strings.Join(ids, " or "), c.label)
	}
	return tasks, nil
}

// load judges runnable + uninterruptible tasks: the container's
// instantaneous load, which the host can count even when the container is
// too sick to report it.
func (a *app) load(n node.Node, pr *check.Progress, c *ct, tasks *node.Tasks, err error) *part {
	p := &part{}
	if err != nil {
		p.set(status.Unknown, "tasks unknown", "[UNKNOWN] tasks: "+err.Error())
		return p
	}
	cpus := 0
	if v, err := strconv.Atoi(c.cfg["CPUS"]); err == nil && v > 0 {
		cpus = v
	}
	if cpus == 0 {
		cpus = max(1, n.HostCPUs(pr))
	}
	warn, crit := a.f.LoadWarning, a.f.LoadCritical
	if warn == nil {
		warn = threshold.MustParse(strconv.Itoa(2 * cpus))
	}
	if crit == nil {
		crit = threshold.MustParse(strconv.Itoa(5 * cpus))
	}
	r, d := tasks.ByState['R'], tasks.ByState['D']
	load := uint64(r + d)
	detail := fmt.Sprintf("%d runnable/blocked (R %d, D %d, S %d, Z %d) of %d threads in %d processes; %d CPUs", load, r, d, tasks.ByState['S'], tasks.ByState['Z'], tasks.Threads, tasks.Processes, cpus)
	st := threshold.Pair{Warn: warn, Crit: crit}.Judge(load)
	dst := threshold.Pair{Warn: a.f.DstateWarning, Crit: a.f.DstateCritical}.Judge(uint64(d))
	switch {
	case st != status.OK:
		p.set(st, fmt.Sprintf("%d runnable/blocked tasks", load), fmt.Sprintf("[%s] tasks: %s", st, detail))
	default:
		p.set(status.OK, "", "[OK] tasks: "+detail)
	}
	if dst != status.OK {
		p.state = status.Worse(p.state, dst)
		p.short = joinShort(p.short, fmt.Sprintf("%d tasks in D state", d))
		p.add(dst, fmt.Sprintf("[%s] tasks: %d uninterruptible (D): blocked on storage or the kernel", dst, d))
	}
	p.perf = append(p.perf,
		check.Perf{Label: "load", Value: strconv.FormatUint(load, 10), Warn: warn.String(), Crit: crit.String(), Min: "0"},
		check.Perf{Label: "tasks_blocked", Value: strconv.Itoa(d), Warn: a.f.DstateWarning.Text(), Crit: a.f.DstateCritical.Text(), Min: "0"},
	)
	// The breakdown is detail: under NRPE 2's budget a problem's lines
	// matter more than graphs of sleeping threads.
	p.detail = append(p.detail,
		check.Perf{Label: "tasks_total", Value: strconv.Itoa(tasks.Threads), Min: "0"},
		check.Perf{Label: "processes", Value: strconv.Itoa(tasks.Processes), Min: "0"},
		check.Perf{Label: "tasks_running", Value: strconv.Itoa(r), Min: "0"},
		check.Perf{Label: "tasks_sleeping", Value: strconv.Itoa(tasks.ByState['S']), Min: "0"},
		check.Perf{Label: "tasks_zombie", Value: strconv.Itoa(tasks.ByState['Z']), Min: "0"},
	)
	return p
}

// processes judges the counts of the --process names.
func (a *app) processes(tasks *node.Tasks, err error) *part {
	if len(a.f.Process) == 0 {
		return nil
	}
	p := &part{state: status.OK}
	if err != nil {
		p.set(status.Unknown, "processes unknown", "[UNKNOWN] processes: "+err.Error())
		return p
	}
	var bad, good []string
	for _, spec := range a.f.Process {
		req, _ := parseProcess(spec) // validated
		n := tasks.ByName[vzproc.Comm(req.name)]
		name := text.Clean(req.name, 64)
		switch {
		case n == 0 && req.min > 0:
			bad = append(bad, name+" missing")
		case n < req.min:
			bad = append(bad, fmt.Sprintf("%s %d < %d", name, n, req.min))
		case req.max >= 0 && n > req.max:
			bad = append(bad, fmt.Sprintf("%s %d > %d", name, n, req.max))
		default:
			good = append(good, fmt.Sprintf("%s %d", name, n))
		}
	}
	if len(bad) > 0 {
		p.set(status.Critical, strings.Join(bad, ", "), "[CRITICAL] processes: "+strings.Join(append(bad, good...), ", "))
	} else {
		p.set(status.OK, "", "[OK] processes: "+strings.Join(good, ", "))
	}
	return p
}
