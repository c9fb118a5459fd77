package checkct_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkct"
	"github.com/vzmon/vzmon/internal/checktest"
	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/nodegen"
)

func TestGolden(t *testing.T) {
	root := checktest.RepoRoot(t)
	node := func(n string) string { return filepath.Join(root, "testdata", "nodes", n) }
	checktest.GoldenTable(t, "check_vz_container", checkct.New, map[string][]string{
		"incident-204":                      {"--root", node("incident-204"), "--ctid", "204"},
		"incident-web1-processes":           {"--root", node("incident-204"), "--ctid", "web1", "--process", "apache2:2", "--process", "slapd", "--process", "named", "--process", "cron:1:1"},
		"incident-healthy-203":              {"--root", node("incident-204"), "--ctid", "dns1", "--process", "named"},
		"incident-stopped-should-run":       {"--root", node("incident-204"), "--ctid", "207"},
		"incident-running-expected-stopped": {"--root", node("incident-204"), "--ctid", "206", "--expect", "stopped"},
		"incident-quota-near-soft":          {"--root", node("incident-204"), "--ctid", "201", "--quota-warning", "95"},
		"incident-skip-parts":               {"--root", node("incident-204"), "--ctid", "204", "--skip", "tasks,quota,uptime", "-w", "200", "-c", "300"},
		"incident-recent-restart":           {"--root", node("incident-204"), "--ctid", "204", "--restart-warning", "2d", "--skip", "tasks,beancounters"},
		"incident-nrpe2-budget":             {"--root", node("incident-204"), "--ctid", "204", "--max-output", "1023"},
		"rhel6-simfs":                       {"--root", node("rhel6-vswap"), "--ctid", "web"},
		"ovz-32bit-restart-warning":         {"--root", node("ovz-32bit"), "--ctid", "101", "--restart-warning", "1h"},
		"vz7-uuid-by-name":                  {"--root", node("vz7-uuid"), "--ctid", "app1", "--process", "node:2", "--process", "systemd-journald"},
		"vz7-uuid-by-id":                    {"--root", node("vz7-uuid"), "--ctid", "7f3e2d1c-0b9a-4876-a543-210fedcba987"},
		"unknown-container":                 {"--root", node("incident-204"), "--ctid", "nosuch"},
		"not-openvz":                        {"--root", node("no-such-node"), "--ctid", "101"},
		"missing-ctid":                      {"--root", node("incident-204")},
		"bad-process":                       {"--ctid", "1", "--process", "x:5:2"},
		"bad-skip":                          {"--ctid", "1", "--skip", "everything"},
		"help":                              {"--help"},
		// Per generation and source (docs/formats.md §5.4a).
		"ovz6-fairsched-204":         {"--root", node("incident-204-fairsched"), "--ctid", "204", "--process", "apache2:2"},
		"vhs9-api":                   {"--root", node("vhs9"), "--ctid", "api"},
		"vhs9-stopped-should-run":    {"--root", node("vhs9"), "--ctid", "401"},
		"vhs9-state-file":            {"--root", node("vhs9"), "--ctid", "api", "--state-file", "/nonexistent/st.json"},
		"all-incident-204":           {"--root", node("incident-204"), "--all"},
		"all-incident-204-fairsched": {"--root", node("incident-204-fairsched"), "--all", "--exclude-ctid", "dev"},
		"all-vz7-uuid":               {"--root", node("vz7-uuid"), "--all"},
		"all-vhs9":                   {"--root", node("vhs9"), "--all", "--load-warning", "30,20,10", "--load-critical", "40"},
		"all-ovz-32bit":              {"--root", node("ovz-32bit"), "--all", "--max-output", "0"},
		"all-with-ctid":              {"--root", node("vhs9"), "--all", "--ctid", "api"},
		"all-skip-state":             {"--root", node("incident-204"), "--all", "--skip", "state", "--load-critical", "200"},
		"all-expect-running":         {"--root", node("rhel6-vswap"), "--all", "--expect", "running", "--skip", "load"},
		"exclude-without-all":        {"--root", node("vhs9"), "--ctid", "api", "--exclude-ctid", "401"},
		"all-exclude-unknown":        {"--root", node("vhs9"), "--all", "--exclude-ctid", "nosuch"},
		"bad-load-triple":            {"--ctid", "1", "--load-warning", "1,2"},
	})
	// As root, with a kernel answering the vzctl ioctl.
	checktest.GoldenTable(t, "check_vz_container", func() *check.App { return checkct.NewWithKernel(0, fakeKernel{}.open) }, map[string][]string{
		"ioctl-incident-204":     {"--root", node("incident-204"), "--ctid", "204", "--skip", "beancounters,quota"},
		"ioctl-all-incident-204": {"--root", node("incident-204"), "--all"},
	})
}

