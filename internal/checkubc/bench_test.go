package checkubc_test

import (
	"bytes"
	"testing"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/nodegen"
)

// BenchmarkCheckNode1000 and BenchmarkCheckNode10000 are a whole
// check_ubc run (flags, read, parse, evaluate, render) on a generated node.
func BenchmarkCheckNode1000(b *testing.B)  { benchCheckNode(b, 1000) }
func BenchmarkCheckNode10000(b *testing.B) { benchCheckNode(b, 10000) }

func benchCheckNode(b *testing.B, containers int) {
	dir := b.TempDir()
	if err := nodegen.Generated(containers, 1).Write(dir); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		np := nagios.NewPlugin()
		np.SetOutputTarget(&out)
		np.SkipOSExit()
		check.Run([]string{"--root", dir}, &out, &out, np, checkubc.New())
		np.ReturnCheckResults()
		if np.ExitStatusCode != 2 {
			b.Fatalf("exit %d: %s", np.ExitStatusCode, out.String())
		}
	}
}

// BenchmarkPerfdataAll20000 is check_ubc --perfdata all --max-output 0 on
// 20,000 containers: about a million perfdata values, laid out and
// rendered in linear time (issue 10 item 7; the whole process must stay
// under 2 s and 300 MB).
func BenchmarkPerfdataAll20000(b *testing.B) {
	dir := b.TempDir()
	if err := nodegen.Generated(20000, 1).Write(dir); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		np := nagios.NewPlugin()
		np.SetOutputTarget(&out)
		np.SkipOSExit()
		check.Run([]string{"--root", dir, "--perfdata", "all", "--max-output", "0"}, &out, &out, np, checkubc.New())
		np.ReturnCheckResults()
		if np.ExitStatusCode != 2 || out.Len() < 30<<20 {
			b.Fatalf("exit %d, %d bytes: %.300s", np.ExitStatusCode, out.Len(), out.String())
		}
	}
}
