#!/bin/sh
# Runs every fuzz target in the module for the given time each (default 10s).
set -eu
cd "$(dirname "$0")/.."
t=${1:-10s}
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		echo "fuzz $pkg $target for $t"
		go test -run '^$' -fuzz "^$target\$" -fuzztime "$t" "$pkg"
	done
done
