package ubc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Row is one resource of one beancounter, as the kernel printed it.
type Row struct {
	Name    string
	Held    uint64
	MaxHeld uint64
	Barrier uint64
	Limit   uint64
	FailCnt uint64
}

// Container is one beancounter block. ID is a string: numeric on OpenVZ 6,
// possibly a UUID-like name on Virtuozzo 7 and later.
type Container struct {
	ID   string
	Rows []Row
}

// Row returns the named resource of the container.
func (c *Container) Row(name string) (*Row, bool) {
	for i := range c.Rows {
		if c.Rows[i].Name == name {
			return &c.Rows[i], true
		}
	}
	return nil, false
}

// Snapshot is one read of a beancounter table. Containers keep file order
// (newest first, CT 0 usually last); look them up by ID, never by position.
type Snapshot struct {
	Source     string
	Containers []Container
	byID       []int // indices of Containers sorted by ID
}

// Container returns the block of the given ID.
func (s *Snapshot) Container(id string) (*Container, bool) {
	k := sort.Search(len(s.byID), func(k int) bool { return s.Containers[s.byID[k]].ID >= id })
	if k < len(s.byID) && s.Containers[s.byID[k]].ID == id {
		return &s.Containers[s.byID[k]], true
	}
	return nil, false
}

// SyntaxError names the file, line and what is wrong, with a short,
// sanitised excerpt: error messages may end up in monitoring UIs, so they
// never carry more than a few dozen bytes of the file.
type SyntaxError struct {
	Source string
	Line   int
	Msg    string
	Text   string
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Source, e.Msg)
	}
	if e.Text == "" {
		return fmt.Sprintf("%s line %d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s line %d: %s: %q", e.Source, e.Line, e.Msg, e.Text)
}

// Excerpt returns at most 48 bytes of b as printable ASCII, leading blanks
// dropped and anything unprintable shown as '?'.
func Excerpt(b []byte) string {
	b = bytes.TrimLeft(b, " \t")
	const max = 48
	cut := len(b) > max
	if cut {
		b = b[:max]
	}
	out := make([]byte, 0, len(b)+3)
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out = append(out, c)
	}
	if cut {
		out = append(out, "..."...)
	}
	return string(out)
}

const (
	// MaxLineLength bounds a line: kernel lines are about 130 bytes (160 with
	// a 36-wide UUID field); anything far longer is damage, not data.
	MaxLineLength = 4096
)

// segmentSize is how much of a large table one goroutine parses; the memory
// in use is a few segments, whatever the size of the file. A variable only
// so that tests can move the seams; it must stay above MaxLineLength.
var segmentSize = 64 << 10

// Parse reads a table with the two header lines: /proc/user_beancounters or
// /proc/bc/resources. source names the file in errors.
func Parse(r io.Reader, source string) (*Snapshot, error) {
	return parse(r, source, "")
}

// ParseContainer reads /proc/bc/<id>/resources: no header and no ID column;
// every row belongs to the container id.
func ParseContainer(r io.Reader, source, id string) (*Snapshot, error) {
	return parse(r, source, id)
}

type parser struct {
	source    string
	fixedID   string // non-empty for a per-container file
	first     bool   // the segment that starts the file (has the header)
	line      int
	blocks    []Container
	lines     []int  // per block: the line of its ID
	cur       int    // index of the open block, -1 before the first ID
	curSeen   uint32 // known resources already seen in the open block
	predicted int    // kernel index expected on the next row
	// continued: the segment began with rows of the previous segment's last
	// block; they are blocks[0], with an empty ID, until the merge.
	continued bool
	err       error
}

func (p *parser) fail(text []byte, format string, args ...any) error {
	e := &SyntaxError{Source: p.source, Line: p.line, Msg: fmt.Sprintf(format, args...)}
	if text != nil {
		e.Text = Excerpt(text)
	}
	return e
}

// parseSegment parses whole lines; data ends with a newline unless it is
// the file's cut-short last line.
func (p *parser) parseSegment(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		p.line++
		if i < 0 {
			p.err = p.fail(data, "last line has no newline (file cut short?)")
			return
		}
		if i > MaxLineLength {
			p.err = p.fail(data[:i], "line longer than %d bytes (not a beancounter table, or damaged)", MaxLineLength)
			return
		}
		if p.err = p.parseLine(data[:i]); p.err != nil {
			return
		}
		data = data[i+1:]
	}
}

