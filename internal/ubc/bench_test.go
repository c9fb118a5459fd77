package ubc_test

import (
	"bytes"
	"testing"

	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/ubc"
)

// BenchmarkParse1000 parses a 1000-container /proc/user_beancounters
// (24,024 rows, about 3 MB). Target: at least 300 MB/s, and allocations
// per container, not per row.
func BenchmarkParse1000(b *testing.B) {
	node := nodegen.Generated(1000, 1)
	var buf bytes.Buffer
	if err := nodegen.WriteUserBeancounters(&buf, node.Kernel, node.Cts); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ubc.Parse(bytes.NewReader(data), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
