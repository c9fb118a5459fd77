// Package checkct is check_vz_container: one container's health as the
// hardware node sees it (running, uptime, tasks and load, required
// processes, beancounters, failcnt growth, disk quota), without entering
// the container or running vzctl, so it works when the container is wedged.
package checkct

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vzmon/vzmon/internal/cli"
	"github.com/vzmon/vzmon/internal/growth"
	"github.com/vzmon/vzmon/internal/selection"
	"github.com/vzmon/vzmon/internal/text"
	"github.com/vzmon/vzmon/internal/threshold"
	"github.com/vzmon/vzmon/internal/usage"
)

// Parts are the sub-checks; each can be turned off with --skip.
var Parts = []string{"state", "uptime", "load", "tasks", "processes", "beancounters", "failcnt", "quota"}

// Flags are check_vz_container's command line.
type Flags struct {
	cli.Common      `embed:""`
	CTID            string           `name:"ctid" placeholder:"ID|NAME" help:"The container: an ID (numeric or Virtuozzo 7 name) or a vzctl name."`
	All             bool             `name:"all" help:"Check every container in one run instead: each that should run runs, and each one's load. The worst first; the output fits NRPE 2 (1023 bytes) unless --max-output says otherwise."`
	ExcludeCTID     []string         `name:"exclude-ctid" sep:"none" placeholder:"ID|NAME,..." help:"With --all: leave these containers out (IDs or names)."`
	Expect          string           `name:"expect" enum:"auto,running,stopped,any" default:"auto" placeholder:"auto|running|stopped|any" help:"Whether it should run (with --all: each one); auto: running when its config says ONBOOT=yes, else any."`
	Skip            []string         `name:"skip" sep:"," enum:"state,uptime,load,tasks,processes,beancounters,failcnt,quota" placeholder:"PART" help:"Turn parts off: state, uptime, load, tasks, processes, beancounters, failcnt, quota."`
	RestartWarning  cli.Duration     `name:"restart-warning" default:"0" placeholder:"DURATION" help:"WARNING when the container started less than this long ago (0: off)."`
	LoadWarning     threshold.Triple `name:"load-warning" placeholder:"W1,W5,W15" help:"Warning ranges over the 1, 5 and 15-minute load averages, or one for all three (default: 2 x its CPUs). Where the kernel keeps no load average for it, the first applies to the runnable plus uninterruptible (R+D) threads counted now."`
	LoadCritical    threshold.Triple `name:"load-critical" placeholder:"C1,C5,C15" help:"Critical ranges over the load averages (default: 5 x its CPUs)."`
	DstateWarning   *threshold.Range `name:"dstate-warning" default:"10" placeholder:"RANGE" help:"Warning range over uninterruptible (D) tasks: blocked on storage."`
	DstateCritical  *threshold.Range `name:"dstate-critical" default:"50" placeholder:"RANGE" help:"Critical range over D tasks."`
	Process         []string         `name:"process" sep:"none" placeholder:"NAME[:MIN[:MAX]]" help:"A process the container must run, by command name as in ps, repeatable: --process slapd --process apache2:2. CRITICAL with fewer than MIN (default 1) or more than MAX processes (threads do not count). The kernel keeps 15 bytes of a name: a longer NAME is compared on its first 15, so systemd-journald also counts systemd-journal-upload."`
	EnvID           string           `name:"envid" placeholder:"N" help:"Also count tasks whose envID (in /proc/<pid>/status) is N: a fallback for a kernel that shows a UUID-named container's tasks under a legacy number not in its config's VEID=. Tasks showing its ID or VEID= always count."`
	Usage           usage.Flags      `embed:""`
	Resource        []string         `name:"resource" sep:"none" placeholder:"NAME,..." help:"Judge only these beancounters."`
	ExcludeResource []string         `name:"exclude-resource" sep:"none" placeholder:"NAME,..." help:"Skip these beancounters."`
	QuotaWarning    *threshold.Range `name:"quota-warning" default:"90" placeholder:"RANGE" help:"Warning range over disk and inode usage in percent of the soft limit (of the hard limit where there is no soft one)."`
	QuotaCritical   *threshold.Range `name:"quota-critical" default:"100" placeholder:"RANGE" help:"Critical range over quota usage in percent (default: above the soft limit, when the grace period runs)."`
	StateFile       string           `name:"state-file" placeholder:"PATH" help:"Also alert on failcnt growth, keeping the previous failcnts in PATH (as check_ubc_failcnt does); a plain name is a file in /var/lib/check_ubc/<uid>/."`
	FailcntRanges   struct {
		Warning  *threshold.Range `name:"failcnt-warning" default:"0" placeholder:"RANGE" help:"With --state-file: warning range over the increase of one failcnt (default: any)."`
		Critical *threshold.Range `name:"failcnt-critical" placeholder:"RANGE" help:"With --state-file: critical range over the increase of one failcnt."`
	} `embed:""`
	Growth    growth.Flags   `embed:"" prefix:"failcnt-"`
	MaxOutput *cli.MaxOutput `name:"max-output" placeholder:"BYTES" help:"Cut the long output to fit BYTES (default 65504, the NRPE 3/4 limit, for one container; 1023, the NRPE 2 limit, with --all; 0 = no limit)."`
}

