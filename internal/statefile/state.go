// Package statefile keeps check_ubc_failcnt's memory between runs: the
// previous failcnts and the recent increases, in a versioned JSON file that
// is read and replaced atomically under a lock, never follows a symlink,
// and refuses files other users could have written.
package statefile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/vzmon/vzmon/internal/ctid"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/ubc"
)

// Version is the state format this code writes. It reads version 1 too
// (written before the holds were recorded: no "holds"). A binary that only
// knows version 1 refuses a version 2 file ("state format version 2") and
// moves it aside like any unreadable state: a WARNING and a new baseline.
const Version = 2

// Hold is one --hold that runs on this state file use, and when a run
// last used it. The events are kept for the longest recent hold, so that a
// run with a shorter one (--hold 0 from cron) cannot erase what a
// scheduled check still reports.
type Hold struct {
	Seconds  float64 `json:"seconds"`
	LastUsed Stamp   `json:"last_used"`
}

// D is the hold as a duration.
func (h Hold) D() time.Duration { return time.Duration(h.Seconds * float64(time.Second)) }

// Stamp is a moment in two clocks: wall time (Unix seconds), and seconds
// since boot, which wall-clock changes do not move (0 when unknown).
type Stamp struct {
	Wall int64   `json:"wall"`
	Boot float64 `json:"boot,omitempty"`
}

// Container is what the last run saw of one container.
type Container struct {
	// Start is when it started, in seconds since the host booted
	// (host uptime less its own); nil when the kernel does not say.
	Start    *float64 `json:"start,omitempty"`
	LastSeen Stamp    `json:"last_seen"`
	// FailCnt holds the non-zero failcnts; a resource of State.Resources
	// that is missing here was 0.
	FailCnt map[string]uint64 `json:"failcnt,omitempty"`
}

// Event is one increase of one failcnt, seen by one run.
type Event struct {
	CT       string `json:"ct"`
	Resource string `json:"resource"`
	Delta    uint64 `json:"delta"`
	FailCnt  uint64 `json:"failcnt"` // the value after the increase
	Seen     Stamp  `json:"seen"`
	Restart  bool   `json:"restart,omitempty"` // counted from 0 after a restart
	// Reset: the counter went down while the container's start did not
	// change (a reset without a restart); counted from 0. Since version 2.
	Reset bool `json:"reset,omitempty"`
	New   bool `json:"new,omitempty"` // the container appeared after the baseline
}

// State is the whole file.
type State struct {
	Version    int                   `json:"version"`
	Selection  string                `json:"selection"`
	BootID     string                `json:"boot_id,omitempty"`
	Written    Stamp                 `json:"written"`
	Resources  []string              `json:"resources"` // the resources tracked
	Containers map[string]*Container `json:"containers"`
	Events     []Event               `json:"events"`
	Holds      []Hold                `json:"holds,omitempty"` // since version 2
}

// Limits on what a state file may hold: far above any real node, low
// enough that a damaged file cannot make a run slow or large.
const (
	MaxBytes      = 256 << 20
	maxContainers = 100000
	maxEvents     = 1000000
	// MaxHolds bounds the distinct --hold values remembered; beyond it the
	// least recently used is forgotten.
	MaxHolds = 64
	// maxHoldSeconds keeps a hold convertible to a time.Duration.
	maxHoldSeconds = float64(math.MaxInt64 / int64(time.Second))
)

// Decode parses and validates a state file. Anything unexpected (unknown
// fields, another version, IDs or resource names that could not come from
// the kernel) is an error: the caller moves the file aside.
func Decode(b []byte) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("not a state file: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not a state file: data after the JSON document")
	}
	if s.Version != 1 && s.Version != Version {
		return nil, fmt.Errorf("state format version %d, this plugin reads 1 to %d", s.Version, Version)
	}
	if len(s.Containers) > maxContainers || len(s.Events) > maxEvents || len(s.Holds) > MaxHolds {
		return nil, fmt.Errorf("implausibly large state")
	}
	if s.Version == 1 && s.Holds != nil {
		return nil, fmt.Errorf("holds in a version 1 state")
	}
	for _, h := range s.Holds {
		if !(h.Seconds >= 0 && h.Seconds <= maxHoldSeconds) {
			return nil, fmt.Errorf("bad hold %v", h.Seconds)
		}
	}
	for _, res := range s.Resources {
		if !ubc.IsKnown(res) {
			return nil, fmt.Errorf("unknown resource %q", text.Excerpt(res))
		}
	}
	for id, c := range s.Containers {
		if !ctid.Valid(id) || c == nil {
			return nil, fmt.Errorf("bad container entry %q", text.Excerpt(id))
		}
		for res := range c.FailCnt {
			if !ubc.IsKnown(res) {
				return nil, fmt.Errorf("unknown resource %q for container %s", text.Excerpt(res), id)
			}
		}
		if c.FailCnt == nil {
			c.FailCnt = map[string]uint64{}
		}
	}
	for _, e := range s.Events {
		if !ctid.Valid(e.CT) || !ubc.IsKnown(e.Resource) || e.Delta == 0 {
			return nil, fmt.Errorf("bad event %+v", e)
		}
	}
	if s.Containers == nil {
		s.Containers = map[string]*Container{}
	}
	return &s, nil
}

// Encode renders the state; the output always decodes again.
func (s *State) Encode() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
