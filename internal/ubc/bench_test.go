package ubc_test

import (
	"bytes"
	"io"
	"runtime"
	"testing"

	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/ubc"
)

// userBeancounters renders /proc/user_beancounters of a generated node of
// n containers (24 rows each, dummies included: about 3.1 KB a container).
func userBeancounters(b *testing.B, n int) []byte {
	b.Helper()
	node := nodegen.Generated(n, 1)
	var buf bytes.Buffer
	if err := nodegen.WriteUserBeancounters(&buf, node.Kernel, node.Cts); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkParse1000 and BenchmarkParse10000 read a generated table in
// one pass, keeping nothing (scan: the streaming check) or every block
// (store: Parse). Target: at least 300 MB/s on one CPU (-cpu 1), and
// allocations per container, not per row (allocs/ct).
func BenchmarkParse1000(b *testing.B)  { benchParse(b, 1000) }
func BenchmarkParse10000(b *testing.B) { benchParse(b, 10000) }

func benchParse(b *testing.B, n int) {
	data := userBeancounters(b, n)
	b.Run("scan", func(b *testing.B) {
		runParse(b, data, n, func(r io.Reader) error {
			return ubc.Scan(r, "bench", func(*ubc.Container) error { return nil })
		})
	})
	b.Run("store", func(b *testing.B) {
		runParse(b, data, n, func(r io.Reader) error {
			_, err := ubc.Parse(r, "bench")
			return err
		})
	})
}

func runParse(b *testing.B, data []byte, containers int, parse func(io.Reader) error) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*containers), "allocs/ct")
}

// BenchmarkScanNumber reads the five numbers of every row of a generated
// 1000-container /proc/user_beancounters (24,024 rows) as the parser does,
// blanks then digits, eight bytes at a time and the plain way (strconv and
// a byte loop). Where the numbers start is found first and not timed.
func BenchmarkScanNumber(b *testing.B) {
	type row struct {
		line []byte
		from int // the end of the resource name
	}
	var rows []row
	for _, line := range bytes.Split(userBeancounters(b, 1000), []byte("\n"))[2:] {
		var ends []int
		for i := 0; i < len(line); {
			for i < len(line) && line[i] == ' ' {
				i++
			}
			for i < len(line) && line[i] != ' ' {
				i++
			}
			ends = append(ends, i)
		}
		if len(ends) >= 6 {
			rows = append(rows, row{line, ends[len(ends)-6]})
		}
	}
	for _, bench := range []struct {
		name string
		scan func([]byte, int, bool) (uint64, int, bool)
		skip func([]byte, int) int
	}{{"swar", ubc.ScanNumber, ubc.SkipBlank}, {"plain", ubc.PlainNumber, ubc.PlainSkipBlank}} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, r := range rows {
					pos := r.from
					for k := 0; k < 5; k++ {
						_, end, ok := bench.scan(r.line, bench.skip(r.line, pos), k == 2 || k == 3)
						if !ok {
							b.Fatalf("%q", r.line[pos:])
						}
						pos = end
					}
				}
			}
		})
	}
}
