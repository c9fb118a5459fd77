// Package version holds the suite's version, set at build time with
// -ldflags "-X github.com/vzmon/vzmon/internal/version.version=...".
package version

import "runtime/debug"

var version = ""

// String returns the injected version, else the module version Go recorded,
// else "devel".
func String() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