// A running container whose config is gone is a WARNING, not a crash.
func TestConfigProblems(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "node")
	checktest.WriteNode(t, dir, nodegen.Incident204().Write)
	os.Remove(filepath.Join(dir, "etc", "vz", "conf", "203.conf"))
	os.Remove(filepath.Join(dir, "etc", "vz", "names", "dns1"))
	out, code := checktest.Run(checkct.New(), "--root", dir, "--ctid", "203")
	if code != 1 || !strings.Contains(out, "no config") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "etc", "vz", "conf", "202.conf"), []byte("NAME=\"db1\nONBOOT=yes\n"), 0o644)
	out, code = checktest.Run(checkct.New(), "--root", dir, "--ctid", "202")
	if code != 1 || !strings.Contains(out, "config unreadable") || !strings.Contains(out, "202.conf line 1") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// A task counts for the container when its envID is the container's ID
// (OpenVZ 6's number, VZ7's CTID) or the numeric VEID= of its config or
// --envid (a kernel printing a legacy number); a UUID container on VZ7
// needs neither. When no task matches, the part is UNKNOWN pointing at
// --envid, never an OK with 0 tasks.
func TestEnvIDMatching(t *testing.T) {
	const id = "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f"
	// One node per kernel, written once; VEID= is removed from the config
	// from the first case that has none on.
	nodes := map[string]func() *nodegen.Node{"ctid": nodegen.VZ7UUID, "numeric": nodegen.VZ7UUIDNumericEnvID}
	cases := []struct {
		name, envIDs string // what the kernel prints: the CTID or the number
		noVEID       bool
		args         []string
		code         int
		want         string
	}{
		{"vz7 CTID", "ctid", false, nil, 0, "19 threads in 7 processes"},
		{"vz7 CTID, no VEID=", "ctid", true, nil, 0, "19 threads in 7 processes"},
		{"vz7 CTID by name", "ctid", true, []string{"--ctid", "app1"}, 0, "19 threads in 7 processes"},
		{"numeric envID by VEID=", "numeric", false, nil, 0, "19 threads in 7 processes"},
		{"numeric envID, no VEID=", "numeric", true, nil, 3, "no process under ROOT/proc has envID " + id + ", though CT " + id + " (app1) runs; if this kernel shows another ID there, give it with --envid"},
		{"numeric envID by --envid", "numeric", true, []string{"--envid", "1001"}, 0, "19 threads in 7 processes"},
		{"wrong --envid", "numeric", true, []string{"--envid", "1002"}, 0, "5 threads in 5 processes"},
	}
	dirs := map[string]string{}
	for _, c := range cases {
		dir, ok := dirs[c.envIDs]
		if !ok {
			dir = filepath.Join(t.TempDir(), c.envIDs)
			checktest.WriteNode(t, dir, nodes[c.envIDs]().Write)
			// envID decides only in the /proc scan: without the cgroup
			// tree the scan is what remains.
			if err := os.RemoveAll(filepath.Join(dir, "sys")); err != nil {
				t.Fatal(err)
			}
			dirs[c.envIDs] = dir
		}
		if c.noVEID {
			dropVEID(t, dir, id)
		}
		args := append([]string{"--root", dir, "--ctid", id, "--skip", "beancounters"}, c.args...)
		out, code := checktest.Run(checkct.New(), args...)
		if out = checktest.Normalize(out, dir); code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s", c.name, code, c.code, c.want, out)
		}
	}
}

