package nodegen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ctTasks is a container's (or the host's) threads as the kernel's
// per-container accounting sees them.
type ctTasks struct {
	tids, tgids []int // ascending, as a cgroup's tasks and cgroup.procs print them
	running     int   // threads in R
	blocked     int   // threads in D
}

func (t *ctTasks) total() int { return len(t.tids) }

// groupTasks sorts the node's threads by envID. Host kernel threads are
// left out unless withKThreads.
func groupTasks(tasks []Task, withKThreads bool) map[string]*ctTasks {
	out := map[string]*ctTasks{}
	for _, t := range tasks {
		if t.KThread && !withKThreads {
			continue
		}
		g := out[t.EnvID]
		if g == nil {
			g = &ctTasks{}
			out[t.EnvID] = g
		}
		g.tgids = append(g.tgids, t.Pid)
		for _, th := range append([]Thread{{Tid: t.Pid, State: t.State}}, t.Threads...) {
			g.tids = append(g.tids, th.Tid)
			switch th.State {
			case 'R':
				g.running++
			case 'D':
				g.blocked++
			}
		}
	}
	for _, g := range out {
		sort.Ints(g.tids)
		sort.Ints(g.tgids)
	}
	return out
}

// of returns the group of envID, empty when it has no tasks.
func of(groups map[string]*ctTasks, envID string) *ctTasks {
	if g := groups[envID]; g != nil {
		return g
	}
	return &ctTasks{}
}

// idList renders a cgroup tasks or cgroup.procs file: one id a line.
func idList(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(strconv.Itoa(id))
		b.WriteByte('\n')
	}
	return b.String()
}

// fairschedHostID is the id OpenVZ gives the host's fairsched node
// (FAIRSCHED_HOST_NODE / fairsched_init_node: INT_MAX).
const fairschedHostID = 2147483647

// fairschedFile renders /proc/fairsched in the compat layout both OpenVZ 6
// (snajpa/openvz6-kernel kernel/fairsched.c) and 2.6.18
// (bronson/linux-2.6.18.8-ovz-xen kernel/fairsched.c) print; see
// docs/formats.md §5.4a. Nodes come oldest first, the host's first: it
// gets two lines (veid 0 id 0, then veid 0 id INT_MAX), every container
// three (veid 0 id <veid>; veid <veid> id 0 parent <veid>; veid <veid> id
// 1), each with the node's numbers. The debug columns start_tag, value and
// delay are live scheduler numbers on 2.6.18 and zeros on OpenVZ 6, and
// 2.6.18's cpus are the CPUs the node runs on now; the fake prints zeros
// and the online CPUs, as OpenVZ 6 does.
func fairschedFile(n *Node, groups map[string]*ctTasks) (string, error) {
	type fsNode struct {
		id                  uint64
		weight, tasks, runs int
	}
	hostWeight := 500 // OpenVZ 6: FSCHWEIGHT_BASE / the default 1024 shares
	if n.Kernel == RHEL5x32 {
		hostWeight = 1 // fairsched_init_node.weight
	}
	host := of(groups, "0")
	nodes := []fsNode{{fairschedHostID, hostWeight, host.total(), host.running}}
	for i := len(n.Cts) - 1; i >= 0; i-- { // n.Cts is newest first
		c := &n.Cts[i]
		if c.ID == "0" {
			continue
		}
		id, err := strconv.ParseUint(c.ID, 10, 32)
		if err != nil {
			return "", fmt.Errorf("CT %s: /proc/fairsched needs numeric IDs", c.ID)
		}
		g := of(groups, c.env())
		// vzctl's default cpuunits 1000 is weight 500 on both kernels.
		nodes = append(nodes, fsNode{id, 500, g.total(), g.running})
	}
	var b strings.Builder
	b.WriteString("Version: 2.6 debug\n")
	b.WriteString("      veid         id     parent weight  rate tasks   run cpus flg ready            start_tag                value                delay\n")
	row := func(veid, id, parent uint64, nd fsNode) {
		// rate 0 and flags ".." (no CPULIMIT), cpus = online CPUs, ready = run.
		fmt.Fprintf(&b, "%10d %10d %10d %6d %5d %5d %5d %4d  %c%c %5d %20d %20d %20d\n",
			veid, id, parent, nd.weight, 0, nd.tasks, nd.runs, hostCPUs, '.', '.', nd.runs, 0, 0, 0)
	}
	for i, nd := range nodes {
		if i == 0 {
			row(0, 0, 0, nd)
			row(0, nd.id, 0, nd)
			continue
		}
		row(0, nd.id, 0, nd)
		row(nd.id, 0, nd.id, nd)
		row(nd.id, 1, 0, nd)
	}
	return b.String(), nil
}

