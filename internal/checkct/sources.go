package checkct

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/node"
	"github.com/vzmon/vzmon/internal/privilege"
	"github.com/vzmon/vzmon/internal/vzctl"
	"github.com/vzmon/vzmon/internal/vzproc"
)

// kernel finds each figure in the cheapest source the node offers
// (docs/formats.md §5.4a), in order, and says where it came from: the
// containers' cgroup files (Virtuozzo 7 and later; OpenVZ 6 with the
// fairsched hierarchy mounted), then the vzctl ioctl (root only), then
// what the older files and the /proc scan give.
type kernel struct {
	n  node.Node
	pr *check.Progress
	cg node.Cgroups
	// device is /dev/vzctl, opened on first use; devErr why it is not.
	device  vzctl.Device
	devErr  error
	devDone bool
	open    func(string) (vzctl.Device, error)
	euid    int
	stats   map[uint32]cpuStat
	// hostCPUs is the host's CPU count, once read (0: not yet).
	hostCPUs int
}

type cpuStat struct {
	s   vzctl.CPUStat
	err error
}

// DevicePath is the vzctl control device, relative to the root.
const DevicePath = "dev/vzctl"

func (a *app) kernel(n node.Node, pr *check.Progress) *kernel {
	k := &kernel{n: n, pr: pr, open: a.openDevice, euid: a.euid, stats: map[uint32]cpuStat{}}
	if k.open == nil {
		k.open = func(p string) (vzctl.Device, error) { return vzctl.Open(p) }
	}
	k.cg = n.Cgroups(pr)
	return k
}

// errNeedsRoot: the vzctl device is root-only (mode 0600 from vzctl's udev
// rule) and the same descriptor takes commands that change containers, so
// the plugin uses it only as root (sudo), never through file capabilities
// or a loosened mode.
var errNeedsRoot = errors.New("needs root")

// cpuStat asks the kernel for a container's CPU statistics and load
// average through /dev/vzctl, once per container and run.
func (k *kernel) cpuStat(veid uint32) (vzctl.CPUStat, error) {
	if !k.devDone {
		k.devDone = true
		p := k.n.Path(DevicePath)
		if k.euid != 0 {
			k.devErr = errNeedsRoot
			if _, err := os.Lstat(p); err != nil {
				k.devErr = err // no device: nothing root could ask either
			}
		} else {
			k.pr.Stage("opening %s", p)
			k.device, k.devErr = k.open(p)
		}
	}
	if k.devErr != nil {
		return vzctl.CPUStat{}, k.devErr
	}
	if c, ok := k.stats[veid]; ok {
		return c.s, c.err
	}
	k.pr.Stage("asking %s for the CPU statistics of veid %d", k.n.Path(DevicePath), veid)
	s, err := k.device.CPUStat(veid)
	k.stats[veid] = cpuStat{s, err}
	return s, err
}

// veid is the container's numeric ID, which the ioctl takes: a numeric
// CTID is its own (OpenVZ 6, and Virtuozzo 7 containers created with
// one); a UUID-named one's is in ve.veid or the config's VEID=.
func (k *kernel) veid(c *ct) (uint32, bool) {
	if !c.veidDone {
		c.veidDone = true
		for _, s := range []string{c.id, c.cfg["VEID"]} {
			if v, err := strconv.ParseUint(s, 10, 32); err == nil && v > 0 {
				c.veid = uint32(v)
				return c.veid, true
			}
		}
		if v, err := k.n.VEID(k.pr, k.cg, c.id); err == nil {
			c.veid = v
		}
	}
	return c.veid, c.veid > 0
}

// loadFigure is a container's 1, 5 and 15-minute load averages and where
// they came from; ok false when no kernel source gave them, and why not.
type loadFigure struct {
	avg    [3]vzproc.Load
	ok     bool
	source string // the file
	kind   string // the kind of source, for a line about many containers
	why    string
}