// Where the container's cgroup lists its processes, the cgroup decides
// whose they are: a kernel printing a legacy number in envID needs neither
// VEID= nor --envid.
func TestCgroupListNeedsNoEnvID(t *testing.T) {
	const id = "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f"
	dir := newNode(t, nodegen.VZ7UUIDNumericEnvID(), nil)
	dropVEID(t, dir, id)
	out, code := checktest.Run(checkct.New(), "--root", dir, "--ctid", id, "--skip", "beancounters")
	if code != 0 || !strings.Contains(out, "[OK] tasks: 19 threads in 7 processes (R 1, D 0, S 18, Z 0), from "+dir+"/sys/fs/cgroup/ve/"+id+"/cgroup.procs") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// dropVEID removes VEID="1001" from a written node's config of id (the
// generator needs it to write ve.veid).
func dropVEID(t *testing.T, dir, id string) {
	t.Helper()
	conf := filepath.Join(dir, "etc", "vz", "conf", id+".conf")
	b, err := os.ReadFile(conf)
	if err == nil {
		err = os.WriteFile(conf, []byte(strings.Replace(string(b), "VEID=\"1001\"\n", "", 1)), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// The load counts threads, as the kernel's does: a mysqld whose main
// thread sleeps while its I/O threads wait on the disk is blocked, not
// idle. --process counts the process once.
func TestThreadsCounted(t *testing.T) {
	cases := []struct {
		ctid   string
		states string // of the mysqld added: one letter per thread, the leader's first
		want   []string
		code   int
	}{
		// CT 203 runs five processes of one sleeping thread.
		{"203", "S" + strings.Repeat("D", 12), []string{"[CRITICAL] load: 12 runnable/blocked threads now (R 0, D 12; 2 CPUs", "[OK] tasks: 18 threads in 6 processes (R 0, D 12, S 6, Z 0)", "[WARNING] tasks: 12 uninterruptible (D)", "[OK] processes: mysqld 1", "'tasks_blocked'=12;10;50;0;"}, 2},
		// CT 206 runs four.
		{"206", "SRRRRR", []string{"[WARNING] load: 5 runnable/blocked threads now (R 5, D 0;", "[OK] tasks: 10 threads in 5 processes (R 5, D 0, S 5, Z 0)", "'load'=5;4;10;0;"}, 1},
		// CT 201 runs eight; a leader that exited before its threads
		// shows as a zombie.
		{"201", "ZS", []string{"[OK] load: 0 runnable/blocked threads now", "[OK] tasks: 10 threads in 9 processes (R 0, D 0, S 9, Z 1)", "[OK] processes: mysqld 1"}, 0},
	}
	n := nodegen.Incident204()
	for _, c := range cases {
		n.AddProcess(c.ctid, "mysqld", c.states)
	}
	dir := filepath.Join(t.TempDir(), "node")
	checktest.WriteNode(t, dir, n.Write)
	for _, c := range cases {
		out, code := checktest.Run(checkct.New(), "--root", dir, "--ctid", c.ctid, "--process", "mysqld:1:1", "--skip", "beancounters,quota")
		if code != c.code {
			t.Errorf("CT %s: exit %d, want %d", c.ctid, code, c.code)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("CT %s: no %q in:\n%s", c.ctid, w, out)
			}
		}
	}
}

// The kernel keeps 15 bytes of a command name: systemd-journald shows as
// systemd-journal, and --process compares a longer name on those.
func TestLongProcessName(t *testing.T) {
	root := checktest.RepoRoot(t)
	node := filepath.Join(root, "testdata", "nodes", "vz7-uuid")
	if b, err := os.ReadFile(filepath.Join(node, "proc", "23", "status")); err != nil || !strings.HasPrefix(string(b), "Name:\tsystemd-journal\n") {
		t.Fatalf("the fake node lost its journald (pid 23): %q %v", b, err)
	}
	cases := []struct {
		spec string
		code int
		want string
	}{
		{"systemd-journald", 0, "[OK] processes: systemd-journald 1"},
		{"systemd-journal", 0, "[OK] processes: systemd-journal 1"},
		{"systemd-journald:2", 2, "systemd-journald 1 < 2"},
		{"systemd-journ", 2, "systemd-journ missing"},
	}
	for _, c := range cases {
		out, code := checktest.Run(checkct.New(), "--root", node, "--ctid", "app1", "--process", c.spec, "--skip", "beancounters")
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("--process %s: exit %d, want %d and %q:\n%s", c.spec, code, c.code, c.want, out)
		}
	}
}

// A status or thread stat file whose read blocks (a FIFO) ends as UNKNOWN
// naming it, within the timeout.
func TestBlockingTaskFileTimesOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "node")
	checktest.WriteNode(t, dir, nodegen.Incident204().Write)
	for _, c := range []struct{ rel, ctid string }{
		{"proc/100/status", "204"},
		// CT 202's mysqld has 17 threads: the leader's own and another.
		{"proc/31/task/31/stat", "202"},
		{"proc/31/task/40/stat", "202"},
	} {
		fifo := filepath.Join(dir, filepath.FromSlash(c.rel))
		orig, err := os.ReadFile(fifo)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(fifo)
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		start := time.Now()
		out, code := checktest.Run(checkct.New(), "--root", dir, "--ctid", c.ctid, "-t", "0.5")
		if took := time.Since(start); took > 1500*time.Millisecond {
			t.Errorf("%s: took %v with -t 0.5", c.rel, took)
		}
		if code != 3 || !strings.Contains(out, "timed out after 500ms while reading "+fifo) {
			t.Errorf("%s: exit %d:\n%s", c.rel, code, out)
		}
		os.Remove(fifo)
		if err := os.WriteFile(fifo, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// With --state-file the container check also reports failcnt growth, with
// the same code as check_ubc_failcnt.
func TestFailcntGrowth(t *testing.T) {
	tmp := t.TempDir()
	dir, state := filepath.Join(tmp, "node"), filepath.Join(tmp, "st", "ct204.json")
	n := nodegen.Incident204()
	checktest.WriteNode(t, dir, n.Write)
	args := []string{"--root", dir, "--ctid", "204", "--state-file", state, "--skip", "load,tasks,beancounters,quota"}
	if out, code := checktest.Run(checkct.New(), args...); code != 0 || !strings.Contains(out, "baseline recorded") {
		t.Fatalf("baseline: exit %d\n%s", code, out)
	}
	if err := n.SetFailcnt("204", "tcpsndbuf", 1861284+77); err != nil {
		t.Fatal(err)
	}
	checktest.WriteNode(t, dir, n.Write)
	out, code := checktest.Run(checkct.New(), args...)
	if code != 2 || !strings.Contains(out, "tcpsndbuf +77") || !strings.Contains(out, "'failcnt_increase'=77c") {
		t.Fatalf("growth: exit %d\n%s", code, out)
	}
	// The first line names the container once (issue 10 item 19).
	if first := strings.SplitN(out, "\n", 2)[0]; strings.Count(first, "CT 204 (web1)") != 1 || !strings.Contains(first, "failcnt tcpsndbuf +77") {
		t.Errorf("first line: %s", first)
	}
}

// newNode writes a changed preset to a temp dir and returns its root.
func newNode(t *testing.T, n *nodegen.Node, change func(n *nodegen.Node)) string {
	t.Helper()
	if change != nil {
		change(n)
	}
	dir := filepath.Join(t.TempDir(), "node")
	checktest.WriteNode(t, dir, n.Write)
	return dir
}

// setConf sets (or with value "" removes) a config variable of a container.
func setConf(n *nodegen.Node, id, key, value string) {
	for i := range n.Cts {
		if n.Cts[i].ID != id {
			continue
		}
		var conf []nodegen.ConfVar
		for _, v := range n.Cts[i].Conf {
			if v.Key != key {
				conf = append(conf, v)
			}
		}
		if value != "" {
			conf = append(conf, nodegen.ConfVar{Key: key, Value: value})
		}
		n.Cts[i].Conf = conf
	}
}

// A container that neither runs nor has a config does not exist: UNKNOWN
// naming what is missing, never "OK - stopped, as allowed" (issue 10 item
// 2). An ID differing only in case is not the container.
func TestNoSuchContainer(t *testing.T) {
	const uuid = "7f3e2d1c-0b9a-4876-a543-210fedcba987"
	for _, c := range []struct {
		name   string
		node   func() *nodegen.Node
		files  map[string]string
		ctid   string
		code   int
		want   []string
		plugin string
	}{
		{name: "typo", node: nodegen.Incident204, ctid: "240", code: 3,
			want: []string{"VZ CONTAINER UNKNOWN - no container 240 (no ROOT/etc/vz/conf/240.conf and not running)"}},
		{name: "destroyed", node: nodegen.Incident204, files: map[string]string{"etc/vz/conf/240.conf.destroyed": "NAME=\"old\"\n"}, ctid: "240", code: 3,
			want: []string{"no container 240 (no ROOT/etc/vz/conf/240.conf and not running); 240.conf.destroyed: it was destroyed"}},
		{name: "name-to-missing-config", node: nodegen.Incident204, files: map[string]string{"etc/vz/names/web9": "symlink:/etc/vz/conf/240.conf"}, ctid: "web9", code: 3,
			want: []string{"no container 240 (no ROOT/etc/vz/conf/240.conf and not running); ROOT/etc/vz/names/web9 points to it"}},
		{name: "directory-config", node: nodegen.Incident204, files: map[string]string{"etc/vz/conf/211.conf/x": ""}, ctid: "211", code: 3,
			want: []string{"no container 211 (ROOT/etc/vz/conf/211.conf is a directory, not a container's config; not running)"}},
		{name: "uuid-case", node: nodegen.VZ7UUID, ctid: strings.ToUpper(uuid), code: 3,
			want: []string{"no container " + strings.ToUpper(uuid) + " (", "did you mean " + uuid + "? (container IDs are case-sensitive)"}},
		{name: "alias-symlink", node: nodegen.Incident204, files: map[string]string{"etc/vz/conf/212.conf": "symlink:207.conf"}, ctid: "212", code: 3,
			want: []string{"no container 212 (ROOT/etc/vz/conf/212.conf is a symlink to 207.conf, not a container's config (only Virtuozzo 7's link to <private>/ve.conf is); not running)"}},
		{name: "stopped-exists", node: nodegen.Incident204, ctid: "207", code: 2,
			want: []string{"CT 207 (legacy-shop)", "not running"}},
		{name: "check_ubc-typo", node: nodegen.Incident204, ctid: "240", code: 3, plugin: "check_ubc",
			want: []string{"UBC UNKNOWN - no container 240 (no ROOT/etc/vz/conf/240.conf and not running)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := newNode(t, c.node(), func(n *nodegen.Node) { n.Files = c.files })
			app := checkct.New()
			if c.plugin == "check_ubc" {
				app = checkubc.New()
			}
			out, code := checktest.Run(app, "--root", root, "--ctid", c.ctid)
			out = checktest.Normalize(out, root)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q", w)
				}
			}
			if t.Failed() {
				t.Log(out)
			}
		})
	}
}

// The first line starts with the fixed tag and the state, whatever the
// container's NAME says (issue 10 item 9), in every kind of result.
func TestFirstLineStartsWithTag(t *testing.T) {
	root := newNode(t, nodegen.Incident204(), func(n *nodegen.Node) {
		for _, id := range []string{"204", "203", "206"} {
			setConf(n, id, "NAME", "OK - all fine")
		}
	})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--ctid", "204"}, "VZ CONTAINER CRITICAL - CT 204 (OK - all fine): "},
		{[]string{"--ctid", "203"}, "VZ CONTAINER OK - CT 203 (OK - all fine): running, all checks OK"},
		{[]string{"--ctid", "206", "--expect", "stopped"}, "VZ CONTAINER WARNING - CT 206 (OK - all fine): "},
		{[]string{"--ctid", "207"}, "VZ CONTAINER CRITICAL - CT 207 (legacy-shop): "},
		{[]string{"--ctid", "240"}, "VZ CONTAINER UNKNOWN - "},
	} {
		out, _ := checktest.Run(checkct.New(), append([]string{"--root", root}, c.args...)...)
		if !strings.HasPrefix(out, c.want) {
			t.Errorf("%v: first line %q, want it to start with %q", c.args, strings.SplitN(out, "\n", 2)[0], c.want)
		}
	}
}

