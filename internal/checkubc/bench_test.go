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
func BenchmarkCheckNode1000(b *testing.B) {
	benchRun(b, 1000, nil, func(*bytes.Buffer) bool { return true })
}

func BenchmarkCheckNode10000(b *testing.B) {
	benchRun(b, 10000, nil, func(*bytes.Buffer) bool { return true })
}

// BenchmarkPerfdataAll20000 is check_ubc --perfdata all --max-output 0 on
// 20,000 containers: about a million perfdata values, laid out and
// rendered in linear time (issue 10 item 7; the whole process must stay
// under 2 s and 300 MB).
func BenchmarkPerfdataAll20000(b *testing.B) {
	benchRun(b, 20000, []string{"--perfdata", "all", "--max-output", "0"},
		func(out *bytes.Buffer) bool { return out.Len() >= 30<<20 })
}

// benchRun runs check_ubc with args on a generated node of the given size;
// every run must be CRITICAL (the generator's problem containers) and
// pass ok.
func benchRun(b *testing.B, containers int, args []string, ok func(*bytes.Buffer) bool) {
	dir := b.TempDir()
	if err := nodegen.Generated(containers, 1).Write(dir); err != nil {
		b.Fatal(err)
	}
	args = append([]string{"--root", dir}, args...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		np := nagios.NewPlugin()
		np.SetOutputTarget(&out)
		np.SkipOSExit()
		check.Run(args, &out, &out, np, checkubc.New())
		np.ReturnCheckResults()
		if np.ExitStatusCode != 2 || !ok(&out) {
			b.Fatalf("exit %d, %d bytes: %.300s", np.ExitStatusCode, out.Len(), out.String())
		}
	}
}
