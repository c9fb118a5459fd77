// Command gennode writes a fake OpenVZ hardware node: one of the committed
// presets, or a generated node of any size for benchmarks.
//
//	go run ./tools/gennode -preset incident-204 -out testdata/nodes/incident-204
//	go run ./tools/gennode -containers 1000 -out /tmp/node1000
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vzmon/vzmon/internal/nodegen"
)

func main() {
	preset := flag.String("preset", "", "preset node: "+strings.Join(nodegen.PresetNames(), ", "))
	count := flag.Int("containers", 0, "generate a node with this many containers")
	seed := flag.Uint64("seed", 1, "random seed for -containers")
	out := flag.String("out", "", "directory to create (must not exist)")
	flag.Parse()
	if err := run(*preset, *count, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gennode:", err)
		os.Exit(1)
	}
}

func run(preset string, count int, seed uint64, out string) error {
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
	return node.Write(out)
}