// With NRPE 2's 1,023 bytes, the OK entries go before any problem, and the
// problems' perfdata stays (issue 10 item 8).
func TestNRPE2BudgetKeepsProblems(t *testing.T) {
	root := filepath.Join(checktest.RepoRoot(t), "testdata", "nodes", "incident-204")
	out, code := checktest.Run(checkct.New(), "--root", root, "--ctid", "204", "--max-output", "1023")
	if code != 2 || len(out) > 1023 {
		t.Fatalf("exit %d, %d bytes:\n%s", code, len(out), out)
	}
	for _, want := range []string{
		"[CRITICAL] CT 204 (web1) tcpsndbuf 157% of barrier",
		"raise: vzctl set 204 --save --tcpsndbuf B:L (now 1720320:2703360)",
		"'ct204_tcpsndbuf'=2701184B;1548288;1634304;0;2703360",
		"'ct204_tcpsndbuf_failcnt'=1861284c",
		"'ct204_numtcpsock'=331;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, "[OK]") {
		t.Errorf("an OK entry was kept while problems were cut")
	}
	if t.Failed() {
		t.Log(out)
	}
}

// The quota line says what is known instead of guessing ploop (issue 10
// item 16).
func TestQuotaReason(t *testing.T) {
	for _, c := range []struct {
		name   string
		ctid   string
		change func(n *nodegen.Node)
		want   string
	}{
		{"ploop", "203", func(n *nodegen.Node) { setConf(n, "203", "VE_LAYOUT", "ploop") },
			"[OK] quota: ploop (VE_LAYOUT=ploop): its quota is inside the image, not visible from the host"},
		{"simfs-no-entry", "203", func(n *nodegen.Node) { setConf(n, "203", "VE_LAYOUT", "simfs") },
			"[OK] quota: simfs without an active quota (no entry in ROOT/proc/vz/vzquota)"},
		{"simfs-quota-off", "203", func(n *nodegen.Node) {
			setConf(n, "203", "VE_LAYOUT", "simfs")
			setConf(n, "203", "DISK_QUOTA", "no")
		}, "[OK] quota: simfs without an active quota (DISK_QUOTA=no in its config; no entry in ROOT/proc/vz/vzquota)"},
		{"no-vzquota-file", "203", func(n *nodegen.Node) { setConf(n, "203", "VE_LAYOUT", "simfs") },
			"[OK] quota: simfs without an active quota (no ROOT/proc/vz/vzquota on this node (vzquota module not loaded))"},
		{"no-layout", "203", nil, "[OK] quota: no entry in ROOT/proc/vz/vzquota and no VE_LAYOUT in its config (ploop, or simfs without quota)"},
		{"stopped", "207", func(n *nodegen.Node) { setConf(n, "207", "VE_LAYOUT", "simfs") },
			"[OK] quota: not running (vzquota shows a quota only while the container is mounted)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := newNode(t, nodegen.Incident204(), c.change)
			if c.name == "no-vzquota-file" {
				os.Remove(filepath.Join(root, "proc", "vz", "vzquota"))
			}
			out, _ := checktest.Run(checkct.New(), "--root", root, "--ctid", c.ctid)
			out = checktest.Normalize(out, root)
			if !strings.Contains(out, c.want) || strings.Contains(out, "(ploop)") {
				t.Errorf("want %q:\n%s", c.want, out)
			}
		})
	}
}

