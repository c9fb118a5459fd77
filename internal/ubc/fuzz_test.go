package ubc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vzmon/vzmon/internal/nodegen"
	"github.com/vzmon/vzmon/internal/ubc"
)

// FuzzParse checks that no input panics and that whatever parses satisfies
// the invariants the checks rely on.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "real", "ovz-*.txt"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	var b bytes.Buffer
	node := nodegen.VZ7UUID()
	_ = nodegen.WriteBCResources(&b, node.Kernel, node.Cts, false)
	f.Add(b.Bytes())
	f.Add([]byte(hdr64 + "101:kmemsize 1 2 max max 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ubc.Parse(bytes.NewReader(data), "fuzz")
		if err != nil {
			if len(err.Error()) > 300 {
				t.Fatalf("error message too long: %d bytes", len(err.Error()))
			}
			return
		}
		if len(s.Containers) == 0 {
			t.Fatal("parsed with no containers")
		}
		for i, c := range s.Containers {
			if c.ID == "" || bytes.ContainsAny([]byte(c.ID), " \t\r\n:") {
				t.Fatalf("bad ID %q", c.ID)
			}
			if got, _ := s.Container(c.ID); got != &s.Containers[i] {
				t.Fatalf("index broken for %q", c.ID)
			}
			seen := map[string]bool{}
			for _, r := range c.Rows {
				if r.Name == "" || r.Name == "dummy" || seen[r.Name] {
					t.Fatalf("bad or repeated row %q in %q", r.Name, c.ID)
				}
				seen[r.Name] = true
			}
		}
	})
}

func FuzzParseContainer(f *testing.F) {
	var b bytes.Buffer
	node := nodegen.Incident204()
	_ = nodegen.WriteBCResources(&b, node.Kernel, node.Cts[:1], true)
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ubc.ParseContainer(bytes.NewReader(data), "fuzz", "7")
		if err == nil && (len(s.Containers) != 1 || s.Containers[0].ID != "7") {
			t.Fatalf("got %+v", s.Containers)
		}
	})
}
