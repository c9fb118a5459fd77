package ctid_test

import (
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/ctid"
)

func TestValid(t *testing.T) {
	for id, want := range map[string]bool{
		"0": true, "204": true, "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f": true, "web_1.a": true,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
		"": false, ".hidden": false, "-x": false, "../etc": false, "a/b": false, "a b": false, "a:b": false, "caf\xc3\xa9": false,
	} {
		if got := ctid.Valid(id); got != want {
			t.Errorf("Valid(%q) = %v, want %v", id, got, want)
		}
	}
}
