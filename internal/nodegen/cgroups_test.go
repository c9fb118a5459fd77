package nodegen_test

import (
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/nodegen"
)

// written renders a node into a temporary directory and reads it back.
func written(t *testing.T, n *nodegen.Node) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "node")
	if err := n.Write(dir); err != nil {
		t.Fatal(err)
	}
	return tree(t, dir)
}

// presetTrees caches written presets: writing a node is the slow part.
var presetTrees = map[string]map[string]string{}

// preset returns a preset's node and its written files.
func preset(t *testing.T, name string) (*nodegen.Node, map[string]string) {
	t.Helper()
	if presetTrees[name] == nil {
		presetTrees[name] = written(t, nodegen.Presets[name]())
	}
	return nodegen.Presets[name](), presetTrees[name]
}

// threads is what the kernel's per-container accounting should show for
// the tasks of one envID, worked out from the node's task list.
type threads struct {
	tids, tgids      []int
	running, blocked int
}

func threadsOf(n *nodegen.Node, envID string, withKThreads bool) threads {
	var th threads
	for _, t := range n.Tasks {
		if t.EnvID != envID || t.KThread && !withKThreads {
			continue
		}
		th.tgids = append(th.tgids, t.Pid)
		all := append([]nodegen.Thread{{Tid: t.Pid, State: t.State}}, t.Threads...)
		for _, x := range all {
			th.tids = append(th.tids, x.Tid)
			th.running += b2i(x.State == 'R')
			th.blocked += b2i(x.State == 'D')
		}
	}
	slices.Sort(th.tids)
	slices.Sort(th.tgids)
	return th
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func lines(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%d\n", id)
	}
	return b.String()
}

// running returns the IDs of the running containers but CT 0.
func running(n *nodegen.Node) []*nodegen.Container {
	var out []*nodegen.Container
	for i := range n.Cts {
		if c := &n.Cts[i]; !c.Stopped && c.ID != "0" {
			out = append(out, c)
		}
	}
	return out
}

func env(c *nodegen.Container) string {
	if c.EnvID != "" {
		return c.EnvID
	}
	return c.ID
}

// The fixed-width row of /proc/fairsched ("%10u %10u %10u %6u %5u %5u %5u
// %4u  %c%c %5u %20Lu %20Lu %20Lu"), with these numbers.
var fairschedRow = regexp.MustCompile(`^([ \d]{10}) ([ \d]{10}) ([ \d]{10}) ([ \d]{6}) ([ \d]{5}) ([ \d]{5}) ([ \d]{5}) ([ \d]{4})  [L.][D.] ([ \d]{5}) [ \d]{20} [ \d]{20} [ \d]{20}$`)

