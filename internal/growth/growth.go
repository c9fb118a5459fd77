// Package growth is the failcnt-growth engine that check_ubc_failcnt and
// check_vz_container both run: the settings, the judgement of an increase,
// the run against the state file (lock, read, compare, save) and its
// wording. The comparison itself is package failcnt; the file, statefile.
package growth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/failcnt"
	"github.com/vzmon/vzmon/internal/status"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Flags are the failcnt-growth settings shared by check_ubc_failcnt and
// check_vz_container (which embeds them with the prefix "failcnt-"); they
// have no short flags, so that embedding never clashes. The ranges over an
// increase are each plugin's own flags, given to Judge.
type Flags struct {
	CriticalResource []string     `name:"critical-resource" sep:"," placeholder:"NAME" help:"Resources whose every increase is CRITICAL (replaces the default list; 'none' for no such resource). Default: every resource whose failure users see, including oomguarpages (OOM kills); not physpages, swappages, vmguarpages."`
	Hold             cli.Duration `name:"hold" default:"15m" placeholder:"DURATION" help:"Keep reporting an increase this long after it was seen, so that retries reach a HARD state (default ${default}; 0: report it in one run only)."`
	Forget           cli.Duration `name:"forget" default:"24h" placeholder:"DURATION" help:"Drop a container that has vanished from the state after this long (default ${default})."`
	Now              string       `name:"now" hidden:"" help:"Wall-clock time to use (RFC 3339), for tests and the demo."`
}

// Validate checks names and durations.
func (f *Flags) Validate() error {
	for _, n := range f.CriticalResource {
		if n != "none" && !ubc.IsKnown(n) {
			return fmt.Errorf("--critical-resource: unknown resource %q (known: %s)", n, strings.Join(ubc.Names(), ", "))
		}
	}
	if f.Now != "" {
		if _, err := time.Parse(time.RFC3339, f.Now); err != nil {
			return fmt.Errorf("--now: %w", err)
		}
	}
	return nil
}

// Judge says how an increase is judged.
type Judge struct {
	Ranges   threshold.Pair  // over the increase of one resource's failcnt
	Critical map[string]bool // resources whose every increase is CRITICAL
}

// Judge is the judge of the plugin's ranges and --critical-resource.
func (f *Flags) Judge(ranges threshold.Pair) Judge {
	set := map[string]bool{}
	if len(f.CriticalResource) == 0 {
		for _, r := range ubc.Known {
			if r.FailureCritical && r.Name != "dummy" {
				set[r.Name] = true
			}
		}
	}
	for _, n := range f.CriticalResource {
		if n != "none" {
			set[n] = true
		}
	}
	return Judge{Ranges: ranges, Critical: set}
}

// capped resources grow under reclaim pressure, not failure: at most
// WARNING unless named with --critical-resource (docs/formats.md §2.2).
var capped = map[string]bool{"physpages": true, "swappages": true, "vmguarpages": true}

// Level judges one increase.
func (j Judge) Level(inc failcnt.Increase) status.Status {
	switch st := j.Ranges.Judge(inc.Delta); {
	case j.Critical[inc.Resource]:
		return status.Critical
	case st == status.Critical && capped[inc.Resource]:
		return status.Warning
	default:
		return st
	}
}

// StatePath is the default state file for a selection key: one per
// selection (and per --root, so tests never touch production state).
func StatePath(dir, key, root string) string {
	if filepath.Clean(root) != "/" {
		key += ";root=" + root
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "failcnt-"+hex.EncodeToString(sum[:6])+".json")
}