// Validate checks what kong cannot.
func (f *Flags) Validate() error {
	switch {
	case f.All:
		return f.validateAll()
	case len(f.ExcludeCTID) > 0:
		return fmt.Errorf("--exclude-ctid goes with --all (one container: give --ctid alone)")
	case f.CTID == "":
		return fmt.Errorf("--ctid or --all is required: the container to check (it is missing or empty; an unset macro?)")
	case strings.TrimSpace(f.CTID) == "":
		return fmt.Errorf("--ctid %q: empty container ID or name (an unset macro in the command?)", f.CTID)
	case strings.Contains(f.CTID, ","):
		return fmt.Errorf("--ctid %q: one container only (check_ubc takes lists)", text.Clean(f.CTID, 64))
	}
	sel := f.selection()
	if err := sel.Validate(); err != nil {
		return err
	}
	f.Resource, f.ExcludeResource = sel.Resource, sel.ExcludeResource // split
	for _, p := range f.Process {
		if _, err := parseProcess(p); err != nil {
			return err
		}
	}
	if f.EnvID != "" {
		if _, err := strconv.ParseUint(f.EnvID, 10, 32); err != nil {
			return fmt.Errorf("--envid %q: not a number", f.EnvID)
		}
	}
	if err := f.Growth.Validate(); err != nil {
		return err
	}
	return f.Usage.Validate()
}

func (f *Flags) selection() *selection.Flags {
	return &selection.Flags{CTID: []string{f.CTID}, Resource: f.Resource, ExcludeResource: f.ExcludeResource}
}

func (f *Flags) skipped(part string) bool {
	for _, s := range f.Skip {
		if s == part {
			return true
		}
	}
	return false
}

// required is one --process NAME[:MIN[:MAX]].
type required struct {
	name     string
	min, max int // max < 0: no maximum
}

func parseProcess(s string) (required, error) {
	parts := strings.Split(s, ":")
	r := required{name: parts[0], min: 1, max: -1}
	bad := fmt.Errorf("--process %q: expected NAME[:MIN[:MAX]] with whole numbers", s)
	if r.name == "" || len(parts) > 3 || len(r.name) > 64 {
		return r, bad
	}
	var err error
	if len(parts) > 1 && parts[1] != "" {
		if r.min, err = strconv.Atoi(parts[1]); err != nil || r.min < 0 {
			return r, bad
		}
	}
	if len(parts) > 2 && parts[2] != "" {
		if r.max, err = strconv.Atoi(parts[2]); err != nil || r.max < r.min {
			return r, bad
		}
	}
	return r, nil
}
