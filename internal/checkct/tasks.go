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

// taskFigure is the container's tasks and where they were counted.
type taskFigure struct {
	tasks  *node.Tasks
	source string
	err    error
}

// tasks counts the container's tasks once, for the load, tasks and
// processes parts: only its own processes where its cgroup lists them
// (Virtuozzo 7's ve hierarchy, OpenVZ 6's fairsched one), else every
// process on the node by envID. Finding none is an error, not an idle
// container.
func (a *app) tasks(ctx context.Context, k *kernel, c *ct) taskFigure {
	ids := a.envIDs(c)
	n := k.n
	veid := "" // only the fairsched hierarchy (no ve one) names it by veid
	if k.cg.VE == "" {
		if v, ok := k.veid(c); ok {
			veid = strconv.FormatUint(uint64(v), 10)
		}
	}
	pids, rel, err := n.Procs(k.pr, k.cg, c.id, veid)
	if err == nil && len(pids) > 0 {
		tasks, terr := n.TasksOf(ctx, k.pr, pids)
		if terr != nil {
			return taskFigure{err: terr}
		}
		if tasks.Processes > 0 {
			return taskFigure{tasks: tasks, source: n.Path(rel)}
		}
		err = fmt.Errorf("none of the %d processes %s lists could be read", len(pids), n.Path(rel))
	}
	// A running container's list holds at least its init: an empty one
	// is not to be trusted either.
	why := "no cgroup lists the container's"
	switch {
	case err == nil:
		why = n.Path(rel) + " is empty"
	case !node.NotMounted(err) && !node.IsNotExist(err):
		why = err.Error()
	}
	tasks, err := n.ScanTasks(ctx, k.pr, ids)
	if err != nil {
		return taskFigure{err: err}
	}
	if tasks.Scanned > 0 && tasks.NoEnvID == tasks.Scanned {
		return taskFigure{err: fmt.Errorf("no /proc/<pid>/status under %s has an envID line: not an OpenVZ kernel", n.Path("proc"))}
	}
	// A running container has at least its init: none found means its
	// tasks carry an envID not tried, not that it is idle.
	if tasks.Processes == 0 {
		return taskFigure{err: fmt.Errorf("no process under %s has envID %s, though %s runs; if this kernel shows another ID there, give it with --envid", n.Path("proc"), strings.Join(ids, " or "), c.label)}
	}
	return taskFigure{tasks: tasks, source: n.Path("proc") + " (every process scanned: " + why + ")"}
}

// taskPart judges the container's uninterruptible (D) threads and shows
// its task breakdown.
func (a *app) taskPart(tf taskFigure) *part {
	p := &part{}
	if tf.err != nil {
		p.set(status.Unknown, "tasks unknown", "[UNKNOWN] tasks: "+tf.err.Error())
		return p
	}
	tasks := tf.tasks
	r, d := tasks.ByState['R'], tasks.ByState['D']
	p.set(status.OK, "", fmt.Sprintf("[OK] tasks: %d threads in %d processes (R %d, D %d, S %d, Z %d), from %s", tasks.Threads, tasks.Processes, r, d, tasks.ByState['S'], tasks.ByState['Z'], tf.source))
	if dst := (threshold.Pair{Warn: a.f.DstateWarning, Crit: a.f.DstateCritical}).Judge(uint64(d)); dst != status.OK {
		p.state = dst
		p.short = fmt.Sprintf("%d tasks in D state", d)
		p.add(dst, fmt.Sprintf("[%s] tasks: %d uninterruptible (D): blocked on storage or the kernel", dst, d))
	}
	p.perf = append(p.perf, check.Perf{Label: "tasks_blocked", Value: strconv.Itoa(d), Warn: a.f.DstateWarning.Text(), Crit: a.f.DstateCritical.Text(), Min: "0"})
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
func (a *app) processes(tf taskFigure) *part {
	if len(a.f.Process) == 0 {
		return nil
	}
	p := &part{state: status.OK}
	if tf.err != nil {
		p.set(status.Unknown, "processes unknown", "[UNKNOWN] processes: "+tf.err.Error())
		return p
	}
	tasks := tf.tasks
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
