package linereader_test

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/vzmon/vzmon/internal/linereader"
)

type result struct {
	line string
	n    int
	err  error
}

func readAll(r io.Reader, limit int) []result {
	lr := linereader.New(r, limit)
	var out []result
	for {
		line, err := lr.Next()
		out = append(out, result{string(line), lr.Line(), err})
		if err != nil {
			return out
		}
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name, in string
		want     []result
	}{
		{"empty", "", []result{{"", 0, io.EOF}}},
		{"lines", "a\n\nbc\n", []result{{"a", 1, nil}, {"", 2, nil}, {"bc", 3, nil}, {"", 3, io.EOF}}},
		{"cut short", "a\nbc", []result{{"a", 1, nil}, {"bc", 2, linereader.ErrNoNewline}}},
		{"at the bound", "1234\n", []result{{"1234", 1, nil}, {"", 1, io.EOF}}},
		{"over the bound", "a\n12345\n", []result{{"a", 1, nil}, {"12345", 2, linereader.ErrTooLong}}},
		{"over the bound, cut short", "12345", []result{{"12345", 1, linereader.ErrNoNewline}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(strings.NewReader(tt.in), 4)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i].line != tt.want[i].line || got[i].n != tt.want[i].n || !errors.Is(got[i].err, tt.want[i].err) {
					t.Fatalf("result %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// A line longer than the buffer stops at the buffer: memory stays bounded.
func TestReaderHugeLine(t *testing.T) {
	got := readAll(strings.NewReader(strings.Repeat("x", 1<<20)+"\n"), 4096)
	if len(got) != 1 || !errors.Is(got[0].err, linereader.ErrTooLong) || len(got[0].line) > 128<<10 {
		t.Fatalf("got %d results, err %v, %d bytes", len(got), got[0].err, len(got[0].line))
	}
}

func TestReaderPassesReadErrors(t *testing.T) {
	boom := errors.New("boom")
	got := readAll(io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(boom)), 4096)
	if len(got) != 2 || got[0].line != "a" || !errors.Is(got[1].err, boom) {
		t.Fatalf("got %+v", got)
	}
}

// model is what Next returns, from the whole input at once: lines up to
// the first error; the bound is 64 KiB + limit, the most the reader holds.
func model(in string, limit int) []result {
	bound := 64<<10 + limit
	var out []result
	for n := 1; ; n++ {
		i := strings.IndexByte(in, '\n')
		switch {
		case i < 0 && in == "":
			return append(out, result{"", n - 1, io.EOF})
		case i < 0 && len(in) < bound:
			return append(out, result{in, n, linereader.ErrNoNewline})
		case i < 0 || i >= bound:
			return append(out, result{in[:bound], n, linereader.ErrTooLong})
		case i > limit:
			return append(out, result{in[:i], n, linereader.ErrTooLong})
		}
		out = append(out, result{in[:i], n, nil})
		in = in[i+1:]
	}
}

// chunkReader returns at most size bytes a read.
type chunkReader struct {
	r    io.Reader
	size int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.size)]) }

// The buffer starts small and grows: lines across every buffer size, one
// longer than the first buffer, at and over the bound, read in any chunks,
// come out as from the whole input at once.
func TestReaderMatchesModel(t *testing.T) {
	var many strings.Builder
	for i := 0; many.Len() < 300<<10; i++ {
		many.WriteString(strings.Repeat("x", i*37%300) + "\n")
	}
	inputs := map[string]string{
		"many lines":                  many.String(),
		"many lines, cut short":       many.String() + "tail",
		"long line":                   "a\n" + strings.Repeat("y", 10000) + "\nb\n",
		"line at the bound":           strings.Repeat("z", 64<<10+4096) + "\n",
		"line over the bound":         strings.Repeat("z", 64<<10+4097) + "\n",
		"over the bound, no newline":  strings.Repeat("z", 200<<10),
		"at the first buffer's end":   strings.Repeat("w", 4095) + "\n" + "v\n",
		"across the first buffer":     strings.Repeat("w", 4094) + "\nuu\n",
		"first buffer, then cut":      strings.Repeat("w", 4096),
		"longer than limit, complete": strings.Repeat("q", 4097) + "\n",
	}
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"half":     func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
		"data+EOF": func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) },
		"4095":     func(s string) io.Reader { return chunkReader{strings.NewReader(s), 4095} },
	}
	for name, in := range inputs {
		want := model(in, 4096)
		for rname, mk := range readers {
			got := readAll(mk(in), 4096)
			if len(got) != len(want) {
				t.Fatalf("%s, %s: %d results, want %d", name, rname, len(got), len(want))
			}
			for i := range got {
				if got[i].line != want[i].line || got[i].n != want[i].n || !errors.Is(got[i].err, want[i].err) {
					t.Fatalf("%s, %s: result %d: got %d bytes, line %d, %v; want %d bytes, line %d, %v", name, rname, i,
						len(got[i].line), got[i].n, got[i].err, len(want[i].line), want[i].n, want[i].err)
				}
			}
		}
	}
}

// A small file costs a small buffer, whatever the bound on its lines
// (issue 12: a cpu.proc.stat of each of hundreds of containers in a run).
func TestReaderSmallInputSmallBuffer(t *testing.T) {
	in := strings.Repeat("cpu0 588 44 73 462397 2882 0 34 0 0 0\n", 12)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 100
	for range runs {
		readAll(strings.NewReader(in), 256<<10)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 8<<10 {
		t.Errorf("%d bytes allocated per %d-byte input", per, len(in))
	}
}

// A reader that returns nothing, again and again, is an error, not a hang.
func TestReaderNoProgress(t *testing.T) {
	got := readAll(chunkReader{strings.NewReader("a\n"), 0}, 4096)
	if len(got) != 1 || !errors.Is(got[0].err, io.ErrNoProgress) {
		t.Fatalf("got %+v", got)
	}
}

// FuzzReader: any input, read in any chunks with any bound, gives what
// the model gives from the whole input.
func FuzzReader(f *testing.F) {
	f.Add("a\n\nbc\n", 4, 1)
	f.Add("a\n12345\nx", 4, 3)
	f.Add(strings.Repeat("x", 5000)+"\ny", 8000, 4095)
	f.Fuzz(func(t *testing.T, in string, limit, chunk int) {
		limit, chunk = limit&0xffff, 1+chunk&0x1fff
		want := model(in, limit)
		got := readAll(chunkReader{strings.NewReader(in), chunk}, limit)
		if len(got) != len(want) {
			t.Fatalf("%d results, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].line != want[i].line || got[i].n != want[i].n || !errors.Is(got[i].err, want[i].err) {
				t.Fatalf("result %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}
