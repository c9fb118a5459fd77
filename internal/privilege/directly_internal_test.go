package privilege

import "testing"

// Under raised privileges a state file must sit right in the state
// directory, written plainly: a subdirectory could be a symlink the
// caller planted, and ".." could climb out through one.
func TestDirectlyIn(t *testing.T) {
	const dir = "/var/lib/check_ubc"
	for path, want := range map[string]bool{
		"/var/lib/check_ubc/x.json":                true,
		"/var/lib/check_ubc/failcnt-1.json":        true,
		"/var/lib/check_ubc/a/evil.d/x.json":       false, // the reported attack
		"/var/lib/check_ubc/a/x.json":              false,
		"/var/lib/check_ubc/../../etc/passwd":      false,
		"/var/lib/check_ubc/a/../x.json":           false, // cleans to an allowed path, but a/ may be a symlink
		"/var/lib/check_ubc/./x.json":              false,
		"/var/lib/check_ubc//x.json":               false,
		"/var/lib/check_ubc/":                      false,
		"/var/lib/check_ubc":                       false,
		"/var/lib/check_ubc/..":                    false,
		"var/lib/check_ubc/x.json":                 false,
		"/var/lib/check_ubc.evil/x.json":           false,
		"/var/lib/check_ubc/x.json/":               false,
		"/var/lib/check_ubc/x.json/../../y.json":   false,
		"/var/lib/check_ubc/...":                   true, // an odd but plain name
		"/etc/shadow":                              false,
		"/var/lib/check_ubc/x.json\x00/etc/shadow": false,
	} {
		if got := directlyIn(path, dir); got != want {
			t.Errorf("directlyIn(%q) = %v, want %v", path, got, want)
		}
	}
}