// cgroupProcStat renders a cpu cgroup's cpu.proc.stat, the /proc/stat a
// container sees: a total and one line per virtual CPU in USER_HZ ticks,
// "intr 0", then the group's context switches, forks and its threads in R
// (procs_running) and D (procs_blocked). Laid out as the VZ7/VHS kernels'
// cpu_cgroup_proc_stat print it; OpenVZ 6's was not read (docs/formats.md
// §5.4a).
func cgroupProcStat(g *ctTasks, cpus int, up float64) string {
	ticks := uint64(up * 100)
	n := uint64(cpus)
	u := ticks / 50 / n // user ticks of each virtual CPU; the total line is their sum
	b := &strings.Builder{}
	line := func(name string, k uint64) {
		fmt.Fprintf(b, "%s %d %d %d %d %d 0 0 0\n", name, k*u, k*(u/100), k*(u/3), k*(ticks-u-u/3), k*(u/200))
	}
	line("cpu ", n)
	for i := 0; i < cpus; i++ {
		line("cpu"+strconv.Itoa(i), 1)
	}
	fmt.Fprintf(b, "intr 0\nctxt %d\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked %d\n",
		ticks*7, hostBtime, len(g.tgids)+int(ticks/3000), g.running, g.blocked)
	return b.String()
}

// fairschedCgroup renders /proc/vz/fairsched/<veid>/ for the host's node
// "0" and every running container, as the fairsched cgroup shows them when
// vzctl's init script has mounted it: tasks, cgroup.procs, cpu.proc.stat,
// cpu.nr_cpus (CPUS=, 0 when unset). A stopped container's node is removed
// (fairsched_drop_node), so it has no directory.
func fairschedCgroup(n *Node, groups map[string]*ctTasks, advance float64, out map[string]string) {
	for _, c := range n.Cts {
		g := of(groups, c.env())
		up := HostUptime + advance
		if c.ID != "0" {
			up = c.uptime(advance)
		}
		nrCPUs, _ := strconv.Atoi(c.confValue("CPUS"))
		vcpus := nrCPUs
		if vcpus == 0 {
			vcpus = hostCPUs
		}
		dir := "proc/vz/fairsched/" + c.ID + "/"
		out[dir+"tasks"] = idList(g.tids)
		out[dir+"cgroup.procs"] = idList(g.tgids)
		out[dir+"cpu.proc.stat"] = cgroupProcStat(g, vcpus, up)
		out[dir+"cpu.nr_cpus"] = strconv.Itoa(nrCPUs) + "\n"
	}
}

// veID is the numeric ID the kernel keeps for a VZ7/VHS container
// (ve.veid): VEID= in its config, else its numeric CTID.
func veID(c *Container) (string, error) {
	if v := c.confValue("VEID"); v != "" {
		return v, nil
	}
	if _, err := strconv.ParseUint(c.ID, 10, 32); err == nil {
		return c.ID, nil
	}
	return "", fmt.Errorf("CT %s: give it VEID= in its config (ve.veid)", c.ID)
}

// vzCgroups renders, for every running container of a VZ7 or VHS 9 node,
// the cgroup files libvzctl's layout puts them in (docs/formats.md §5.4a):
// cpu,cpuacct/machine.slice/<CTID>/cpu.proc.loadavg and the ve cgroup's
// ve.state, ve.veid, ve.clock_bootbased (uptime "sec nsec", no newline),
// tasks and cgroup.procs (flat: the ve hierarchy cannot nest). libvzctl
// removes every cgroup of a container when it stops (env_nsops.c
// ns_env_stop → destroy_cgroup), so a stopped one has none. Whether VHS 9
// still offers cpu.proc.loadavg is unknown: it is rendered there too.
func vzCgroups(n *Node, groups map[string]*ctTasks, advance float64, out map[string]string) error {
	lastPid := 0 // the host namespace's last pid: the reader's
	for _, t := range n.Tasks {
		lastPid = max(lastPid, t.Pid)
		for _, th := range t.Threads {
			lastPid = max(lastPid, th.Tid)
		}
	}
	for i := range n.Cts {
		c := &n.Cts[i]
		if c.ID == "0" {
			continue
		}
		veid, err := veID(c)
		if err != nil {
			return err
		}
		g := of(groups, c.env())
		la := c.LoadAvg
		// running/total are the top cgroup's own (cgroup_task_count), which
		// the fake's flat containers make the whole container's.
		out["sys/fs/cgroup/cpu,cpuacct/machine.slice/"+c.ID+"/cpu.proc.loadavg"] = fmt.Sprintf("%d.%02d %d.%02d %d.%02d %d/%d %d\n",
			la[0]/100, la[0]%100, la[1]/100, la[1]%100, la[2]/100, la[2]%100, g.running, g.total(), lastPid)
		dir := "sys/fs/cgroup/ve/" + c.ID + "/"
		ns := uint64(c.uptime(advance) * 1e9) // the ns vestat's second uptime column shows
		out[dir+"ve.state"] = "RUNNING\n"
		out[dir+"ve.veid"] = veid + "\n"
		out[dir+"ve.clock_bootbased"] = fmt.Sprintf("%d %d", ns/1e9, ns%1e9)
		out[dir+"tasks"] = idList(g.tids)
		out[dir+"cgroup.procs"] = idList(g.tgids)
	}
	return nil
}
