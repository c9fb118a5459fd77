// Command gennode writes a fake OpenVZ hardware node: one of the committed
// presets, or a generated node of any size for benchmarks.
//
//	go run ./tools/gennode -preset incident-204 -out testdata/nodes/incident-204
//	go run ./tools/gennode -containers 1000 -out /tmp/node1000
//	go run ./tools/gennode -preset incident-204 -advance 300 -failcnt 204:tcpsndbuf=1862518 -out /tmp/n
//	go run ./tools/gennode -preset incident-204 -processes 50000 -threads 4 -out /tmp/tasks
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
	preset := flag.String("preset", "", "preset node: "+strings.Join(nodegen.PresetNames(), ", "))
	count := flag.Int("containers", 0, "generate a node with this many containers")
	seed := flag.Uint64("seed", 1, "random seed for -containers")
	advance := flag.Float64("advance", 0, "seconds the node's clock has moved on (uptimes grow)")
	processes := flag.Int("processes", 0, "replace the node's tasks with this many processes spread over its containers")
	threads := flag.Int("threads", 1, "with -processes: threads per process")
	var fcs failcnts
	flag.Var(&fcs, "failcnt", "set a failcnt, CT:RESOURCE=N (repeatable)")
	out := flag.String("out", "", "directory to create (must not exist)")
	flag.Parse()
	if err := run(*preset, *count, *seed, *advance, *processes, *threads, fcs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gennode:", err)
		os.Exit(1)
	}
}

func run(preset string, count int, seed uint64, advance float64, processes, threads int, fcs failcnts, out string) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s exists; remove it first", out)
	}
	var node *nodegen.Node
	switch {
	case preset != "" && count > 0:
		return fmt.Errorf("use -preset or -containers, not both")
	case preset != "":
		mk, ok := nodegen.Presets[preset]
		if !ok {
			return fmt.Errorf("unknown preset %q (have %s)", preset, strings.Join(nodegen.PresetNames(), ", "))
		}
		node = mk()
	case count > 0:
		node = nodegen.Generated(count, seed)
	default:
		return fmt.Errorf("give -preset NAME or -containers N")
	}
	if processes > 0 {
		if threads < 1 {
			return fmt.Errorf("-threads must be at least 1")
		}
		node.WithTasks(processes, threads, seed)
	}
	if advance > 0 {
		node.Uptime = nodegen.HostUptime + advance
	}
	for _, s := range fcs {
		if err := setFailcnt(node, s); err != nil {
			return err
		}
	}
	return node.Write(out)
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
