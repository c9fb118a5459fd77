package nodegen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/vzproc"
)

// Task is one process as the host's /proc shows it: its thread-group
// leader (Pid, State: /proc/<pid>/status) and its further threads, which
// only /proc/<pid>/task/<tid>/ shows.
type Task struct {
	Pid   int
	Name  string // as started; the files show its first 15 bytes, as the kernel keeps
	State byte   // R, S, D, Z, T
	// EnvID is what the kernel prints in envID: the container's ID (OpenVZ
	// 6: its numeric veid; VZ7: its CTID), "0" for the host.
	EnvID   string
	VPid    int // pid inside the container
	Threads []Thread
	// KThread marks a host kernel thread: OpenVZ 6 leaves those in the
	// fairsched root, outside the host's node "0".
	KThread bool
}

// Thread is one thread of a process besides its leader.
type Thread struct {
	Tid   int
	State byte
}

var stateNames = map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'D': "D (disk sleep)", 'Z': "Z (zombie)", 'T': "T (stopped)"}

// statusFile renders a process's /proc/<pid>/status (its leader's) with
// the fields and order of the RHEL6 OpenVZ kernel (fs/proc/array.c: envID,
// VPid, StopState come after Groups); VZ7 and VHS 9 print no StopState.
func statusFile(k Kernel, t Task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t1\nTracerPid:\t0\n", vzproc.Comm(t.Name), stateNames[t.State], t.Pid, t.Pid)
	b.WriteString("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUtrace:\t0\nFDSize:\t64\nGroups:\t\n")
	fmt.Fprintf(&b, "envID:\t%s\nVPid:\t%d\n", t.EnvID, t.VPid)
	if !k.namedIDs() {
		b.WriteString("StopState:\t0\n")
	}
	b.WriteString("VmPeak:\t   65412 kB\nVmSize:\t   65408 kB\nVmLck:\t       0 kB\nVmHWM:\t    5632 kB\nVmRSS:\t    5632 kB\n")
	b.WriteString("VmData:\t    1464 kB\nVmStk:\t      88 kB\nVmExe:\t     584 kB\nVmLib:\t    5912 kB\nVmPTE:\t     136 kB\nVmSwap:\t       0 kB\n")
	fmt.Fprintf(&b, "Threads:\t%d\nSigQ:\t0/15567\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n", 1+len(t.Threads))
	b.WriteString("SigIgn:\t0000000000001000\nSigCgt:\t00000001800044eb\nCapInh:\t0000000000000000\nCapPrm:\tffffffffffffffff\n")
	b.WriteString("CapEff:\tfffffffffffffeff\nCapBnd:\tffffffffffffffff\nCpus_allowed:\tff\nCpus_allowed_list:\t0-7\n")
	b.WriteString("Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t1234\nnonvoluntary_ctxt_switches:\t56\n")
	return b.String()
}

// statFile renders /proc/<pid>/task/<tid>/stat in the 44 fields of 2.6.32
// (do_task_stat): the state follows the command name in parentheses.
func statFile(t Task, tid int, state byte) string {
	return fmt.Sprintf("%d (%s) %c 1 %d %d 0 -1 4202752 1520 0 3 0 12 5 0 0 20 0 %d 0 4567 66977792 1408 18446744073709551615 4194304 4792516 140736927863168 0 0 0 0 4096 1260 18446744071579755581 0 0 17 0 0 0 0 0 0\n",
		tid, vzproc.Comm(t.Name), state, t.Pid, t.Pid, 1+len(t.Threads))
}

// hostCPUs is the fake node's CPU count (proc/stat).
const hostCPUs = 8

// hostBtime is the fake node's boot time (proc/stat btime).
const hostBtime = 1764000000

func procStat() string {
	var b strings.Builder
	b.WriteString("cpu  4705 356 584 3699176 23060 0 277 0 0 0\n")
	for i := 0; i < hostCPUs; i++ {
		fmt.Fprintf(&b, "cpu%d 588 44 73 462397 2882 0 34 0 0 0\n", i)
	}
	fmt.Fprintf(&b, "intr 1462898 0 0\nctxt 2227642\nbtime %d\nprocesses 26441\nprocs_running 3\nprocs_blocked 0\n", hostBtime)
	return b.String()
}

