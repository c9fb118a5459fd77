// Package ctid says what a container ID read from a kernel file or a
// state file may be. It is a leaf: the parsers (ubc, vzproc) and the
// state file share it without importing each other.
package ctid

// Valid reports whether id can be a container ID: the kernel's numeric
// IDs and VZ7 names (UUID-like), at most 64 bytes. Anything else is damage;
// refusing it keeps IDs safe in paths, perfdata labels and output.
func Valid(id string) bool {
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
