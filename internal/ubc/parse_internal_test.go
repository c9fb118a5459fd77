package ubc

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// genTable is a 64-bit table with n containers of all 24 rows.
func genTable(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Version: 2.5\n       uid  resource                     held              maxheld              barrier                limit              failcnt\n")
	for c := n; c >= 0; c-- {
		for i, r := range Known[:24] {
			id := ""
			if i == 0 {
				id = fmt.Sprint(c) + ":"
			}
			fmt.Fprintf(&b, "%10s  %-12s %20d %20d %20d %20d %20d\n", id, r.Name, c*100+i, c*200+i, 9223372036854775807, 1000+i, c%7)
		}
	}
	return b.Bytes()
}

func describe(s *Snapshot, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	for _, c := range s.Containers {
		fmt.Fprintf(&b, "%s:%v\n", c.ID, c.Rows)
	}
	for _, c := range s.Containers {
		if got, ok := s.Container(c.ID); !ok || got.ID != c.ID {
			b.WriteString("index broken for " + c.ID)
		}
	}
	return b.String()
}

// Splitting the input into segments parsed in parallel must not change
// any result: the same snapshot, or the same error on the same line,
// wherever the seams fall.
func TestSegmentSeamsDoNotMatter(t *testing.T) {
	base := genTable(150) // ~470 KB, 3626 lines
	lines := strings.SplitAfter(string(base), "\n")
	edit := func(f func(l []string) []string) []byte {
		l := append([]string(nil), lines...)
		return []byte(strings.Join(f(l), ""))
	}
	inputs := map[string][]byte{
		"valid": base,
		"column missing far in": edit(func(l []string) []string {
			l[3001] = strings.TrimRight(l[3001], "0123456789\n") + "\n"
			return l
		}),
		"resource repeated": edit(func(l []string) []string {
			return append(l[:2500], append([]string{l[2499]}, l[2500:]...)...)
		}),
		"block repeated": edit(func(l []string) []string {
			return append(l, l[2:26]...)
		}),
		"cut short": edit(func(l []string) []string {
			return append(l[:len(l)-2], strings.TrimSuffix(l[len(l)-2], "\n")) // SplitAfter ends with ""
		}),
		"garbage late": edit(func(l []string) []string {
			l[3500] = "\x00\x01binary\n"
			return l
		}),
		"continuation first": edit(func(l []string) []string {
			return append(l[:2], l[3:]...)
		}),
	}
	defer func(n int) { segmentSize = n }(segmentSize)
	for name, in := range inputs {
		segmentSize = len(in) + 1 // one segment, no goroutines
		want := describe(Parse(bytes.NewReader(in), "t"))
		if name == "valid" && strings.HasPrefix(want, "error") {
			t.Fatalf("valid input: %s", want)
		}
		if name != "valid" && !strings.HasPrefix(want, "error") {
			t.Fatalf("%s: parsed", name)
		}
		for _, size := range []int{4200, 4999, 8192, 65536} {
			segmentSize = size
			if got := describe(Parse(bytes.NewReader(in), "t")); got != want {
				t.Errorf("%s with %d-byte segments:\n got %.200s\nwant %.200s", name, size, got, want)
			}
		}
	}
}