// A resource named with --resource that the container gives nothing to
// judge by (a guarantee of 0) is said so, not passed over as "0 resources
// within thresholds" (issue 10 item 19, as check_ubc does).
func TestNamedResourceNotJudged(t *testing.T) {
	root := filepath.Join(checktest.RepoRoot(t), "testdata", "nodes", "incident-204")
	out, _ := checktest.Run(checkct.New(), "--root", root, "--ctid", "204", "--resource", "oomguarpages")
	if !strings.Contains(out, "[OK] beancounters: oomguarpages not judged (guarantee 0, nothing to measure usage against)") {
		t.Fatalf("no word on the unjudged resource:\n%s", out)
	}
}

// --all reads each source once, however many containers need it (the
// host's CPU count was read again for each container without CPUS=).
func TestAllReadsEachFileOnce(t *testing.T) {
	root := checktest.RepoRoot(t)
	for _, name := range []string{"incident-204", "incident-204-fairsched", "vz7-uuid", "vhs9", "ovz-32bit"} {
		out, _ := checktest.Run(checkct.New(), "--root", filepath.Join(root, "testdata", "nodes", name), "--all", "-vvv")
		seen := map[string]bool{}
		for _, line := range strings.Split(out, "\n") {
			// -vvv traces each stage: "[   0.123ms] reading PATH".
			_, stage, ok := strings.Cut(line, "ms] ")
			if !ok || !strings.HasPrefix(stage, "reading ") {
				continue
			}
			if seen[stage] {
				t.Errorf("%s: %s again", name, stage)
			}
			seen[stage] = true
		}
		if len(seen) == 0 {
			t.Fatalf("%s: no stages traced:\n%s", name, out)
		}
	}
}
