package nodegen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/ubc"
)

// Node is a fake hardware node: its containers in kernel file order (newest
// first, CT 0 last) and any further files, by path relative to the root.
type Node struct {
	Kernel Kernel
	NoBC   bool // no /proc/bc (exercises the /proc/user_beancounters fallback)
	Cts    []Container
	Files  map[string]string
	// Uptime is the host's seconds since boot (proc/uptime); 0 means
	// HostUptime. Tests move it forward to let time pass on the node.
	Uptime float64
	// Tasks are the processes of the host and of the containers.
	Tasks []Task
	// MemInfo is the host's /proc/meminfo; nil for none.
	MemInfo *MemInfo
	// FairschedMounted is an OpenVZ 6 node whose vz init script mounted the
	// fairsched cgroup on /proc/vz/fairsched (per-container task lists).
	FairschedMounted bool
}

// running returns the containers that are running (not Stopped).
func (n *Node) running() []Container {
	var out []Container
	for _, c := range n.Cts {
		if !c.Stopped {
			out = append(out, c)
		}
	}
	return out
}

// Write creates the node tree under dir, which must not exist yet or be
// empty. Files are written as they are rendered: a node with 200,000
// threads does not hold its half million files in memory.
func (n *Node) Write(dir string) error {
	made := map[string]bool{}
	write := func(p, content string) error {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if parent := filepath.Dir(full); !made[parent] {
			if err := os.MkdirAll(parent, 0o755); err != nil {
				return err
			}
			made[parent] = true
		}
		if target, ok := strings.CutPrefix(content, "symlink:"); ok {
			return os.Symlink(target, full)
		}
		return os.WriteFile(full, []byte(content), 0o644)
	}
	// n.Files replace generated files of the same path.
	err := n.render(func(p, content string) error {
		if _, ok := n.Files[p]; ok {
			return nil
		}
		return write(p, content)
	})
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(n.Files))
	for p := range n.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := write(p, n.Files[p]); err != nil {
			return err
		}
	}
	return nil
}

// render passes every file of the tree to emit; symlinks as
// "symlink:<target>".
func (n *Node) render(emit func(path, content string) error) error {
	all := n.Cts
	n.Cts = n.running() // the kernel files list running containers only
	defer func() { n.Cts = all }()
	var b bytes.Buffer
	out := map[string]string{}
	if n.Kernel != VHS9 { // VHS 9 has neither file (docs/formats.md §7)
		if err := WriteUserBeancounters(&b, n.Kernel, n.Cts); err != nil {
			return err
		}
		out["proc/user_beancounters"] = b.String()
	}
	if !n.NoBC && n.Kernel != VHS9 {
		b.Reset()
		if err := WriteBCResources(&b, n.Kernel, n.Cts, false); err != nil {
			return err
		}
		out["proc/bc/resources"] = b.String()
		for i := range n.Cts {
			b.Reset()
			if err := WriteBCResources(&b, n.Kernel, n.Cts[i:i+1], true); err != nil {
				return err
			}
			out["proc/bc/"+n.Cts[i].ID+"/resources"] = b.String()
		}
	}
	if n.Kernel != RHEL5x32 {
		out["proc/vz/vswap"] = "Version: 1.0\n"
	}
	up := n.Uptime
	if up == 0 {
		up = HostUptime
	}
	b.Reset()
	if err := WriteVEStat(&b, n.Kernel, n.Cts, up-HostUptime); err != nil {
		return err
	}
	out["proc/vz/vestat"] = b.String()
	if n.MemInfo != nil {
		out["proc/meminfo"] = n.MemInfo.render()
	}
	out["proc/uptime"] = fmt.Sprintf("%.2f %.2f\n", up, up*1.7)
	out["proc/sys/kernel/random/boot_id"] = BootID + "\n"
	out["proc/stat"] = procStat()
	out["proc/vz/veinfo"] = veinfoFile(n)
	out["proc/vz/vzquota"] = vzquotaFile(n)
	out["proc/self/mounts"] = mountsFile(n)
	// 2.6.18's fairsched counts the host's kernel threads (ve0's pcounter);
	// OpenVZ 6 leaves them in the fairsched cgroup's root.
	groups := groupTasks(n.Tasks, n.Kernel == RHEL5x32)
	if n.FairschedMounted && n.Kernel != RHEL6 {
		return fmt.Errorf("only OpenVZ 6 (RHEL6) has the fairsched cgroup to mount")
	}
	switch n.Kernel {
	case RHEL6, RHEL5x32:
		fs, err := fairschedFile(n, groups)
		if err != nil {
			return err
		}
		out["proc/fairsched"] = fs
		if n.FairschedMounted {
			fairschedCgroup(n, groups, up-HostUptime, out)
		}
	case VZ7, VHS9:
		if err := vzCgroups(n, groups, up-HostUptime, out); err != nil {
			return err
		}
	}
	for _, c := range all {
		if c.Conf == nil {
			continue
		}
		var conf strings.Builder
		for _, v := range c.Conf {
			fmt.Fprintf(&conf, "%s=\"%s\"\n", v.Key, v.Value)
		}
		out["etc/vz/conf/"+c.ID+".conf"] = conf.String()
		if c.Name != "" {
			// vzctl links names to the config by absolute path; readers
			// must use only the target's base name (docs/formats.md §6).
			out["etc/vz/names/"+c.Name] = "symlink:/etc/vz/conf/" + c.ID + ".conf"
		}
	}
	paths := make([]string, 0, len(out))
	for p := range out {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := emit(p, out[p]); err != nil {
			return err
		}
	}
	return taskFiles(n, emit)
}