// parse cuts the input into segments at line ends and parses them on all
// CPUs; small inputs (one segment) are parsed without goroutines.
func parse(r io.Reader, source, fixedID string) (*Snapshot, error) {
	workers := runtime.GOMAXPROCS(0)
	var (
		parts  []*parser
		wg     sync.WaitGroup
		failed atomic.Bool
		slots  = make(chan struct{}, workers) // in-flight segments: bounds memory
		free   = make(chan []byte, workers+1)
		carry  []byte
		line   int
	)
	for {
		var buf []byte
		select {
		case buf = <-free:
		default:
			buf = make([]byte, segmentSize+MaxLineLength)
		}
		n := copy(buf, carry)
		m, err := io.ReadFull(r, buf[n:segmentSize])
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			wg.Wait()
			return nil, fmt.Errorf("%s: read: %w", source, err)
		}
		data := buf[:n+m]
		cut := len(data)
		if !eof {
			k := bytes.LastIndexByte(data, '\n')
			if k < 0 {
				wg.Wait()
				return nil, &SyntaxError{Source: source, Line: line + 1, Msg: fmt.Sprintf("line longer than %d bytes (not a beancounter table, or damaged)", MaxLineLength), Text: Excerpt(data)}
			}
			cut = k + 1
		}
		carry = append(carry[:0], data[cut:]...)
		p := &parser{source: source, fixedID: fixedID, first: len(parts) == 0, line: line, cur: -1}
		parts = append(parts, p)
		seg := data[:cut]
		line += bytes.Count(seg, []byte{'\n'})
		if eof && p.first {
			p.parseSegment(seg) // the whole input fits one segment
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.parseSegment(seg)
			if p.err != nil {
				failed.Store(true)
			}
			select {
			case free <- buf:
			default:
			}
			<-slots
		}()
		if eof || failed.Load() {
			break
		}
	}
	wg.Wait()
	return merge(source, fixedID, parts, line)
}

// merge joins the segments in file order: a segment's leading rows belong
// to the previous segment's last block.
func merge(source, fixedID string, parts []*parser, lines int) (*Snapshot, error) {
	snap := &Snapshot{Source: source}
	var blockLines []int
	for _, p := range parts {
		blocks, starts := p.blocks, p.lines
		if p.continued {
			if err := joinRows(snap, p, blocks[0].Rows); err != nil {
				return nil, err
			}
			blocks, starts = blocks[1:], starts[1:]
		}
		if p.err != nil {
			return nil, p.err
		}
		snap.Containers = append(snap.Containers, blocks...)
		blockLines = append(blockLines, starts...)
	}
	cts := snap.Containers
	if len(cts) == 0 {
		if lines == 0 {
			return nil, &SyntaxError{Source: source, Msg: "empty file"}
		}
		// A host always has at least CT 0, so a table without blocks is a
		// damaged or foreign file, never "nothing to report".
		return nil, &SyntaxError{Source: source, Line: lines, Msg: "no beancounter rows"}
	}
	byID := make([]int, len(cts))
	for i := range byID {
		byID[i] = i
	}
	sort.Slice(byID, func(a, b int) bool { return cts[byID[a]].ID < cts[byID[b]].ID })
	for k := 1; k < len(byID); k++ {
		if a, b := byID[k-1], byID[k]; cts[a].ID == cts[b].ID {
			return nil, &SyntaxError{Source: source, Line: max(blockLines[a], blockLines[b]), Msg: "second block for container " + cts[a].ID}
		}
	}
	snap.byID = byID
	return snap, nil
}

// joinRows appends a segment's leading rows to the last block before it,
// checking for a resource repeated across the seam. The rows are on
// consecutive lines from the segment's first.
func joinRows(snap *Snapshot, p *parser, rows []Row) error {
	first := p.lines[0]
	if len(snap.Containers) == 0 {
		return &SyntaxError{Source: p.source, Line: first, Msg: "resource row before any container ID"}
	}
	blk := &snap.Containers[len(snap.Containers)-1]
	for i, r := range rows {
		if _, dup := blk.Row(r.Name); dup {
			return &SyntaxError{Source: p.source, Line: first + i, Msg: fmt.Sprintf("resource %s twice in container %s", r.Name, blk.ID)}
		}
		blk.Rows = append(blk.Rows, r)
	}
	return nil
}

