package ubc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vzmon/vzmon/internal/ctid"
	"github.com/vzmon/vzmon/internal/linereader"
	"github.com/vzmon/vzmon/internal/text"
)

// MaxLineLength bounds a line: kernel lines are about 130 bytes (160 with
// a 36-wide UUID field); anything far longer is damage, not data.
const MaxLineLength = 4096

// Scan reads a table with the two header lines (/proc/user_beancounters or
// /proc/bc/resources) in one pass and calls fn with each container block,
// in file order, as soon as the block ends. source names the file in
// errors. Memory stays at one block and the IDs seen, whatever the size.
//
// fn gets the same *Container every time, its Rows overwritten by the next
// block: fn must copy the rows it keeps and must not keep c (the ID and the
// row names are immutable strings and may be kept). An error from fn ends
// the scan and is returned as is. A damaged file can fail after fn has
// seen blocks (a second block for a container is known only when it
// comes), so on any error, discard what fn gathered.
func Scan(r io.Reader, source string, fn func(c *Container) error) error {
	return scan(r, source, "", fn)
}

// ScanContainer reads /proc/bc/<id>/resources (no header, no ID column:
// every row belongs to the container id) and calls fn once with its block,
// under the contract of Scan.
func ScanContainer(r io.Reader, source, id string, fn func(c *Container) error) error {
	return scan(r, source, id, fn)
}

// Parse reads a whole table with the two header lines into a Snapshot.
func Parse(r io.Reader, source string) (*Snapshot, error) {
	return parse(r, source, "")
}

// ParseContainer reads /proc/bc/<id>/resources into a Snapshot of one
// container.
func ParseContainer(r io.Reader, source, id string) (*Snapshot, error) {
	return parse(r, source, id)
}

func parse(r io.Reader, source, fixedID string) (*Snapshot, error) {
	snap := &Snapshot{Source: source}
	if err := scan(r, source, fixedID, snap.add); err != nil {
		return nil, err
	}
	return snap, nil
}

type scanner struct {
	source    string
	fixedID   string // non-empty for a per-container file
	line      int
	fn        func(*Container) error
	ct        Container           // the open block; its Rows are reused
	blocks    int                 // blocks opened so far
	ids       map[string]struct{} // IDs of the blocks so far
	seen      uint32              // known resources already in the open block
	predicted int                 // kernel index expected on the next row
}

func scan(r io.Reader, source, fixedID string, fn func(*Container) error) error {
	s := &scanner{
		source:  source,
		fixedID: fixedID,
		fn:      fn,
		ct:      Container{Rows: make([]Row, 0, len(Known))},
		ids:     map[string]struct{}{},
	}
	lr := linereader.New(r, MaxLineLength)
	for {
		line, err := lr.Next()
		s.line = lr.Line()
		if err != nil {
			return s.stop(line, err)
		}
		if err := s.parseLine(line); err != nil {
			return err
		}
	}
}

// stop ends the scan where the line reader stopped.
func (s *scanner) stop(line []byte, err error) error {
	switch {
	case errors.Is(err, io.EOF):
		return s.end()
	case errors.Is(err, linereader.ErrTooLong):
		return s.fail(line, "line longer than %d bytes (not a beancounter table, or damaged)", MaxLineLength)
	case errors.Is(err, linereader.ErrNoNewline):
		return s.fail(line, "last line has no newline (file cut short?)")
	}
	return fmt.Errorf("%s: read: %w", s.source, err)
}

func (s *scanner) fail(bad []byte, format string, args ...any) error {
	e := &SyntaxError{Source: s.source, Line: s.line, Msg: fmt.Sprintf(format, args...)}
	if bad != nil {
		e.Text = text.Excerpt(string(bad))
	}
	return e
}

// end hands over the last block at the end of the input.
func (s *scanner) end() error {
	switch {
	case s.blocks > 0:
		return s.fn(&s.ct)
	case s.line == 0:
		return &SyntaxError{Source: s.source, Msg: "empty file"}
	}
	// A host always has at least CT 0, so a table without blocks is a
	// damaged or foreign file, never "nothing to report".
	return &SyntaxError{Source: s.source, Line: s.line, Msg: "no beancounter rows"}
}

var titleFields = []string{"uid", "resource", "held", "maxheld", "barrier", "limit", "failcnt"}

func (s *scanner) parseLine(line []byte) error {
	switch {
	case s.fixedID == "" && s.line == 1:
		return s.parseVersion(line)
	case s.fixedID == "" && s.line == 2:
		return s.parseTitle(line)
	case s.fixedID != "" && s.blocks == 0:
		s.open(s.fixedID)
	}
	return s.parseRow(line)
}

func (s *scanner) parseVersion(line []byte) error {
	v := strings.TrimRight(string(line), " \t\r")
	if v == "" {
		return s.fail(nil, "empty first line, expected \"Version: 2.5\"")
	}
	switch version, ok := strings.CutPrefix(v, "Version:"); {
	case v == "Version: 2.5":
		return nil
	case ok && len(strings.Fields(version)) == 1:
		return s.fail(line, "unsupported version, this plugin reads \"Version: 2.5\"")
	}
	return s.fail(line, "not the \"Version: 2.5\" header (missing header, or not a kernel file)")
}

