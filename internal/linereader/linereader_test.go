package linereader_test

import (
	"errors"
	"io"
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