// loadAvg reads the load averages the container itself sees: its cpu
// cgroup's cpu.proc.loadavg, else the vzctl ioctl.
func (k *kernel) loadAvg(c *ct) loadFigure {
	var whys []string
	if avg, rel, err := k.n.LoadAvg(k.pr, k.cg, c.id); err == nil {
		return loadFigure{avg: avg, ok: true, source: k.n.Path(rel), kind: "each one's cpu.proc.loadavg in " + k.n.Path(k.cg.CPU)}
	} else if !node.NotMounted(err) && (k.cg.Err != nil || !node.IsNotExist(err)) {
		// A missing file says nothing on a kernel without one, unless the
		// mount table was not there to tell.
		whys = append(whys, err.Error())
	}
	if k.cg.Err != nil {
		whys = append(whys, k.cg.Err.Error())
	}
	veid, ok := k.veid(c)
	if !ok {
		return loadFigure{why: joinWhy(append(whys, "no numeric veid for "+c.label+" to ask /dev/vzctl with"))}
	}
	s, err := k.cpuStat(veid)
	if err != nil {
		return loadFigure{why: joinWhy(append(whys, k.deviceWhy(err)))}
	}
	src := k.n.Path(DevicePath) + " (VZCTL_GET_CPU_STAT)"
	return loadFigure{avg: s.Load, ok: true, source: src, kind: src}
}

// deviceWhy words why the ioctl gave nothing, for the long output.
func (k *kernel) deviceWhy(err error) string {
	switch {
	case errors.Is(err, errNeedsRoot):
		if elevated, how := privilege.Elevated(); elevated {
			return "load average needs root (not asked through " + how + ")"
		}
		return "load average needs root (" + k.n.Path(DevicePath) + " is root-only: run through sudo)"
	case errors.Is(err, fs.ErrNotExist):
		return "" // nothing to do about it: not worth a word
	}
	return err.Error()
}

func joinWhy(whys []string) string {
	s := ""
	for _, w := range whys {
		if w != "" {
			s = joinShort(s, w)
		}
	}
	return s
}

// uptimeFigure is how long the container has run and where that came
// from.
type uptimeFigure struct {
	d      time.Duration
	ok     bool
	source string
	err    error // the last source's failure
}

// uptime reads ve.clock_bootbased (Virtuozzo 7), else the ioctl's
// uptime_clk (as root), else /proc/vz/vestat.
func (k *kernel) uptime(c *ct) uptimeFigure {
	d, rel, veErr := k.n.VEUptime(k.pr, k.cg, c.id)
	if veErr == nil {
		return uptimeFigure{d: d, ok: true, source: k.n.Path(rel)}
	}
	if veid, ok := k.veid(c); ok {
		if s, err := k.cpuStat(veid); err == nil {
			if d, ok := s.Uptime(); ok {
				return uptimeFigure{d: d, ok: true, source: k.n.Path(DevicePath) + " (VZCTL_GET_CPU_STAT)"}
			}
		}
	}
	st, err := k.n.VEStat(k.pr)
	if err != nil {
		if !node.NotMounted(veErr) && !node.IsNotExist(veErr) {
			err = fmt.Errorf("%w; %w", veErr, err) // both sources failed: name both
		}
		return uptimeFigure{err: err}
	}
	v, ok := st[c.id]
	if !ok {
		return uptimeFigure{err: fmt.Errorf("%s has no line for it", k.n.Path("proc/vz/vestat"))}
	}
	secs, ok := v.UptimeSeconds()
	if !ok {
		return uptimeFigure{err: errors.New("this kernel's vestat units are not certain (2.6.18 counts CPU cycles)")}
	}
	return uptimeFigure{d: time.Duration(secs * float64(time.Second)), ok: true, source: k.n.Path("proc/vz/vestat")}
}

// runnableNow reads the container's runnable and I/O-waiting threads from
// OpenVZ 6's fairsched cpu.proc.stat: one small file, where counting them
// takes a task list or the /proc scan. procs_blocked counts threads in I/O
// wait, most but not all of the uninterruptible ones the load counts.
func (k *kernel) runnableNow(c *ct) runnable {
	veid, ok := k.veid(c)
	if !ok {
		return runnable{err: errNoVEID}
	}
	st, err := k.n.CPUProcStat(k.pr, k.cg, strconv.FormatUint(uint64(veid), 10))
	if err != nil {
		return runnable{err: err}
	}
	return runnable{r: st.Running, d: st.Blocked, source: "each one's cpu.proc.stat in " + k.n.Path(k.cg.Fairsched), ioWait: true}
}

var errNoVEID = errors.New("no numeric veid")
