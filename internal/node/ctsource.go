package node

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/vzmon/vzmon/internal/ctid"
	"github.com/vzmon/vzmon/internal/hint"
	"github.com/vzmon/vzmon/internal/vzproc"
)

// Per-container kernel sources (docs/formats.md §5.4a): each is cheap and
// independent of how many processes the node runs, where scanning /proc
// is not. Every one is optional; callers fall back in order.

// Cgroups are the cgroup hierarchies that hold per-container files, as
// proc/self/mounts places them (libvzctl's get_mount_path does the same),
// relative to the root; "" where a hierarchy is not mounted.
type Cgroups struct {
	CPU       string // cpu,cpuacct (Virtuozzo 7 and later): <CPU>/machine.slice/<CTID>/cpu.proc.loadavg
	VE        string // ve (Virtuozzo 7 and later): <VE>/<CTID>/ve.state, ve.clock_bootbased, cgroup.procs
	Fairsched string // OpenVZ 6, mounted by vzctl's init script: <Fairsched>/<veid>/cgroup.procs
	// Err says why the mount table could not be read; the hierarchies
	// are then where the distributions mount them.
	Err error
}

// MountsRel is the mount table, relative to the root.
const MountsRel = "proc/self/mounts"

// machineSlice is where libvzctl puts containers in the cpu hierarchy by
// default.
const machineSlice = "machine.slice"

// Cgroups reads proc/self/mounts for the per-container hierarchies.
func (n Node) Cgroups(t Tracer) Cgroups {
	ms, err := readSource(n, t, MountsRel, vzproc.ParseMounts)
	if err == nil && len(ms) == 0 {
		err = &hint.Error{Msg: n.Path(MountsRel) + " is empty (a host has / mounted at least)"}
	}
	if err != nil {
		// Where the distributions mount them, if there.
		c := Cgroups{Err: err}
		for dst, rel := range map[*string]string{&c.CPU: "sys/fs/cgroup/cpu,cpuacct", &c.VE: "sys/fs/cgroup/ve", &c.Fairsched: "proc/vz/fairsched"} {
			if fi, err := os.Stat(n.Path(rel)); err == nil && fi.IsDir() {
				*dst = rel
			}
		}
		return c
	}
	var c Cgroups
	for _, m := range []struct {
		dst  *string
		opts []string
	}{{&c.CPU, []string{"cpu", "cpuacct"}}, {&c.VE, []string{"ve"}}, {&c.Fairsched, []string{"name=fairsched"}}} {
		if p, ok := vzproc.CgroupMount(ms, m.opts...); ok {
			*m.dst = mountRel(p)
		}
	}
	// OpenVZ 6's fairsched hierarchy carries the cpu and cpuacct
	// controllers too, but no machine.slice: it is not Virtuozzo 7's.
	if c.CPU == c.Fairsched {
		c.CPU = ""
	}
	return c
}

// mountRel turns a mount point into a path below the root; "" for one that
// is not a plain absolute path (the kernel writes clean ones).
func mountRel(p string) string {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p || p == "/" {
		return ""
	}
	return p[1:]
}

// ctDir joins a hierarchy and a container ID, refusing an ID that could
// leave the hierarchy (IDs come from configs and the command line).
func ctDir(hierarchy, id string, sub ...string) (string, error) {
	if hierarchy == "" {
		return "", errNotMounted
	}
	if !ctid.Valid(id) {
		return "", &hint.Error{Msg: fmt.Sprintf("invalid container ID %q", id)}
	}
	return path.Join(append([]string{hierarchy}, append(sub, id)...)...), nil
}

// errNotMounted: the hierarchy a source lives in is not mounted.
var errNotMounted = errors.New("cgroup hierarchy not mounted")

// NotMounted reports whether err says a source's hierarchy is not mounted.
func NotMounted(err error) bool { return errors.Is(err, errNotMounted) }

