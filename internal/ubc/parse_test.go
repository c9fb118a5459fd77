package ubc_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/ubc"
)

func realDump(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "real", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseRealDumps(t *testing.T) {
	tests := []struct {
		file      string
		id        string
		rows      int
		check     string
		held, bar uint64
	}{
		// Inside views, 64-bit; deimosfr's dump is shifted one column left.
		{"ovz-64bit-ubc-ct7-inside-periscope.txt", "7", 20, "dcachesize", 57694551, 60817408},
		{"ovz-64bit-ubc-ct101-inside-deimosfr.txt", "101", 20, "tcpsndbuf", 106952, 1720320},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := ubc.Parse(bytes.NewReader(realDump(t, tt.file)), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Containers) != 1 || s.Containers[0].ID != tt.id {
				t.Fatalf("containers = %+v", s.Containers)
			}
			c := s.Containers[0]
			if len(c.Rows) != tt.rows {
				t.Errorf("rows = %d, want %d (dummies skipped)", len(c.Rows), tt.rows)
			}
			r, ok := c.Row(tt.check)
			if !ok || r.Held != tt.held || r.Barrier != tt.bar {
				t.Errorf("%s = %+v", tt.check, r)
			}
			if last := c.Rows[len(c.Rows)-1].Name; last != "numiptent" {
				t.Errorf("last row %s", last)
			}
		})
	}
}

