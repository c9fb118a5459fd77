// Package linereader reads the kernel's text files line by line with a
// bound on the line length, so that a damaged or foreign file cannot make
// a parser buffer without limit. It is the one line reader of the /proc
// parsers (ubc, vzproc); each names the file and words the errors itself.
package linereader

import (
	"bytes"
	"errors"
	"io"
)

var (
	// ErrTooLong means the line is longer than the bound.
	ErrTooLong = errors.New("line too long")
	// ErrNoNewline means the last line has no newline: the file was cut short.
	ErrNoNewline = errors.New("last line has no newline")
)

// Reader returns one line at a time. Its buffer starts small and grows
// only as far as the input needs: for a file of a few hundred bytes (a
// container's cpu.proc.stat, read for each of hundreds of containers in
// one run) a bound of 64 KiB + limit allocated up front was most of the
// run's work.
type Reader struct {
	r          io.Reader
	buf        []byte
	start, end int   // the unread bytes: buf[start:end]
	err        error // the reader's, returned once buf holds no line
	filled     bool  // the last read filled buf: a large input
	limit, n   int
	bound      int // the most buf holds: readSize + limit
}

const (
	// firstSize holds a small kernel file in one read.
	firstSize = 4 << 10
	// readSize is the buffer a large input grows to, for reads of
	// reasonable size.
	readSize = 64 << 10
)

// New reads r with lines of at most limit bytes, newline not counted.
func New(r io.Reader, limit int) *Reader {
	return &Reader{r: r, buf: make([]byte, firstSize), limit: limit, bound: readSize + max(limit, 0)}
}

// Next returns the next line without its newline; the slice is valid only
// until the next call (no copy, no allocation). At the end it returns
// io.EOF. With ErrTooLong or ErrNoNewline it also returns (the start of)
// the line, for an excerpt; any other error is the underlying reader's.
func (r *Reader) Next() ([]byte, error) {
	scanned := 0 // unread bytes known to hold no newline
	for {
		if i := bytes.IndexByte(r.buf[r.start+scanned:r.end], '\n'); i >= 0 {
			line := r.buf[r.start : r.start+scanned+i]
			r.start += scanned + i + 1
			r.n++
			if len(line) > r.limit {
				return line, ErrTooLong
			}
			return line, nil
		}
		if r.err != nil || r.end-r.start == r.bound {
			return r.rest()
		}
		scanned = r.end - r.start
		r.fill()
	}
}

// rest returns what is left when no newline follows: the end of the
// input, a line that fills the whole bound, or the reader's error.
func (r *Reader) rest() ([]byte, error) {
	line := r.buf[r.start:r.end]
	r.start = r.end
	if len(line) == 0 && errors.Is(r.err, io.EOF) {
		return nil, io.EOF
	}
	r.n++
	switch {
	case len(line) == r.bound:
		return line, ErrTooLong
	case errors.Is(r.err, io.EOF):
		return line, ErrNoNewline // even if long: "cut short" says more
	}
	return nil, r.err
}

// fill reads more after the unread bytes, growing the buffer for a line
// longer than it (doubling, up to the bound) and to readSize for an input
// larger than it.
func (r *Reader) fill() {
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	size := len(r.buf)
	switch {
	case r.end == size:
		size = min(2*size, r.bound)
	case r.filled && size < readSize:
		size = readSize
	}
	if size > len(r.buf) {
		grown := make([]byte, size)
		r.end = copy(grown, r.buf[:r.end])
		r.buf = grown
	}
	// As bufio does: a reader that keeps returning nothing is an error.
	for range 100 {
		k, err := r.r.Read(r.buf[r.end:])
		if k < 0 || k > len(r.buf)-r.end {
			r.err = errBadRead
			return
		}
		r.end += k
		r.filled = r.end == len(r.buf)
		if err != nil {
			r.err = err
			return
		}
		if k > 0 {
			return
		}
	}
	r.err = io.ErrNoProgress
}

var errBadRead = errors.New("reader returned an invalid count")

// Line is the 1-based number of the line Next returned last: after io.EOF,
// the number of lines in the input.
func (r *Reader) Line() int { return r.n }
