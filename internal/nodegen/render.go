// Package nodegen writes fake hardware-node trees (proc/…, etc/vz/…) whose
// kernel files are laid out byte for byte as the OpenVZ kernels print them
// (docs/formats.md §1.1-1.3, §4), for tests, the demo and benchmarks.
package nodegen

import (
	"bufio"
	"fmt"
	"io"

	"github.com/vzmon/vzmon/internal/ubc"
)

// Kernel selects the printf layout of a kernel generation.
type Kernel uint8

const (
	// RHEL6 is 64-bit OpenVZ 6: "<id>:" right-aligned in 10 columns, two spaces.
	RHEL6 Kernel = iota
	// RHEL5x32 is a 32-bit 2.6.18 kernel: 10-wide number columns, no /proc/bc.
	RHEL5x32
	// VZ7 is Virtuozzo 7: the ID right-aligned in 10, the colon outside the field, one space.
	VZ7
	// VHS9 is Virtuozzo Hybrid Server 9 (5.14): the cgroups and CTID names of
	// VZ7, but neither /proc/bc nor /proc/user_beancounters (docs/formats.md §7).
	VHS9
)

// kernelNames are the generations tools/gennode -kernel accepts.
var kernelNames = map[string]Kernel{"rhel6": RHEL6, "vz7": VZ7, "vhs9": VHS9}

// KernelByName returns the generation named rhel6, vz7 or vhs9.
func KernelByName(name string) (Kernel, bool) {
	k, ok := kernelNames[name]
	return k, ok
}

// namedIDs tells the kernels that name containers by their CTID string
// (ve cgroup name): ID columns, envID: and the cgroup tree use it.
func (k Kernel) namedIDs() bool { return k == VZ7 || k == VHS9 }

func (k Kernel) numWidth() int {
	if k == RHEL5x32 {
		return 10
	}
	return 20
}

// Container is one beancounter and its configuration.
type Container struct {
	ID   string
	Rows []ubc.Row // by resource name; dummies are added by the renderer
	Conf []ConfVar // etc/vz/conf/<id>.conf in order; nil for none
	Name string    // NAME=, also etc/vz/names/<name>
	// Uptime is seconds since the container started, now; 0 derives one
	// from the ID that grows with the node's clock.
	Uptime float64
	// EnvID is what its tasks print in envID: when that is not the ID
	// itself (a kernel printing the numeric VEID of a UUID container).
	EnvID string
	IPs   []string
	// Quota is the simfs vzquota entry: KiB used, soft, hard, then inodes
	// used, soft, hard; nil for ploop (no entry).
	Quota *[6]uint64
	// Stopped containers have a config but no beancounters or tasks.
	Stopped bool
	// LoadAvg is the 1, 5 and 15-minute load average in hundredths
	// (14852 = 148.52), as the kernel rounds it for cpu.proc.loadavg and
	// the VZCTL_GET_CPU_STAT ioctl.
	LoadAvg [3]uint64
}

// env is what the container's tasks print in envID:.
func (c *Container) env() string {
	if c.EnvID != "" {
		return c.EnvID
	}
	return c.ID
}

// confValue returns the value of a config variable, "" when unset.
func (c *Container) confValue(key string) string {
	for _, v := range c.Conf {
		if v.Key == key {
			return v.Value
		}
	}
	return ""
}

// ConfVar is one KEY="value" line.
type ConfVar struct{ Key, Value string }

func (c *Container) row(name string) (ubc.Row, bool) {
	for _, r := range c.Rows {
		if r.Name == name {
			return r, true
		}
	}
	return ubc.Row{}, false
}

func writeHeader(w io.Writer, k Kernel) {
	n := k.numWidth()
	fmt.Fprintf(w, "Version: 2.5\n%10s  %-12s %*s %*s %*s %*s %*s\n", "uid", "resource",
		n, "held", n, "maxheld", n, "barrier", n, "limit", n, "failcnt")
}

// writeRow prints one row; id is empty on continuation rows and in
// per-container files.
func writeRow(w io.Writer, k Kernel, id string, r ubc.Row) {
	n := k.numWidth()
	switch {
	case k.namedIDs() && id != "":
		fmt.Fprintf(w, "%10s: %-12s", id, r.Name)
	case k.namedIDs():
		fmt.Fprintf(w, "%10s  %-12s", "", r.Name)
	case id != "":
		fmt.Fprintf(w, "%10s  %-12s", id+":", r.Name)
	default:
		fmt.Fprintf(w, "%10s  %-12s", "", r.Name)
	}
	fmt.Fprintf(w, " %*d %*d %*d %*d %*d\n", n, r.Held, n, r.MaxHeld, n, r.Barrier, n, r.Limit, n, r.FailCnt)
}

// WriteUserBeancounters renders /proc/user_beancounters: resource indices
// 0..23 (the compat set: dummies included, swappages never), ID on the first
// row of each block.
func WriteUserBeancounters(w io.Writer, k Kernel, cts []Container) error {
	bw := bufio.NewWriter(w)
	writeHeader(bw, k)
	for i := range cts {
		for idx := 0; idx < 24; idx++ {
			res := ubc.Known[idx]
			r, ok := cts[i].row(res.Name)
			if res.Name == "dummy" {
				r, ok = ubc.Row{Name: "dummy"}, true
			}
			if !ok {
				continue
			}
			id := ""
			if idx == 0 {
				id = cts[i].ID
			}
			writeRow(bw, k, id, r)
		}
	}
	return bw.Flush()
}

// WriteBCResources renders /proc/bc/resources (header, ID on the first row,
// no dummies, swappages included) or, with perContainer, one
// /proc/bc/<id>/resources (no header, no ID).
func WriteBCResources(w io.Writer, k Kernel, cts []Container, perContainer bool) error {
	bw := bufio.NewWriter(w)
	if !perContainer {
		writeHeader(bw, k)
	}
	for i := range cts {
		first := true
		for _, res := range ubc.Known {
			r, ok := cts[i].row(res.Name)
			if !ok || res.Name == "dummy" {
				continue
			}
			id := ""
			if first && !perContainer {
				id = cts[i].ID
			}
			first = false
			writeRow(bw, k, id, r)
		}
	}
	return bw.Flush()
}
