// Package linereader reads the kernel's text files line by line with a
// bound on the line length, so that a damaged or foreign file cannot make
// a parser buffer without limit. It is the one line reader of the /proc
// parsers (ubc, vzproc); each names the file and words the errors itself.
package linereader

import (
	"bufio"
	"errors"
	"io"
)

var (
	// ErrTooLong means the line is longer than the bound.
	ErrTooLong = errors.New("line too long")
	// ErrNoNewline means the last line has no newline: the file was cut short.
	ErrNoNewline = errors.New("last line has no newline")
)

// Reader returns one line at a time from a buffered reader.
type Reader struct {
	br    *bufio.Reader
	limit int
	n     int
}

// New reads r with lines of at most limit bytes, newline not counted.
func New(r io.Reader, limit int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10+limit), limit: limit}
}

// Next returns the next line without its newline; the slice is valid only
// until the next call (no copy, no allocation). At the end it returns
// io.EOF. With ErrTooLong or ErrNoNewline it also returns (the start of)
// the line, for an excerpt; any other error is the underlying reader's.
func (r *Reader) Next() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if len(line) == 0 && errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	r.n++
	switch {
	case err == nil:
		line = line[:len(line)-1]
		if len(line) > r.limit {
			return line, ErrTooLong
		}
		return line, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return line, ErrTooLong
	case errors.Is(err, io.EOF):
		return line, ErrNoNewline // even if long: "cut short" says more
	}
	return nil, err
}

// Line is the 1-based number of the line Next returned last: after io.EOF,
// the number of lines in the input.
func (r *Reader) Line() int { return r.n }