// Every layout the generator renders must parse back to the same numbers.
func TestParseLayoutsRoundTrip(t *testing.T) {
	for _, name := range nodegen.PresetNames() {
		node := nodegen.Presets[name]()
		t.Run(name, func(t *testing.T) {
			var ub, bc bytes.Buffer
			if err := nodegen.WriteUserBeancounters(&ub, node.Kernel, node.Cts); err != nil {
				t.Fatal(err)
			}
			if err := nodegen.WriteBCResources(&bc, node.Kernel, node.Cts, false); err != nil {
				t.Fatal(err)
			}
			for _, in := range []struct {
				name string
				data []byte
				swap bool
			}{{"user_beancounters", ub.Bytes(), false}, {"bc/resources", bc.Bytes(), true}} {
				s, err := ubc.Parse(bytes.NewReader(in.data), in.name)
				if err != nil {
					t.Fatalf("%s: %v", in.name, err)
				}
				if len(s.Containers) != len(node.Cts) {
					t.Fatalf("%s: %d containers, want %d", in.name, len(s.Containers), len(node.Cts))
				}
				if s.Containers[len(s.Containers)-1].ID != "0" {
					t.Errorf("%s: CT 0 is not last", in.name)
				}
				for _, want := range node.Cts {
					got, ok := s.Container(want.ID)
					if !ok {
						t.Fatalf("%s: no CT %s", in.name, want.ID)
					}
					for _, w := range want.Rows {
						g, ok := got.Row(w.Name)
						if w.Name == "swappages" && !in.swap {
							if ok {
								t.Errorf("swappages in user_beancounters")
							}
							continue
						}
						if !ok || *g != w {
							t.Errorf("%s CT %s %s = %+v, want %+v", in.name, want.ID, w.Name, g, w)
						}
					}
				}
			}
			for _, ct := range node.Cts {
				var one bytes.Buffer
				if err := nodegen.WriteBCResources(&one, node.Kernel, []nodegen.Container{ct}, true); err != nil {
					t.Fatal(err)
				}
				s, err := ubc.ParseContainer(&one, "bc/"+ct.ID+"/resources", ct.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(s.Containers) != 1 || len(s.Containers[0].Rows) != len(ct.Rows) {
					t.Errorf("per-container %s: %+v", ct.ID, s.Containers)
				}
			}
		})
	}
}

const hdr64 = "Version: 2.5\n       uid  resource                     held              maxheld              barrier                limit              failcnt\n"

func TestParseVariants(t *testing.T) {
	tests := []struct {
		name, in string
		id, res  string
		want     ubc.Row
	}{
		{"vz7 colon outside field", hdr64 + "       102: kmemsize                 12632064             14221312  9223372036854775807  9223372036854775807                    0\n",
			"102", "kmemsize", ubc.Row{"kmemsize", 12632064, 14221312, ubc.LongMax64, ubc.LongMax64, 0}},
		{"uuid overflows the field", hdr64 + "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f: numproc 5 9 max max 0\n",
			"1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f", "numproc", ubc.Row{"numproc", 5, 9, ubc.LongMax64, ubc.LongMax64, 0}},
		{"id glued to resource", hdr64 + "101:kmemsize 1 2 3 4 5\n", "101", "kmemsize", ubc.Row{"kmemsize", 1, 2, 3, 4, 5}},
		{"collapsed whitespace", "Version: 2.5\nuid resource held maxheld barrier limit failcnt\n101: numproc 1 2 3 4 5\nnumfile 6 7 8 9 10\n",
			"101", "numfile", ubc.Row{"numfile", 6, 7, 8, 9, 10}},
		{"tabs and CRLF", "Version: 2.5\r\nuid\tresource\theld\tmaxheld\tbarrier\tlimit\tfailcnt\r\n101:\tnumproc\t1\t2\t3\t4\t5\r\n",
			"101", "numproc", ubc.Row{"numproc", 1, 2, 3, 4, 5}},
		{"unknown resource kept", hdr64 + "  5: kmemsize 1 1 1 1 0\n     newthing 7 8 9 10 11\n", "5", "newthing", ubc.Row{"newthing", 7, 8, 9, 10, 11}},
		{"20-digit value", hdr64 + "  5: kmemsize 18446744073709551615 1 1 1 0\n", "5", "kmemsize", ubc.Row{"kmemsize", 18446744073709551615, 1, 1, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ubc.Parse(strings.NewReader(tt.in), "x")
			if err != nil {
				t.Fatal(err)
			}
			c, ok := s.Container(tt.id)
			if !ok {
				t.Fatalf("no CT %q in %+v", tt.id, s.Containers)
			}
			r, ok := c.Row(tt.res)
			if !ok || *r != tt.want {
				t.Fatalf("got %+v, want %+v", r, tt.want)
			}
		})
	}
}

func TestParseDummyRowsSkipped(t *testing.T) {
	s, err := ubc.Parse(strings.NewReader(hdr64+"  5: kmemsize 1 1 1 1 0\n     dummy 0 0 0 0 0\n     numproc 1 1 1 1 0\n     dummy 0 0 0 0 0\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Containers[0].Rows); n != 2 {
		t.Fatalf("rows = %d", n)
	}
}

func TestParseErrors(t *testing.T) {
	row := "  5: kmemsize 1 2 3 4 5\n"
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty file", "", 0, "empty file"},
		{"header only", "Version: 2.5\n", 1, "no beancounter rows"},
		{"no rows", hdr64, 2, "no beancounter rows"},
		{"other version", "Version: 2.4\n", 1, "line 1: unsupported version, this plugin reads \"Version: 2.5\""},
		{"shell prompt first", "# cat /proc/user_beancounters\n" + hdr64 + row, 1, "line 1: not the \"Version: 2.5\" header (missing header, or not a kernel file)"},
		{"no header", strings.TrimPrefix(hdr64, "Version: 2.5\n") + row, 1, "line 1: not the \"Version: 2.5\" header"},
		{"rows only", row, 1, "line 1: not the \"Version: 2.5\" header"},
		{"bad title", "Version: 2.5\nuid resource held maxheld barrier limit\n" + row, 2, "unexpected title"},
		{"field missing", hdr64 + "  5: kmemsize 1 2 3 4\n", 3, "found 4"},
		{"field extra", hdr64 + "  5: kmemsize 1 2 3 4 5 6\n", 3, "more than 5"},
		{"not a number", hdr64 + "  5: kmemsize 1 2x 3 4 5\n", 3, "maxheld is not"},
		{"negative", hdr64 + "  5: kmemsize -1 2 3 4 5\n", 3, "held is not"},
		{"above 2^64", hdr64 + "  5: kmemsize 18446744073709551616 2 3 4 5\n", 3, "held is not"},
		{"max in held", hdr64 + "  5: kmemsize max 2 3 4 5\n", 3, "held is not"},
		{"continuation first", hdr64 + "     kmemsize 1 2 3 4 5\n", 3, "before any container ID"},
		{"duplicate block", hdr64 + row + row, 4, "second block for container 5"},
		{"duplicate resource", hdr64 + row + "   kmemsize 1 2 3 4 5\n", 4, "resource kmemsize twice"},
		{"blank line", hdr64 + row + "\n", 4, "empty line"},
		{"no final newline", hdr64 + strings.TrimSuffix(row, "\n"), 3, "no newline"},
		{"NUL byte", hdr64 + "  5: kmemsize 1 2\x00 3 4 5\n", 3, "maxheld is not"},
		{"long line", hdr64 + "  5: kmemsize" + strings.Repeat(" ", 5000) + "1 2 3 4 5\n", 3, "longer than"},
		{"one-line dump", "Version: 2.5 uid resource held maxheld barrier limit failcnt 5: kmemsize 1 2 3 4 5\n", 1, "line 1: not the \"Version: 2.5\" header"},
		{"empty id", hdr64 + "  : kmemsize 1 2 3 4 5\n", 3, "empty container ID"},
		{"id with a slash", hdr64 + "  ../x: kmemsize 1 2 3 4 5\n", 3, "container ID is not"},
		{"dot id", hdr64 + "  ..: kmemsize 1 2 3 4 5\n", 3, "container ID is not"},
		{"id without resource", hdr64 + "  5:\n", 3, "without a resource"},
		{"bad resource name", hdr64 + "  5: kmem-size 1 2 3 4 5\n", 3, "bad resource name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ubc.Parse(strings.NewReader(tt.in), "proc/x")
			var se *ubc.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a SyntaxError", err)
			}
			if se.Line != tt.line || !strings.Contains(se.Error(), tt.msg) || !strings.HasPrefix(se.Error(), "proc/x") {
				t.Fatalf("err = %q (line %d), want line %d containing %q", se, se.Line, tt.line, tt.msg)
			}
		})
	}
}