func TestFairschedFile(t *testing.T) {
	const header = "Version: 2.6 debug\n" +
		"      veid         id     parent weight  rate tasks   run cpus flg ready            start_tag                value                delay\n"
	for _, tt := range []struct {
		preset     string
		hostWeight int
		kthreads   bool   // 2.6.18 counts the host's kernel threads in its node
		want       string // lines that must appear verbatim
	}{
		{"incident-204", 500, false,
			"         0          0          0    500     0     8     0    8  ..     0                    0                    0                    0\n" +
				"         0 2147483647          0    500     0     8     0    8  ..     0                    0                    0                    0\n" +
				"         0        201          0    500     0     8     0    8  ..     0                    0                    0                    0\n" +
				"       201          0        201    500     0     8     0    8  ..     0                    0                    0                    0\n" +
				"       201          1          0    500     0     8     0    8  ..     0                    0                    0                    0\n" +
				"         0        202          0    500     0    21     0    8  ..     0                    0                    0                    0\n"},
		{"incident-204-fairsched", 500, false,
			"         0        204          0    500     0   163   121    8  ..   121                    0                    0                    0\n" +
				"       204          0        204    500     0   163   121    8  ..   121                    0                    0                    0\n" +
				"       204          1          0    500     0   163   121    8  ..   121                    0                    0                    0\n"},
		{"ovz-32bit", 1, true,
			"         0          0          0      1     0    18     0    8  ..     0                    0                    0                    0\n" +
				"         0 2147483647          0      1     0    18     0    8  ..     0                    0                    0                    0\n" +
				"         0        101          0    500     0     8     2    8  ..     2                    0                    0                    0\n"},
		{"rhel6-vswap", 500, false, ""},
	} {
		t.Run(tt.preset, func(t *testing.T) {
			n, files := preset(t, tt.preset)
			got := files["proc/fairsched"]
			body, ok := strings.CutPrefix(got, header)
			if !ok {
				t.Fatalf("header:\n%q", got)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("missing\n%s\nin\n%s", tt.want, got)
			}
			cts := running(n)
			rows := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
			// The host's node prints twice, every container's three times.
			if len(rows) != 2+3*len(cts) {
				t.Fatalf("%d rows for %d containers", len(rows), len(cts))
			}
			kept := map[string][2]int{} // what vzlist keeps: veid 0, id not 0 (the host's is INT_MAX)
			for i, r := range rows {
				m := fairschedRow.FindStringSubmatch(r)
				if m == nil {
					t.Fatalf("row %d not in the kernel's layout: %q", i, r)
				}
				f := make([]int, 0, 9)
				for _, s := range m[1:] {
					v, _ := strconv.Atoi(strings.TrimSpace(s))
					f = append(f, v)
				}
				if f[0] == 0 && f[1] != 0 {
					kept[strconv.Itoa(f[1])] = [2]int{f[5], f[6]}
				}
				if f[7] != 8 || f[6] != f[8] {
					t.Errorf("row %d: cpus %d, ready %d, run %d", i, f[7], f[8], f[6])
				}
			}
			host := threadsOf(n, "0", tt.kthreads)
			if g := kept["2147483647"]; g != [2]int{len(host.tids), host.running} {
				t.Errorf("host node tasks/run %v, want %d/%d", g, len(host.tids), host.running)
			}
			if !strings.HasPrefix(rows[0], fmt.Sprintf("         0          0          0 %6d", tt.hostWeight)) {
				t.Errorf("host row %q", rows[0])
			}
			for i, c := range cts {
				th := threadsOf(n, env(c), false)
				if g := kept[c.ID]; g != [2]int{len(th.tids), th.running} {
					t.Errorf("CT %s tasks/run %v, want %d/%d", c.ID, g, len(th.tids), th.running)
				}
				// Oldest first: the kernel lists nodes in creation order,
				// n.Cts newest first.
				if want := fmt.Sprintf("%10d %10d", 0, mustAtoi(t, c.ID)); !strings.HasPrefix(rows[len(rows)-3*(i+1)], want) {
					t.Errorf("CT %s is not at row %d", c.ID, len(rows)-3*(i+1))
				}
			}
			if len(kept) != len(cts)+1 {
				t.Errorf("vzlist would keep %d nodes, want %d", len(kept), len(cts)+1)
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const fairschedMountLine = "fairsched /proc/vz/fairsched cgroup rw,relatime,cpuacct,cpu,cpuset,name=fairsched 0 0\n"

func TestFairschedCgroup(t *testing.T) {
	n, files := preset(t, "incident-204-fairsched")
	if !strings.Contains(files["proc/self/mounts"], fairschedMountLine) {
		t.Errorf("mounts lack the fairsched line:\n%s", files["proc/self/mounts"])
	}
	for _, c := range append(running(n), &nodegen.Container{ID: "0"}) {
		dir := "proc/vz/fairsched/" + c.ID + "/"
		th := threadsOf(n, env(c), false)
		if got := files[dir+"tasks"]; got != lines(th.tids) {
			t.Errorf("%stasks = %q, want every thread of the CT, leaders included, ascending: %q", dir, got, lines(th.tids))
		}
		if got := files[dir+"cgroup.procs"]; got != lines(th.tgids) {
			t.Errorf("%scgroup.procs = %q, want %q", dir, got, lines(th.tgids))
		}
		stat := files[dir+"cpu.proc.stat"]
		for _, want := range []string{fmt.Sprintf("\nprocs_running %d\n", th.running), fmt.Sprintf("\nprocs_blocked %d\n", th.blocked), "\nintr 0\n", "\nbtime 1764000000\n"} {
			if !strings.Contains(stat, want) {
				t.Errorf("%scpu.proc.stat lacks %q:\n%s", dir, want, stat)
			}
		}
		cpus := c.ID != "0"
		if want := map[bool]string{true: "2\n", false: "0\n"}[cpus]; files[dir+"cpu.nr_cpus"] != want {
			t.Errorf("%scpu.nr_cpus = %q, want %q (CPUS=)", dir, files[dir+"cpu.nr_cpus"], want)
		}
		if cpuLines := strings.Count(stat, "\ncpu"); cpuLines != map[bool]int{true: 2, false: 8}[cpus] {
			t.Errorf("%scpu.proc.stat has %d per-CPU lines", dir, cpuLines)
		}
	}
	if got, want := files["proc/vz/fairsched/204/cpu.proc.stat"], "cpu  271980 2718 90660 26835360 1358 0 0 0\n"+
		"cpu0 135990 1359 45330 13417680 679 0 0 0\ncpu1 135990 1359 45330 13417680 679 0 0 0\n"+
		"intr 0\nctxt 95193000\nbtime 1764000000\nprocesses 4696\nprocs_running 121\nprocs_blocked 27\n"; got != want {
		t.Errorf("204/cpu.proc.stat =\n%s\nwant\n%s", got, want)
	}
	// A stopped container's fairsched node is removed.
	for p := range files {
		if strings.HasPrefix(p, "proc/vz/fairsched/207/") {
			t.Errorf("stopped CT 207 has %s", p)
		}
	}
	// Not mounted: no tree, no mount line, the same /proc/fairsched.
	_, plain := preset(t, "incident-204")
	for p := range plain {
		if strings.HasPrefix(p, "proc/vz/fairsched/") {
			t.Errorf("unmounted node has %s", p)
		}
	}
	if strings.Contains(plain["proc/self/mounts"], "fairsched") {
		t.Errorf("unmounted node's mounts name fairsched")
	}
	if plain["proc/fairsched"] != files["proc/fairsched"] {
		t.Errorf("mounting the cgroup changed /proc/fairsched")
	}
}

// vestatUptimeNS returns column 8 of /proc/vz/vestat (uptime in ns) by CT.
func vestatUptimeNS(vestat string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(vestat, "\n")[2:] {
		if f := strings.Fields(l); len(f) == 12 {
			out[f[0]] = f[7]
		}
	}
	return out
}

var loadavgLine = regexp.MustCompile(`^(\d+)\.(\d\d) (\d+)\.(\d\d) (\d+)\.(\d\d) (\d+)/(\d+) (\d+)\n$`)

func TestVZCgroups(t *testing.T) {
	for _, tt := range []struct {
		preset   string
		bc       bool              // proc/bc and proc/user_beancounters exist
		loadavg  map[string]string // exact cpu.proc.loadavg by CT
		veid     map[string]string
		stopped  []string
		mountCPU string
	}{
		{"vz7-uuid", true, map[string]string{"1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f": "1.04 0.97 0.88 1/19 46\n", "300": "0.00 0.00 0.00 0/4 46\n"},
			map[string]string{"1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f": "1001\n", "7f3e2d1c-0b9a-4876-a543-210fedcba987": "1002\n", "300": "300\n"},
			nil, "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpuacct,cpu 0 0\n"},
		{"vhs9", false, map[string]string{"5b0e8c2a-91d4-4f3e-b6a7-3c2d1e0f9a8b": "31.87 29.54 24.11 27/59 77\n"},
			map[string]string{"5b0e8c2a-91d4-4f3e-b6a7-3c2d1e0f9a8b": "2001\n"},
			[]string{"401"}, "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n"},
	} {
		t.Run(tt.preset, func(t *testing.T) {
			n, files := preset(t, tt.preset)
			for _, m := range []string{tt.mountCPU, "cgroup /sys/fs/cgroup/ve cgroup rw,nosuid,nodev,noexec,relatime,ve 0 0\n"} {
				if !strings.Contains(files["proc/self/mounts"], m) {
					t.Errorf("mounts lack %q", m)
				}
			}
			_, ub := files["proc/user_beancounters"]
			_, bc := files["proc/bc/resources"]
			if ub != tt.bc || bc != tt.bc {
				t.Errorf("user_beancounters %v, bc/resources %v, want %v", ub, bc, tt.bc)
			}
			uptimes := vestatUptimeNS(files["proc/vz/vestat"])
			for _, c := range running(n) {
				la := files["sys/fs/cgroup/cpu,cpuacct/machine.slice/"+c.ID+"/cpu.proc.loadavg"]
				th := threadsOf(n, env(c), false)
				m := loadavgLine.FindStringSubmatch(la)
				if m == nil {
					t.Fatalf("CT %s cpu.proc.loadavg %q not \"%%lu.%%02lu %%lu.%%02lu %%lu.%%02lu %%d/%%d %%d\\n\"", c.ID, la)
				}
				for i, v := range c.LoadAvg {
					whole, _ := strconv.ParseUint(m[1+2*i], 10, 64)
					frac, _ := strconv.ParseUint(m[2+2*i], 10, 64)
					if whole*100+frac != v {
						t.Errorf("CT %s load %d = %s.%s, want %d hundredths", c.ID, i, m[1+2*i], m[2+2*i], v)
					}
				}
				if m[7] != strconv.Itoa(th.running) || m[8] != strconv.Itoa(len(th.tids)) {
					t.Errorf("CT %s running/total %s/%s, want %d/%d", c.ID, m[7], m[8], th.running, len(th.tids))
				}
				if want, ok := tt.loadavg[c.ID]; ok && la != want {
					t.Errorf("CT %s cpu.proc.loadavg = %q, want %q", c.ID, la, want)
				}
				dir := "sys/fs/cgroup/ve/" + c.ID + "/"
				if files[dir+"ve.state"] != "RUNNING\n" {
					t.Errorf("CT %s ve.state %q", c.ID, files[dir+"ve.state"])
				}
				if want, ok := tt.veid[c.ID]; ok && files[dir+"ve.veid"] != want {
					t.Errorf("CT %s ve.veid %q, want %q", c.ID, files[dir+"ve.veid"], want)
				}
				clock := files[dir+"ve.clock_bootbased"]
				sec, nsec, ok := strings.Cut(clock, " ")
				if !ok || strings.ContainsAny(clock, "\n") || sec == "" || nsec == "" {
					t.Fatalf("CT %s ve.clock_bootbased %q, want \"sec nsec\" without newline", c.ID, clock)
				}
				ns, _ := strconv.ParseUint(nsec, 10, 64)
				if want := uptimes[c.ID]; sec+fmt.Sprintf("%09d", ns) != want {
					t.Errorf("CT %s ve.clock_bootbased %q disagrees with vestat's uptime %s ns", c.ID, clock, want)
				}
				if got := files[dir+"tasks"]; got != lines(th.tids) {
					t.Errorf("CT %s ve tasks = %q, want %q", c.ID, got, lines(th.tids))
				}
				if got := files[dir+"cgroup.procs"]; got != lines(th.tgids) {
					t.Errorf("CT %s ve cgroup.procs = %q, want %q", c.ID, got, lines(th.tgids))
				}
			}
			// libvzctl destroys a stopped container's cgroups.
			for _, id := range tt.stopped {
				for p := range files {
					if strings.Contains(p, "/"+id+"/") && strings.HasPrefix(p, "sys/") {
						t.Errorf("stopped CT %s has %s", id, p)
					}
				}
			}
			for p := range files {
				if strings.HasPrefix(p, "sys/fs/cgroup/ve/0/") || strings.HasPrefix(p, "proc/fairsched") {
					t.Errorf("%s on %s", p, tt.preset)
				}
			}
		})
	}
}

// Every generation's mount table is "device mountpoint fstype options 0 0"
// and mounts the root of each running container, of no stopped one.
func TestMounts(t *testing.T) {
	for _, name := range nodegen.PresetNames() {
		t.Run(name, func(t *testing.T) {
			n, files := preset(t, name)
			mounts := files["proc/self/mounts"]
			if !strings.HasSuffix(mounts, "\n") {
				t.Fatalf("no final newline")
			}
			roots := map[string]bool{}
			for _, l := range strings.Split(strings.TrimSuffix(mounts, "\n"), "\n") {
				f := strings.Split(l, " ")
				if len(f) != 6 || f[4] != "0" || f[5] != "0" || f[3] == "" {
					t.Errorf("line %q", l)
					continue
				}
				if ct, ok := strings.CutPrefix(f[1], "/vz/root/"); ok {
					roots[ct] = true
				}
			}
			for _, c := range n.Cts {
				if c.ID != "0" && roots[c.ID] == c.Stopped {
					t.Errorf("CT %s (stopped %v) mounted %v", c.ID, c.Stopped, roots[c.ID])
				}
			}
			// The cgroup hierarchies the parsers look up.
			hasVE := strings.Contains(mounts, " /sys/fs/cgroup/ve cgroup ")
			if vz := n.Kernel == nodegen.VZ7 || n.Kernel == nodegen.VHS9; hasVE != vz {
				t.Errorf("ve cgroup mounted %v on kernel %d", hasVE, n.Kernel)
			}
		})
	}
}

func TestVHS9Status(t *testing.T) {
	_, files := preset(t, "vhs9")
	found := false
	for p, s := range files {
		if !strings.HasSuffix(p, "/status") || !strings.Contains(s, "envID:\t5b0e8c2a-91d4-4f3e-b6a7-3c2d1e0f9a8b\n") {
			continue
		}
		found = true
		if strings.Contains(s, "StopState:") {
			t.Fatalf("%s has StopState", p)
		}
	}
	if !found {
		t.Fatal("no task prints the CTID in envID:")
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// The benchmark nodes of every generation carry the per-container sources,
// consistent with the tasks spread over them.
func TestGeneratedSources(t *testing.T) {
	for _, tt := range []struct {
		name string
		node *nodegen.Node
		list func(c *nodegen.Container) string // the task list of a container
	}{
		{"rhel6-fairsched", func() *nodegen.Node {
			n := nodegen.GeneratedFor(nodegen.RHEL6, 4, 7)
			n.FairschedMounted = true
			return n
		}(), func(c *nodegen.Container) string { return "proc/vz/fairsched/" + c.ID + "/tasks" }},
		{"vz7", nodegen.GeneratedFor(nodegen.VZ7, 4, 7), func(c *nodegen.Container) string { return "sys/fs/cgroup/ve/" + c.ID + "/tasks" }},
		{"vhs9", nodegen.GeneratedFor(nodegen.VHS9, 4, 7), func(c *nodegen.Container) string { return "sys/fs/cgroup/ve/" + c.ID + "/tasks" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.node.WithTasks(120, 3, 7)
			files := written(t, n)
			total := 0
			for _, c := range running(n) {
				th := threadsOf(n, env(c), false)
				total += len(th.tids)
				if got := files[tt.list(c)]; got != lines(th.tids) {
					t.Errorf("CT %s task list differs from its tasks", c.ID)
				}
				if busy := uint64(th.running+th.blocked) * 100; c.LoadAvg != [3]uint64{busy, busy, busy} {
					t.Errorf("CT %s load %v, want %d R+D threads", c.ID, c.LoadAvg, th.running+th.blocked)
				}
				if n.Kernel != nodegen.RHEL6 && !uuidRE.MatchString(c.ID) {
					t.Errorf("CT %s is not named by a UUID", c.ID)
				}
			}
			if total == 0 {
				t.Fatal("no container threads")
			}
		})
	}
	// The RHEL6 benchmark node is what it was before the other generations.
	a, b := written(t, nodegen.Generated(3, 5)), written(t, nodegen.GeneratedFor(nodegen.RHEL6, 3, 5))
	if !maps.Equal(a, b) {
		t.Error("Generated differs from GeneratedFor(RHEL6)")
	}
}

func TestWriteRefusesImpossibleNodes(t *testing.T) {
	vz := nodegen.VZ7UUID()
	vz.FairschedMounted = true
	uuid := nodegen.VZ7UUID()
	uuid.Cts[0].Conf = slices.DeleteFunc(slices.Clone(uuid.Cts[0].Conf), func(v nodegen.ConfVar) bool { return v.Key == "VEID" })
	for name, n := range map[string]*nodegen.Node{"fairsched on VZ7": vz, "UUID without VEID": uuid} {
		if err := n.Write(filepath.Join(t.TempDir(), "n")); err == nil {
			t.Errorf("%s: written", name)
		}
	}
}

// Task lists come sorted, as the kernel's cgroup pidlists do: a thread
// started after a later process has a higher tid than that process.
func TestTaskListsSorted(t *testing.T) {
	for _, k := range []nodegen.Kernel{nodegen.RHEL6, nodegen.VZ7} {
		n := &nodegen.Node{Kernel: k, FairschedMounted: k == nodegen.RHEL6,
			Cts: []nodegen.Container{{ID: "300"}, {ID: "0"}},
			Tasks: []nodegen.Task{
				{Pid: 100, Name: "a", State: 'S', EnvID: "300", VPid: 1, Threads: []nodegen.Thread{{Tid: 105, State: 'R'}}},
				{Pid: 101, Name: "b", State: 'D', EnvID: "300", VPid: 2},
			}}
		files := written(t, n)
		dir := map[nodegen.Kernel]string{nodegen.RHEL6: "proc/vz/fairsched/300/", nodegen.VZ7: "sys/fs/cgroup/ve/300/"}[k]
		if got := files[dir+"tasks"]; got != "100\n101\n105\n" {
			t.Errorf("%stasks = %q", dir, got)
		}
		if got := files[dir+"cgroup.procs"]; got != "100\n101\n" {
			t.Errorf("%scgroup.procs = %q", dir, got)
		}
	}
}