func (s *scanner) parseTitle(line []byte) error {
	f := strings.Fields(string(line))
	if len(f) != len(titleFields) {
		return s.fail(line, "unexpected title line, expected %q", strings.Join(titleFields, " "))
	}
	for i := range f {
		if f[i] != titleFields[i] {
			return s.fail(line, "unexpected title line, expected %q", strings.Join(titleFields, " "))
		}
	}
	return nil
}

// parseRow reads "[ID:] resource held maxheld barrier limit failcnt" and
// only once the whole line is valid starts a block or adds the row.
func (s *scanner) parseRow(line []byte) error {
	i := skipBlank(line, 0)
	if i == len(line) {
		return s.fail(nil, "empty line")
	}
	e := tokenEnd(line, i)
	tok := line[i:e]
	id := ""
	// An ID is "101:" or "101:" glued to the resource ("101:kmemsize").
	if c := bytes.LastIndexByte(tok, ':'); c >= 0 {
		var err error
		if id, err = s.parseID(line, tok[:c]); err != nil {
			return err
		}
		if c+1 < len(tok) {
			e = i + c + 1 // the resource name follows the colon
		} else {
			e = skipBlank(line, e)
			if e == len(line) {
				return s.fail(line, "container ID without a resource")
			}
		}
		i = e
		e = tokenEnd(line, i)
		tok = line[i:e]
		s.predicted = 0
	} else if s.blocks == 0 {
		return s.fail(line, "resource row before any container ID")
	}
	name, known, err := s.resourceName(line, tok)
	if err != nil {
		return err
	}
	var v [5]uint64
	pos := e
	for k := range v {
		pos = skipBlank(line, pos)
		if pos == len(line) {
			return s.fail(line, "expected 5 numbers after the resource name, found %d", k)
		}
		n, end, ok := scanNumber(line, pos, k == 2 || k == 3)
		if !ok {
			return s.fail(line, "%s is not an unsigned 64-bit number: %q", titleFields[2+k], text.Excerpt(string(line[pos:end])))
		}
		v[k] = n
		pos = end
	}
	if skipBlank(line, pos) != len(line) {
		return s.fail(line, "more than 5 numbers after the resource name")
	}
	if id != "" {
		if err := s.startBlock(id); err != nil {
			return err
		}
	}
	if name == dummyName {
		return nil
	}
	if known >= 0 {
		if s.seen&(1<<known) != 0 {
			return s.fail(line, "resource %s twice in container %s", name, s.ct.ID)
		}
		s.seen |= 1 << known
	} else if _, dup := s.ct.Row(name); dup {
		return s.fail(line, "resource %s twice in container %s", name, s.ct.ID)
	}
	s.ct.Rows = append(s.ct.Rows, Row{Name: name, Held: v[0], MaxHeld: v[1], Barrier: v[2], Limit: v[3], FailCnt: v[4]})
	return nil
}

func (s *scanner) parseID(line, tok []byte) (string, error) {
	id := string(tok)
	switch {
	case s.fixedID != "":
		return "", s.fail(line, "container ID in a per-container file")
	case id == "":
		return "", s.fail(line, "empty container ID")
	case !ctid.Valid(id):
		return "", s.fail(line, "container ID is not 1-64 of A-Z a-z 0-9 . _ - (not starting with . or -)")
	}
	return id, nil
}

// startBlock hands the open block to fn and opens the next.
func (s *scanner) startBlock(id string) error {
	if _, dup := s.ids[id]; dup {
		return &SyntaxError{Source: s.source, Line: s.line, Msg: "second block for container " + id}
	}
	s.ids[id] = struct{}{}
	if s.blocks > 0 {
		if err := s.fn(&s.ct); err != nil {
			return err
		}
	}
	s.open(id)
	return nil
}

func (s *scanner) open(id string) {
	s.ct.ID = id
	s.ct.Rows = s.ct.Rows[:0]
	s.blocks++
	s.seen = 0
	s.predicted = 0
}

// resourceName interns known names (no allocation per row) and returns the
// kernel index, or -1 for an unknown name. Rows come in kernel order, so
// the next index is tried before the map.
func (s *scanner) resourceName(line, tok []byte) (string, int, error) {
	if s.predicted < len(Known) && string(tok) == Known[s.predicted].Name {
		k := s.predicted
		s.predicted++
		return Known[k].Name, k, nil
	}
	if string(tok) == dummyName {
		return dummyName, -1, nil
	}
	if k, ok := knownIndex[string(tok)]; ok {
		s.predicted = k + 1
		return Known[k].Name, k, nil
	}
	if len(tok) == 0 || len(tok) > 32 {
		return "", -1, s.fail(line, "bad resource name")
	}
	for _, c := range tok {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", -1, s.fail(line, "bad resource name %q", text.Excerpt(string(tok)))
		}
	}
	return string(tok), -1, nil
}