func TestParseContainerRejectsIDs(t *testing.T) {
	_, err := ubc.ParseContainer(strings.NewReader("  5: kmemsize 1 2 3 4 5\n"), "bc/5/resources", "5")
	if err == nil || !strings.Contains(err.Error(), "per-container") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnlimited(t *testing.T) {
	for v, want := range map[uint64]bool{ubc.LongMax64: true, ubc.LongMax32: true, ubc.LongMax64 + 1: true, 0: false, 2147483646: false, 4294967296: false} {
		if ubc.Unlimited(v) != want {
			t.Errorf("Unlimited(%d) != %v", v, want)
		}
	}
}

func TestNumbersAllLengths(t *testing.T) {
	for _, v := range []uint64{0, 7, 12345678, 123456789, 1234567890123456, 12345678901234567, 9223372036854775806, 9223372036854775807, 9223372036854775808, 18446744073709551615} {
		in := hdr64 + "  5: kmemsize " + strconv.FormatUint(v, 10) + " 0 " + strconv.FormatUint(v, 10) + " 1 0\n"
		s, err := ubc.Parse(strings.NewReader(in), "x")
		if err != nil {
			t.Fatalf("%d: %v", v, err)
		}
		if r := s.Containers[0].Rows[0]; r.Held != v || r.Barrier != v {
			t.Errorf("%d parsed as %d/%d", v, r.Held, r.Barrier)
		}
	}
	for _, bad := range []string{"1234567:", "12345678x", "922337203685477580x", "92233720368547758070"} {
		if _, err := ubc.Parse(strings.NewReader(hdr64+"  5: kmemsize "+bad+" 0 1 1 0\n"), "x"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Scan hands over every block in file order, each complete, in one reused
// Container; Parse stores the same blocks.
func TestScanHandsOverEachBlock(t *testing.T) {
	node := nodegen.Incident204()
	var b bytes.Buffer
	if err := nodegen.WriteBCResources(&b, node.Kernel, node.Cts, false); err != nil {
		t.Fatal(err)
	}
	want, err := ubc.Parse(bytes.NewReader(b.Bytes()), "t")
	if err != nil {
		t.Fatal(err)
	}
	var got []ubc.Container
	var first *ubc.Container
	err = ubc.Scan(bytes.NewReader(b.Bytes()), "t", func(c *ubc.Container) error {
		if first == nil {
			first = c
		} else if c != first {
			t.Error("a new Container for each block: the buffer is not reused")
		}
		got = append(got, ubc.Container{ID: c.ID, Rows: append([]ubc.Row(nil), c.Rows...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want.Containers) {
		t.Fatalf("Scan: %+v\nParse: %+v", got, want.Containers)
	}
}

func TestScanStopsAtCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := ubc.Scan(strings.NewReader(hdr64+"3: kmemsize 1 2 3 4 5\n2: kmemsize 1 2 3 4 5\n1: kmemsize 1 2 3 4 5\n"), "t", func(c *ubc.Container) error {
		calls++
		if c.ID == "2" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Fatalf("err = %v after %d calls, want the callback's error after 2", err, calls)
	}
}

func TestScanContainer(t *testing.T) {
	var got []string
	err := ubc.ScanContainer(strings.NewReader("   kmemsize 1 2 3 4 5\n   numproc 6 7 8 9 10\n"), "bc/7/resources", "7", func(c *ubc.Container) error {
		for _, r := range c.Rows {
			got = append(got, c.ID+" "+r.Name)
		}
		return nil
	})
	if err != nil || strings.Join(got, ",") != "7 kmemsize,7 numproc" {
		t.Fatalf("got %q, err %v", got, err)
	}
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ubc.Parse(io.MultiReader(strings.NewReader(hdr64), iotest.ErrReader(boom)), "proc/x")
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "proc/x: read: ") {
		t.Fatalf("err = %v", err)
	}
}
