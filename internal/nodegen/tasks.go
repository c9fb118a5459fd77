package nodegen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Task is one process as the host's /proc/<pid>/status shows it.
type Task struct {
	Pid   int
	Name  string
	State byte   // R, S, D, Z, T
	EnvID string // numeric container ID, "0" for the host
	VPid  int    // pid inside the container
}

var stateNames = map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'D': "D (disk sleep)", 'Z': "Z (zombie)", 'T': "T (stopped)"}

// statusFile renders a task's /proc/<pid>/status with the fields and order
// of the RHEL6 OpenVZ kernel (fs/proc/array.c: envID, VPid, StopState come
// after Groups).
func statusFile(t Task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t1\nTracerPid:\t0\n", t.Name, stateNames[t.State], t.Pid, t.Pid)
	b.WriteString("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nUtrace:\t0\nFDSize:\t64\nGroups:\t\n")
	fmt.Fprintf(&b, "envID:\t%s\nVPid:\t%d\nStopState:\t0\n", t.EnvID, t.VPid)
	b.WriteString("VmPeak:\t   65412 kB\nVmSize:\t   65408 kB\nVmLck:\t       0 kB\nVmHWM:\t    5632 kB\nVmRSS:\t    5632 kB\n")
	b.WriteString("VmData:\t    1464 kB\nVmStk:\t      88 kB\nVmExe:\t     584 kB\nVmLib:\t    5912 kB\nVmPTE:\t     136 kB\nVmSwap:\t       0 kB\n")
	b.WriteString("Threads:\t1\nSigQ:\t0/15567\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n")
	b.WriteString("SigIgn:\t0000000000001000\nSigCgt:\t00000001800044eb\nCapInh:\t0000000000000000\nCapPrm:\tffffffffffffffff\n")
	b.WriteString("CapEff:\tfffffffffffffeff\nCapBnd:\tffffffffffffffff\nCpus_allowed:\tff\nCpus_allowed_list:\t0-7\n")
	b.WriteString("Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t1234\nnonvoluntary_ctxt_switches:\t56\n")
	return b.String()
}

// hostCPUs is the fake node's CPU count (proc/stat).
const hostCPUs = 8

func procStat() string {
	var b strings.Builder
	b.WriteString("cpu  4705 356 584 3699176 23060 0 277 0 0 0\n")
	for i := 0; i < hostCPUs; i++ {
		fmt.Fprintf(&b, "cpu%d 588 44 73 462397 2882 0 34 0 0 0\n", i)
	}
	b.WriteString("intr 1462898 0 0\nctxt 2227642\nbtime 1764000000\nprocesses 26441\nprocs_running 3\nprocs_blocked 0\n")
	return b.String()
}

// veinfoFile renders /proc/vz/veinfo (formats doc §5.1): every running
// environment with CT 0, "%10s %5u %5u" and the IPs.
func veinfoFile(n *Node) string {
	count := map[string]int{}
	for _, t := range n.Tasks {
		count[t.EnvID]++
	}
	var b strings.Builder
	for _, c := range n.Cts {
		env := c.EnvID
		if env == "" {
			env = c.ID
		}
		fmt.Fprintf(&b, "%10s %5d %5d", c.ID, 0, count[env])
		for _, ip := range c.IPs {
			fmt.Fprintf(&b, " %15s", ip)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// vzquotaFile renders /proc/vz/vzquota for the simfs containers
// (formats doc §5.3): ploop containers have no entry.
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

// taskFiles renders every task's proc/<pid>/status.
func taskFiles(n *Node, out map[string]string) {
	for _, t := range n.Tasks {
		out["proc/"+strconv.Itoa(t.Pid)+"/status"] = statusFile(t)
	}
}

// taskBuilder hands out host pids and container vpids.
type taskBuilder struct {
	next  int
	vpids map[string]int
	tasks []Task
}

func newTasks() *taskBuilder { return &taskBuilder{next: 1, vpids: map[string]int{}} }

// add appends count tasks of a name and state in envID.
func (b *taskBuilder) add(envID, name string, state byte, count int) *taskBuilder {
	for i := 0; i < count; i++ {
		b.vpids[envID]++
		vpid := b.vpids[envID]
		if envID == "0" {
			vpid = b.next
		}
		b.tasks = append(b.tasks, Task{Pid: b.next, Name: name, State: state, EnvID: envID, VPid: vpid})
		b.next++
	}
	return b
}

// host adds the host's own processes and kernel threads.
func (b *taskBuilder) host() *taskBuilder {
	b.add("0", "init", 'S', 1).add("0", "kthreadd", 'S', 1).add("0", "ksoftirqd/0", 'S', 1).add("0", "migration/0", 'S', 1)
	b.add("0", "kworker/0:1", 'S', 6).add("0", "jbd2/sda1-8", 'S', 1).add("0", "udevd", 'S', 1).add("0", "rsyslogd", 'S', 1)
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
