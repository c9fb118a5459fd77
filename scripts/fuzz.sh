#!/bin/sh
# Runs every fuzz target in the module for the given time each (default 10s).
#
# Go before 1.27 can end a -fuzztime run with a bare "context deadline
# exceeded" when the time runs out while a worker is busy (golang/go#75804,
# a race in the fuzz coordinator, not a finding): such a run wrote no
# failing input. It is retried once; a run that wrote a failing input, or
# fails in any other way, fails at once.
set -eu
cd "$(dirname "$0")/.."
t=${1:-10s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		for try in 1 2; do
			echo "fuzz $pkg $target for $t"
			if go test -run '^$' -fuzz "^$target\$" -fuzztime "$t" "$pkg" >"$log" 2>&1; then
				cat "$log"
				break
			fi
			cat "$log"
			if [ "$try" = 1 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
				echo "fuzz: $target ended on Go's fuzztime deadline race (golang/go#75804), no failing input; trying once more"
				continue
			fi
			exit 1
		done
	done
done
