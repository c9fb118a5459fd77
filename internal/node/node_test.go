package node_test

import (
	"testing"

	"github.com/vzmon/vzmon/internal/node"
)

func TestValidCTID(t *testing.T) {
	for id, want := range map[string]bool{
		"0": true, "101": true, "2147483647": true, "7f3e2d1c-0b9a-4876-a543-210fedcba987": true,
		"7F3E2D1C-0B9A-4876-A543-210FEDCBA987": true,
		"":                                     false, "0204": false, "2147483648": false, "99999999999": false, "vps.basic": false, "old-101": false,
		"101.conf": false, "-1": false, "7f3e2d1c0b9a4876a543210fedcba987": false, "7f3e2d1c-0b9a-4876-a543-210fedcba98g": false,
		"7f3e2d1c-0b9a-4876-a543+210fedcba987": false,
	} {
		if got := node.ValidCTID(id); got != want {
			t.Errorf("ValidCTID(%q) = %v, want %v", id, got, want)
		}
	}
}
