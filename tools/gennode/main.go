// Command gennode writes a fake OpenVZ hardware node: one of the committed
// presets, or a generated node of any size for benchmarks.
//
//	go run ./tools/gennode -preset incident-204 -out testdata/nodes/incident-204
//	go run ./tools/gennode -containers 1000 -out /tmp/node1000
//	go run ./tools/gennode -preset incident-204 -advance 300 -failcnt 204:tcpsndbuf=1862518 -out /tmp/n
//	go run ./tools/gennode -preset incident-204 -processes 50000 -threads 4 -out /tmp/tasks
//	go run ./tools/gennode -containers 100 -processes 50000 -fairsched -out /tmp/rhel6fs
//	go run ./tools/gennode -containers 100 -processes 50000 -kernel vz7 -out /tmp/vz7
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/nodegen"
)

// failcnts collects -failcnt CT:RESOURCE=N.
type failcnts []string

func (f *failcnts) String() string     { return strings.Join(*f, " ") }
func (f *failcnts) Set(s string) error { *f = append(*f, s); return nil }

func main() {
	var o options
	flag.StringVar(&o.preset, "preset", "", "preset node: "+strings.Join(nodegen.PresetNames(), ", "))
	flag.IntVar(&o.count, "containers", 0, "generate a node with this many containers")
	flag.StringVar(&o.kernel, "kernel", "", "with -containers: the kernel generation, rhel6 (default), vz7 or vhs9")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed for -containers")
	flag.Float64Var(&o.advance, "advance", 0, "seconds the node's clock has moved on (uptimes grow)")
	flag.IntVar(&o.processes, "processes", 0, "replace the node's tasks with this many processes spread over its containers")
	flag.IntVar(&o.threads, "threads", 1, "with -processes: threads per process")
	flag.BoolVar(&o.fairsched, "fairsched", false, "mount the fairsched cgroup (per-container task lists; OpenVZ 6 nodes only)")
	flag.Var(&o.failcnts, "failcnt", "set a failcnt, CT:RESOURCE=N (repeatable)")
	flag.StringVar(&o.out, "out", "", "directory to create (must not exist)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "gennode:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	preset, kernel, out string
	count               int
	seed                uint64
	advance             float64
	processes, threads  int
	fairsched           bool
	failcnts            failcnts
}

func run(o options) error {
	if o.out == "" {
		return fmt.Errorf("-out is required")
	}
	if _, err := os.Lstat(o.out); err == nil {
		return fmt.Errorf("%s exists; remove it first", o.out)
	}
	var node *nodegen.Node
	switch {
	case o.preset != "" && o.count > 0:
		return fmt.Errorf("use -preset or -containers, not both")
	case o.preset != "" && o.kernel != "":
		return fmt.Errorf("-kernel is for -containers: a preset has its own kernel")
	case o.preset != "":
		mk, ok := nodegen.Presets[o.preset]
		if !ok {
			return fmt.Errorf("unknown preset %q (have %s)", o.preset, strings.Join(nodegen.PresetNames(), ", "))
		}
		node = mk()
	case o.count > 0:
		k := nodegen.RHEL6
		if o.kernel != "" {
			var ok bool
			if k, ok = nodegen.KernelByName(o.kernel); !ok {
				return fmt.Errorf("-kernel %q: want rhel6, vz7 or vhs9", o.kernel)
			}
		}
		node = nodegen.GeneratedFor(k, o.count, o.seed)
	default:
		return fmt.Errorf("give -preset NAME or -containers N")
	}
	if o.fairsched {
		if node.Kernel != nodegen.RHEL6 {
			return fmt.Errorf("-fairsched: only OpenVZ 6 (rhel6) nodes have the fairsched cgroup")
		}
		node.FairschedMounted = true
	}
	if o.processes > 0 {
		if o.threads < 1 {
			return fmt.Errorf("-threads must be at least 1")
		}
		node.WithTasks(o.processes, o.threads, o.seed)
	}
	if o.advance > 0 {
		node.Uptime = nodegen.HostUptime + o.advance
	}
	for _, s := range o.failcnts {
		if err := setFailcnt(node, s); err != nil {
			return err
		}
	}
	return node.Write(o.out)
}

func setFailcnt(node *nodegen.Node, s string) error {
	ctRes, val, ok1 := strings.Cut(s, "=")
	ct, res, ok2 := strings.Cut(ctRes, ":")
	v, err := strconv.ParseUint(val, 10, 64)
	if !ok1 || !ok2 || err != nil {
		return fmt.Errorf("-failcnt %q: want CT:RESOURCE=N", s)
	}
	if err := node.SetFailcnt(ct, res, v); err != nil {
		return fmt.Errorf("-failcnt %q: %w", s, err)
	}
	return nil
}