// LoadAvg reads the container's 1, 5 and 15-minute load averages from the
// cpu hierarchy (Virtuozzo 7): what the container sees in its own
// /proc/loadavg. vzproc.ErrEmpty: the container is stopped.
func (n Node) LoadAvg(t Tracer, c Cgroups, id string) (loads [3]vzproc.Load, rel string, err error) {
	dir, err := ctDir(c.CPU, id, machineSlice)
	if err != nil {
		return loads, "", err
	}
	rel = dir + "/cpu.proc.loadavg"
	loads, err = readSource(n, t, rel, vzproc.ParseLoadAvg)
	return loads, rel, err
}

// VEState reads ve.state: RUNNING, STOPPED, STOPPING or STARTING.
func (n Node) VEState(t Tracer, c Cgroups, id string) (string, error) {
	dir, err := ctDir(c.VE, id)
	if err != nil {
		return "", err
	}
	return readSource(n, t, dir+"/ve.state", vzproc.ParseVEState)
}

// VEUptime reads ve.clock_bootbased: how long the container has run.
func (n Node) VEUptime(t Tracer, c Cgroups, id string) (time.Duration, string, error) {
	dir, err := ctDir(c.VE, id)
	if err != nil {
		return 0, "", err
	}
	rel := dir + "/ve.clock_bootbased"
	d, err := readSource(n, t, rel, vzproc.ParseClockBootbased)
	return d, rel, err
}

// VEID reads ve.veid: the container's numeric ID, which the vzctl ioctls
// take.
func (n Node) VEID(t Tracer, c Cgroups, id string) (uint32, error) {
	dir, err := ctDir(c.VE, id)
	if err != nil {
		return 0, err
	}
	return readSource(n, t, dir+"/ve.veid", vzproc.ParseVEID)
}

// Procs lists the container's processes (thread-group IDs) from its
// cgroup: the ve hierarchy's <CTID>/cgroup.procs on Virtuozzo 7, else the
// fairsched hierarchy's <veid>/cgroup.procs on OpenVZ 6. The list is
// complete: neither hierarchy nests below a container. rel names the file
// read.
//
// cgroup.procs rather than the tasks file beside it: /proc lists only
// thread-group leaders, and reading each process once with its threads
// below proc/<pid>/task counts the same threads as tasks lists.
func (n Node) Procs(t Tracer, c Cgroups, id, veid string) (pids []int, rel string, err error) {
	dir, err := ctDir(c.VE, id)
	if err != nil && NotMounted(err) && veid != "" {
		dir, err = ctDir(c.Fairsched, veid)
	}
	if err != nil {
		return nil, "", err
	}
	rel = dir + "/cgroup.procs"
	pids, err = readSource(n, t, rel, vzproc.ParsePIDList)
	return pids, rel, err
}

// CPUProcStat reads the fairsched hierarchy's <veid>/cpu.proc.stat
// (OpenVZ 6): the container's runnable and I/O-blocked threads now, in
// one small file.
func (n Node) CPUProcStat(t Tracer, c Cgroups, veid string) (vzproc.ProcStat, error) {
	dir, err := ctDir(c.Fairsched, veid)
	if err != nil {
		return vzproc.ProcStat{}, err
	}
	return readSource(n, t, dir+"/cpu.proc.stat", vzproc.ParseCPUProcStat)
}

// readSource is readParsed for a per-container source: opened without
// blocking and refused unless a regular file (kernel and cgroup files
// are), so a planted FIFO costs a fallback, not the whole run.
func readSource[T any](n Node, t Tracer, rel string, parse func(io.Reader, string) (T, error)) (T, error) {
	f, err := n.openRegular(t, rel)
	return parseFile(n, f, err, rel, parse)
}

// openRegular opens rel without following a final symlink or blocking,
// and only if it is a regular file.
func (n Node) openRegular(t Tracer, rel string) (*os.File, error) {
	t.Stage("reading %s", n.Path(rel))
	p := n.Path(rel)
	fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, n.fileError(rel, &os.PathError{Op: "open", Path: p, Err: err})
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, n.fileError(rel, &os.PathError{Op: "stat", Path: p, Err: err})
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, &hint.Error{Msg: fmt.Sprintf("%s is not a regular file (kernel and cgroup files are)", p)}
	}
	return os.NewFile(uintptr(fd), p), nil
}