// veinfoFile renders /proc/vz/veinfo (docs/formats.md §5.1): every running
// environment with CT 0, "%10s %5u %5u" and the IPs.
func veinfoFile(n *Node) string {
	count := map[string]int{}
	for _, t := range n.Tasks {
		count[t.EnvID] += 1 + len(t.Threads) // veinfo counts threads
	}
	var b strings.Builder
	for _, c := range n.Cts {
		fmt.Fprintf(&b, "%10s %5d %5d", c.ID, 0, count[c.env()])
		for _, ip := range c.IPs {
			fmt.Fprintf(&b, " %15s", ip)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// vzquotaFile renders /proc/vz/vzquota for the simfs containers
// (docs/formats.md §5.3): ploop containers have no entry.
func vzquotaFile(n *Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-11s\n%-11s%15s%15s%15s%11s%11s\n", "qid: path", "", "usage", "softlimit", "hardlimit", "time", "expire")
	for _, c := range n.Cts {
		q := c.Quota
		if q == nil {
			continue
		}
		fmt.Fprintf(&b, "%s: /vz/private/%s\n", c.ID, c.ID)
		fmt.Fprintf(&b, "%11s%15d%15d%15d%11d%11d\n", "1k-blocks", q[0], q[1], q[2], 0, 0)
		fmt.Fprintf(&b, "%11s%15d%15d%15d%11d%11d\n", "inodes", q[3], q[4], q[5], 0, 0)
	}
	return b.String()
}

// taskFiles renders every process's proc/<pid>/status and, as the kernel
// lists them, one proc/<pid>/task/<tid>/ per thread, the leader's own tid
// included, with the stat the scan reads (like proc/<pid>/, it holds only
// the files the plugins read). Threads other than the leader have no
// proc/<tid> entry: /proc lists thread-group leaders only.
func taskFiles(n *Node, emit func(path, content string) error) error {
	for _, t := range n.Tasks {
		dir := "proc/" + strconv.Itoa(t.Pid)
		if err := emit(dir+"/status", statusFile(n.Kernel, t)); err != nil {
			return err
		}
		threads := append([]Thread{{Tid: t.Pid, State: t.State}}, t.Threads...)
		for _, th := range threads {
			if err := emit(dir+"/task/"+strconv.Itoa(th.Tid)+"/stat", statFile(t, th.Tid, th.State)); err != nil {
				return err
			}
		}
	}
	return nil
}

// taskBuilder hands out host pids and container vpids.
type taskBuilder struct {
	next  int
	vpids map[string]int
	tasks []Task
}

func newTasks() *taskBuilder { return &taskBuilder{next: 1, vpids: map[string]int{}} }

// tasksAfter returns a builder that numbers on after the tasks given.
func tasksAfter(tasks []Task) *taskBuilder {
	b := newTasks()
	for _, t := range tasks {
		b.tasks = append(b.tasks, t)
		b.next = max(b.next, t.Pid+1)
		// The builder numbers a process's threads right after it.
		b.vpids[t.EnvID] = max(b.vpids[t.EnvID], t.VPid+len(t.Threads))
		for _, th := range t.Threads {
			b.next = max(b.next, th.Tid+1)
		}
	}
	return b
}

// pid hands out the next host pid (tids come from the same space) and its
// number inside envID.
func (b *taskBuilder) pid(envID string) (pid, vpid int) {
	pid = b.next
	b.next++
	if envID == "0" {
		return pid, pid
	}
	b.vpids[envID]++
	return pid, b.vpids[envID]
}

// process appends one process of envID with one thread per letter of
// states, the leader's first.
func (b *taskBuilder) process(envID, name, states string) *taskBuilder {
	t := Task{Name: name, State: states[0], EnvID: envID}
	t.Pid, t.VPid = b.pid(envID)
	for i := 1; i < len(states); i++ {
		tid, _ := b.pid(envID) // a thread's vpid is in no file the plugins read
		t.Threads = append(t.Threads, Thread{Tid: tid, State: states[i]})
	}
	b.tasks = append(b.tasks, t)
	return b
}

// add appends count single-threaded processes of a name and state in envID.
func (b *taskBuilder) add(envID, name string, state byte, count int) *taskBuilder {
	for i := 0; i < count; i++ {
		b.process(envID, name, string(state))
	}
	return b
}

// kthreads appends count sleeping host kernel threads of a name.
func (b *taskBuilder) kthreads(name string, count int) *taskBuilder {
	b.add("0", name, 'S', count)
	for i := len(b.tasks) - count; i < len(b.tasks); i++ {
		b.tasks[i].KThread = true
	}
	return b
}

// host adds the host's own processes and kernel threads.
func (b *taskBuilder) host() *taskBuilder {
	b.add("0", "init", 'S', 1).kthreads("kthreadd", 1).kthreads("ksoftirqd/0", 1).kthreads("migration/0", 1)
	b.kthreads("kworker/0:1", 6).kthreads("jbd2/sda1-8", 1).add("0", "udevd", 'S', 1).add("0", "rsyslogd", 'S', 1)
	b.add("0", "sshd", 'S', 2).add("0", "crond", 'S', 1).add("0", "vzeventd", 'S', 1).add("0", "nrpe", 'S', 1)
	return b
}

// basic adds a container's usual processes.
func (b *taskBuilder) basic(envID string, extra ...string) *taskBuilder {
	b.add(envID, "init", 'S', 1).add(envID, "syslogd", 'S', 1).add(envID, "cron", 'S', 1).add(envID, "sshd", 'S', 1)
	for _, name := range extra {
		b.add(envID, name, 'S', 1)
	}
	return b
}

func (b *taskBuilder) done() []Task {
	sort.Slice(b.tasks, func(i, j int) bool { return b.tasks[i].Pid < b.tasks[j].Pid })
	return b.tasks
}