var titleFields = []string{"uid", "resource", "held", "maxheld", "barrier", "limit", "failcnt"}

func (p *parser) parseLine(line []byte) error {
	switch {
	case p.first && p.fixedID == "" && p.line == 1:
		return p.parseVersion(line)
	case p.first && p.fixedID == "" && p.line == 2:
		return p.parseTitle(line)
	case p.cur < 0 && p.first && p.fixedID != "":
		p.openBlock(p.fixedID)
	case p.cur < 0 && !p.first:
		p.openBlock("") // rows continuing the previous segment's last block
		p.continued = true
	}
	return p.parseRow(line)
}

func (p *parser) parseVersion(line []byte) error {
	v := strings.TrimRight(string(line), " \t\r")
	if v == "" {
		return p.fail(nil, "empty first line, expected \"Version: 2.5\"")
	}
	switch version, ok := strings.CutPrefix(v, "Version:"); {
	case v == "Version: 2.5":
		return nil
	case ok && len(strings.Fields(version)) == 1:
		return p.fail(line, "unsupported version, this plugin reads \"Version: 2.5\"")
	}
	return p.fail(line, "not the \"Version: 2.5\" header (missing header, or not a kernel file)")
}

func (p *parser) parseTitle(line []byte) error {
	f := strings.Fields(string(line))
	if len(f) != len(titleFields) {
		return p.fail(line, "unexpected title line, expected %q", strings.Join(titleFields, " "))
	}
	for i := range f {
		if f[i] != titleFields[i] {
			return p.fail(line, "unexpected title line, expected %q", strings.Join(titleFields, " "))
		}
	}
	return nil
}

// blockRows is the number of real resources (Known less the dummies).
const blockRows = len(Known) - 4

func (p *parser) openBlock(id string) {
	// One allocation per block, sized for a full block without dummies:
	// allocations grow with containers, not rows.
	p.blocks = append(p.blocks, Container{ID: id, Rows: make([]Row, 0, blockRows)})
	p.lines = append(p.lines, p.line)
	p.cur = len(p.blocks) - 1
	p.curSeen = 0
	p.predicted = 0
}

const spaces8 = 0x2020202020202020

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// skipBlank returns the index of the first non-blank byte at or after i.
// Most of a beancounter line is padding, so it skips eight spaces a step.
func skipBlank(line []byte, i int) int {
	for i+8 <= len(line) {
		x := binary.LittleEndian.Uint64(line[i:]) ^ spaces8
		if x != 0 {
			i += bits.TrailingZeros64(x) >> 3
			break
		}
		i += 8
	}
	for i < len(line) && isBlank(line[i]) {
		i++
	}
	return i
}

func tokenEnd(line []byte, i int) int {
	for i < len(line) && !isBlank(line[i]) {
		i++
	}
	return i
}

func (p *parser) parseRow(line []byte) error {
	i := skipBlank(line, 0)
	if i == len(line) {
		return p.fail(nil, "empty line")
	}
	e := tokenEnd(line, i)
	tok := line[i:e]
	// An ID is "101:" or "101:" glued to the resource ("101:kmemsize").
	if c := bytes.LastIndexByte(tok, ':'); c >= 0 {
		if p.fixedID != "" {
			return p.fail(line, "container ID in a per-container file")
		}
		if err := p.startBlock(line, tok[:c]); err != nil {
			return err
		}
		if c+1 < len(tok) {
			e = i + c + 1 // the resource name follows the colon
		} else {
			e = skipBlank(line, e)
			if e == len(line) {
				return p.fail(line, "container ID without a resource")
			}
		}
		i = e
		e = tokenEnd(line, i)
		tok = line[i:e]
	} else if p.cur < 0 {
		return p.fail(line, "resource row before any container ID")
	}
	name, known, err := p.resourceName(line, tok)
	if err != nil {
		return err
	}
	var v [5]uint64
	pos := e
	for k := range v {
		pos = skipBlank(line, pos)
		if pos == len(line) {
			return p.fail(line, "expected 5 numbers after the resource name, found %d", k)
		}
		n, end, ok := scanNumber(line, pos, k == 2 || k == 3)
		if !ok {
			return p.fail(line, "%s is not an unsigned 64-bit number: %q", titleFields[2+k], Excerpt(line[pos:tokenEnd(line, pos)]))
		}
		v[k] = n
		pos = end
	}
	if skipBlank(line, pos) != len(line) {
		return p.fail(line, "more than 5 numbers after the resource name")
	}
	if name == dummyName {
		return nil
	}
	blk := &p.blocks[p.cur]
	if known >= 0 {
		if p.curSeen&(1<<known) != 0 {
			return p.fail(line, "resource %s twice in container %s", name, blk.ID)
		}
		p.curSeen |= 1 << known
	} else {
		if _, dup := blk.Row(name); dup {
			return p.fail(line, "resource %s twice in container %s", name, blk.ID)
		}
	}
	blk.Rows = append(blk.Rows, Row{Name: name, Held: v[0], MaxHeld: v[1], Barrier: v[2], Limit: v[3], FailCnt: v[4]})
	return nil
}