// MemInfo is what the host's /proc/meminfo says, in KiB. LowTotalKB is
// set on 32-bit (highmem) kernels only, which print the Low/High lines.
type MemInfo struct {
	TotalKB, FreeKB, SwapTotalKB, SwapFreeKB, LowTotalKB uint64
}

// render writes the lines of a 2.6.18/2.6.32 kernel's /proc/meminfo that
// matter here, in its order and layout ("%-16s%8lu kB"); the page cache
// lines are derived so the file reads like a real one.
func (m *MemInfo) render() string {
	var b strings.Builder
	line := func(k string, v uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", k+":", v) }
	line("MemTotal", m.TotalKB)
	line("MemFree", m.FreeKB)
	line("Buffers", m.TotalKB/50)
	line("Cached", m.TotalKB/5)
	line("SwapCached", 0)
	if m.LowTotalKB != 0 {
		line("HighTotal", m.TotalKB-m.LowTotalKB)
		lowFree := min(m.FreeKB, m.LowTotalKB/3)
		line("HighFree", m.FreeKB-lowFree)
		line("LowTotal", m.LowTotalKB)
		line("LowFree", lowFree)
	}
	line("SwapTotal", m.SwapTotalKB)
	line("SwapFree", m.SwapFreeKB)
	line("Dirty", 128)
	line("Committed_AS", m.TotalKB-m.FreeKB)
	return b.String()
}

// Limit is a configured barrier:limit pair.
type Limit struct{ Barrier, Limit uint64 }

const unl = ubc.LongMax64

// Profile is a set of configured limits by resource name.
type Profile map[string]Limit

// classicLimits are vzctl's sample values for the socket, file and other
// small resources, which VSwap and pre-VSwap containers share.
func classicLimits(p Profile) Profile {
	for k, v := range map[string]Limit{
		"shmpages": {21504, 21504}, "numtcpsock": {360, 360}, "numflock": {188, 206}, "numpty": {16, 16},
		"numsiginfo": {256, 256}, "tcpsndbuf": {1720320, 2703360}, "tcprcvbuf": {1720320, 2703360},
		"othersockbuf": {1126080, 2097152}, "dgramrcvbuf": {262144, 262144}, "numothersock": {360, 360},
		"dcachesize": {3409920, 3624960}, "numfile": {9312, 9312}, "numiptent": {128, 128},
	} {
		p[k] = v
	}
	return p
}

// VSwapProfile is a hosting provider's VSwap container: RAM and swap as
// physpages/swappages limits, the classic vzctl sample values for the
// socket and file resources, the rest unlimited.
func VSwapProfile(ramPages, swapPages uint64) Profile {
	return classicLimits(Profile{
		"kmemsize": {unl, unl}, "lockedpages": {2048, 2048}, "privvmpages": {unl, unl},
		"numproc": {400, 400}, "physpages": {0, ramPages}, "vmguarpages": {0, unl},
		"oomguarpages": {0, unl}, "swappages": {0, swapPages},
	})
}

// ClassicProfile is a pre-VSwap container (vzctl's ve-basic sample): memory
// limited through privvmpages, guarantees in vmguarpages/oomguarpages.
func ClassicProfile(unlimited uint64) Profile {
	return classicLimits(Profile{
		"kmemsize": {14372700, 14790164}, "lockedpages": {256, 256}, "privvmpages": {65536, 69632},
		"numproc": {240, 240}, "physpages": {0, unlimited}, "vmguarpages": {33792, unlimited}, "oomguarpages": {26112, unlimited},
	})
}

// HostProfile is CT 0: unlimited, except the oomguarpages barrier the kernel
// sets to 75% of host RAM (docs/formats.md §1.3).
func HostProfile(ramPages, unlimited uint64) Profile {
	p := Profile{}
	for _, n := range ubc.Names() {
		p[n] = Limit{unlimited, unlimited}
	}
	p["oomguarpages"] = Limit{ramPages * 3 / 4, unlimited}
	p["physpages"] = Limit{0, unlimited}
	p["swappages"] = Limit{0, unlimited}
	return p
}

// Usage is held, maxheld and failcnt for one resource.
type Usage struct{ Held, MaxHeld, FailCnt uint64 }

// Rows combines a profile with usage. Resources without usage get a held
// value at frac per mille of their basis (or a small plausible number when
// unlimited), so fake containers look alive. Only resources in the profile
// are emitted.
func (p Profile) Rows(frac uint64, use map[string]Usage) []ubc.Row {
	var rows []ubc.Row
	for _, res := range ubc.Known {
		l, ok := p[res.Name]
		if !ok {
			continue
		}
		u, set := use[res.Name]
		if !set {
			basis := l.Barrier
			if basis == 0 || ubc.Unlimited(basis) {
				basis = l.Limit
			}
			if ubc.Unlimited(basis) {
				basis = 100000
				if res.Unit == ubc.Bytes {
					basis = 64 << 20
				}
			}
			u.Held = basis * frac / 1000
			u.MaxHeld = u.Held + u.Held/4
			if l.Limit != 0 && !ubc.Unlimited(l.Limit) && u.MaxHeld > l.Limit {
				u.MaxHeld = l.Limit
			}
		}
		rows = append(rows, ubc.Row{Name: res.Name, Held: u.Held, MaxHeld: u.MaxHeld, Barrier: l.Barrier, Limit: l.Limit, FailCnt: u.FailCnt})
	}
	return rows
}

// ConfFor writes a vzctl-style config for a container from its rows.
func ConfFor(name, hostname string, onboot bool, extra ...ConfVar) []ConfVar {
	ob := "no"
	if onboot {
		ob = "yes"
	}
	conf := []ConfVar{{"ONBOOT", ob}}
	conf = append(conf, extra...)
	conf = append(conf,
		ConfVar{"VE_ROOT", "/vz/root/$VEID"},
		ConfVar{"VE_PRIVATE", "/vz/private/$VEID"},
		ConfVar{"OSTEMPLATE", "centos-6-x86_64"},
		ConfVar{"HOSTNAME", hostname},
	)
	if name != "" {
		conf = append(conf, ConfVar{"NAME", name})
	}
	return conf
}

// LimitVars renders the UBC part of a config (KEY="barrier:limit").
func LimitVars(rows []ubc.Row) []ConfVar {
	var vars []ConfVar
	for _, r := range rows {
		vars = append(vars, ConfVar{strings.ToUpper(r.Name), limitText(r.Barrier) + ":" + limitText(r.Limit)})
	}
	return vars
}

func limitText(v uint64) string {
	if ubc.Unlimited(v) {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// SetFailcnt sets one resource's failcnt of a container.
func (n *Node) SetFailcnt(id, res string, v uint64) error {
	for i := range n.Cts {
		if n.Cts[i].ID != id {
			continue
		}
		for j := range n.Cts[i].Rows {
			if n.Cts[i].Rows[j].Name == res {
				n.Cts[i].Rows[j].FailCnt = v
				return nil
			}
		}
	}
	return fmt.Errorf("no resource %s in CT %s", res, id)
}