func (p *parser) startBlock(line, id []byte) error {
	if len(id) == 0 {
		return p.fail(line, "empty container ID")
	}
	if !ValidID(string(id)) {
		return p.fail(line, "container ID is not 1-64 of A-Z a-z 0-9 . _ - (not starting with . or -)")
	}
	p.openBlock(string(id))
	return nil
}

// ValidID reports whether id can be a container ID: the kernel's numeric
// IDs and VZ7 names (UUID-like), at most 64 bytes. Anything else is damage;
// refusing it keeps IDs safe in paths, perfdata labels and output.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 || id[0] == '.' || id[0] == '-' {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// resourceName interns known names (no allocation per row) and returns the
// kernel index, or -1 for an unknown name. Rows come in kernel order, so
// the next index is tried before the map.
func (p *parser) resourceName(line, tok []byte) (string, int, error) {
	if p.predicted < len(Known) && string(tok) == Known[p.predicted].Name {
		k := p.predicted
		p.predicted++
		return Known[k].Name, k, nil
	}
	if string(tok) == dummyName {
		return dummyName, -1, nil
	}
	if k, ok := knownIndex[string(tok)]; ok {
		p.predicted = k + 1
		return Known[k].Name, k, nil
	}
	if len(tok) == 0 || len(tok) > 32 {
		return "", -1, p.fail(line, "bad resource name")
	}
	for _, c := range tok {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", -1, p.fail(line, "bad resource name %q", Excerpt(tok))
		}
	}
	return string(tok), -1, nil
}

// scanNumber parses the unsigned decimal token starting at pos in one pass
// and returns its end, taking digits eight at a time; up to 19 digits cannot overflow, longer tokens go through strconv
// for the overflow check. allowMax accepts the literal "max" that the VHS
// emulator prints for an unlimited pids.max.
func scanNumber(line []byte, pos int, allowMax bool) (uint64, int, bool) {
	i := pos
	var v uint64
	for i+8 <= len(line) {
		x := binary.LittleEndian.Uint64(line[i:])
		if !eightDigits(x) {
			break
		}
		v = v*100000000 + parseEight(x)
		i += 8
	}
	for i < len(line) {
		d := line[i] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
		i++
	}
	if i < len(line) && !isBlank(line[i]) {
		end := tokenEnd(line, pos)
		if allowMax && string(line[pos:end]) == "max" {
			return LongMax64, end, true
		}
		return 0, end, false
	}
	switch n := i - pos; {
	case n == 0:
		return 0, i, false
	case n > 19:
		big, err := strconv.ParseUint(string(line[pos:i]), 10, 64)
		return big, i, err == nil
	}
	return v, i, true
}

// eightDigits reports whether all eight bytes of x are '0'..'9': the high
// nibble is 3, and adding 6 to the low nibble does not carry into it.
func eightDigits(x uint64) bool {
	const hi, six = 0xF0F0F0F0F0F0F0F0, 0x0606060606060606
	return x&hi == 0x3030303030303030 && (x+six)&hi == 0x3030303030303030
}

// parseEight converts eight ASCII digits (first digit in the lowest byte)
// by combining neighbours pairwise: 2-digit, then 4-digit, then 8-digit.
func parseEight(x uint64) uint64 {
	x -= 0x3030303030303030
	x = (x*10 + x>>8) & 0x00FF00FF00FF00FF
	x = (x*100 + x>>16) & 0x0000FFFF0000FFFF
	return (x*10000 + x>>32) & 0xFFFFFFFF
}
