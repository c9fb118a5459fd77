package nodegen

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/vzmon/vzmon/internal/ubc"
)

const gib = 1 << 30 / ubc.PageSize // pages in 1 GiB

type ctSpec struct {
	id, name, host string
	onboot         bool
	profile        Profile
	frac           uint64
	use            map[string]Usage
}

func build(k Kernel, hostMax uint64, specs []ctSpec) *Node {
	return buildRAM(k, hostMax, 64*gib, specs)
}

// buildRAM is build on a host with ramPages of RAM (CT 0's oomguarpages
// barrier follows it).
func buildRAM(k Kernel, hostMax, ramPages uint64, specs []ctSpec) *Node {
	n := &Node{Kernel: k}
	for _, s := range specs {
		rows := s.profile.Rows(s.frac, s.use)
		n.Cts = append(n.Cts, Container{ID: s.id, Name: s.name, Rows: rows,
			Conf: ConfFor(s.name, s.host, s.onboot, LimitVars(rows)...)})
	}
	host := HostProfile(ramPages, hostMax).Rows(300, nil)
	n.Cts = append(n.Cts, Container{ID: "0", Rows: host})
	return n
}

// Presets are the committed sample nodes under testdata/nodes.
var Presets = map[string]func() *Node{
	"incident-204":           Incident204,
	"incident-204-fairsched": Incident204Fairsched,
	"rhel6-vswap":            RHEL6VSwap,
	"ovz-32bit":              OVZ32Bit,
	"vz7-uuid":               VZ7UUID,
	"vhs9":                   VHS9Node,
	"ubc-misconfig":          UBCMisconfig,
}

// PresetNames returns the preset names, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(Presets))
	for n := range Presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ct returns the container with the given ID.
func (n *Node) ct(id string) *Container {
	for i := range n.Cts {
		if n.Cts[i].ID == id {
			return &n.Cts[i]
		}
	}
	panic("no container " + id)
}

// conf appends config variables to a container.
func (c *Container) conf(vars ...ConfVar) { c.Conf = append(c.Conf, vars...) }

// loads sets containers' load averages (hundredths, 1/5/15 minutes).
func (n *Node) loads(byID map[string][3]uint64) {
	for id, la := range byID {
		n.ct(id).LoadAvg = la
	}
}

// simfs gives a container a vzquota entry and the matching config.
func (c *Container) simfs(usedKB, softKB, hardKB, inodes, isoft, ihard uint64) {
	c.Quota = &[6]uint64{usedKB, softKB, hardKB, inodes, isoft, ihard}
	c.conf(ConfVar{"VE_LAYOUT", "simfs"}, ConfVar{"DISK_QUOTA", "yes"},
		ConfVar{"DISKSPACE", fmt.Sprintf("%d:%d", softKB, hardKB)}, ConfVar{"DISKINODES", fmt.Sprintf("%d:%d", isoft, ihard)})
}

// Incident204 is the seed's story: CT 204 (web1) has exhausted tcpsndbuf,
// its failcnt is huge and climbing, Apache is wedged with ~150 tasks
// runnable or blocked (its own monitoring cannot run, its load is ~150);
// the other containers on the node are fine. CT 207 should run
// (ONBOOT=yes) but is stopped. The fairsched cgroup is not mounted: task
// lists come from the scan.
func Incident204() *Node {
	vs := VSwapProfile(gib, gib)
	n := build(RHEL6, unl, []ctSpec{
		{"206", "dev", "dev.example.com", false, vs, 120, nil},
		{"205", "shop", "shop.example.com", true, vs, 310, nil},
		{"204", "web1", "web1.example.com", true, vs, 400, map[string]Usage{
			"tcpsndbuf":  {2701184, 2703360, 1861284},
			"numtcpsock": {331, 360, 0},
			"numproc":    {163, 171, 0},
			"physpages":  {261802, 262144, 5120},
			"swappages":  {180233, 201377, 0},
		}},
		{"203", "dns1", "dns1.example.com", true, vs, 90, nil},
		{"202", "db1", "db1.example.com", true, vs, 450, map[string]Usage{
			"physpages": {250112, 262144, 17},
		}},
		{"201", "mail1", "mail1.example.com", true, vs, 250, nil},
		{"207", "legacy-shop", "shop-old.example.com", true, vs, 0, nil},
	})
	n.ct("207").Stopped = true
	for _, id := range []string{"201", "202", "203", "204", "205", "206", "207"} {
		n.ct(id).IPs = []string{"10.0.0." + id}
		n.ct(id).conf(ConfVar{"IP_ADDRESS", "10.0.0." + id}, ConfVar{"CPUS", "2"})
	}
	n.ct("204").simfs(5242880, 10485760, 11534336, 180312, 400000, 440000)
	n.ct("201").simfs(10276044, 10485760, 11534336, 98010, 400000, 440000)
	n.Tasks = newTasks().host().
		basic("201", "master", "qmgr", "dovecot", "dovecot").
		basic("202").process("202", "mysqld", "SSSSSSSSSSSSSSSSS").
		basic("203", "named").
		add("204", "init", 'S', 1).add("204", "syslogd", 'S', 1).add("204", "cron", 'S', 1).add("204", "slapd", 'S', 1).
		add("204", "apache2", 'R', 121).add("204", "apache2", 'D', 27).add("204", "apache2", 'S', 11).
		basic("205", "nginx", "nginx", "php-fpm", "php-fpm", "php-fpm").
		basic("206").
		done()
	n.loads(map[string][3]uint64{"201": {12, 9, 7}, "202": {47, 38, 31}, "203": {3, 2, 1},
		"204": {15187, 14996, 14821}, "205": {64, 52, 48}, "206": {0, 1, 0}})
	n.MemInfo = &MemInfo{TotalKB: 64 * gib * 4, FreeKB: 22 * gib * 4, SwapTotalKB: 16 * gib * 4, SwapFreeKB: 15 * gib * 4}
	return n
}

// UBCMisconfig is a small classic (pre-VSwap) 64-bit OpenVZ 6 node whose
// limits could never work together, for check_ubc --mode config and
// --mode memory: CT 301 had numtcpsock raised to 1000 without raising
// tcpsndbuf/tcprcvbuf (the seed's mis-sizing, weeks before the incident);
// CT 302 is consistent; stopped CT 303's config has a kmemsize barrier too
// small for its processes; CT 304's numproc was raised with vzctl set
// without --save (kernel 300, config 240). The containers' privvmpages
// limits (1 GiB for CT 302) promise more than the 1 GiB of RAM and 512 MiB
// of swap.
func UBCMisconfig() *Node {
	cl := ClassicProfile(unl)
	with := func(p Profile, vals map[string]Limit) Profile {
		out := Profile{}
		for k, v := range p {
			out[k] = v
		}
		for k, v := range vals {
			out[k] = v
		}
		return out
	}
	n := buildRAM(RHEL6, unl, gib, []ctSpec{
		{"304", "cache", "cache.example.com", true, with(cl, map[string]Limit{"numproc": {300, 300}}), 300, nil},
		{"303", "old", "old.example.com", false, with(cl, map[string]Limit{"kmemsize": {2752512, 2936012}}), 0, nil},
		{"302", "db2", "db2.example.com", true, with(cl, map[string]Limit{"privvmpages": {262144, 262144}}), 400, nil},
		{"301", "web2", "web2.example.com", true, with(cl, map[string]Limit{"numtcpsock": {1000, 1000}}), 350, map[string]Usage{
			"numtcpsock": {612, 733, 0},
			"tcpsndbuf":  {1402880, 1876992, 0},
		}},
	})
	n.ct("303").Stopped = true
	n.ct("304").setConf("NUMPROC", "240:240")
	n.MemInfo = &MemInfo{TotalKB: gib * 4, FreeKB: gib, SwapTotalKB: gib * 2, SwapFreeKB: gib * 2}
	return n
}

// setConf replaces a config variable's value.
func (c *Container) setConf(key, value string) {
	for i := range c.Conf {
		if c.Conf[i].Key == key {
			c.Conf[i].Value = value
			return
		}
	}
	panic("no " + key + " in the config of " + c.ID)
}

// Incident204Fairsched is Incident204 on a node whose vz init script
// mounted the fairsched cgroup: per-container task lists under
// /proc/vz/fairsched.
func Incident204Fairsched() *Node {
	n := Incident204()
	n.FairschedMounted = true
	return n
}

// RHEL6VSwap is a healthy 64-bit OpenVZ 6 VSwap node; some containers carry
// old, non-growing failcnts (history, not alarms).
func RHEL6VSwap() *Node {
	n := build(RHEL6, unl, []ctSpec{
		{"110", "ci", "ci.example.com", true, VSwapProfile(2*gib, gib), 200, nil},
		{"103", "", "ct103.example.com", true, VSwapProfile(gib/2, gib/2), 350, map[string]Usage{
			"numothersock": {120, 360, 4},
		}},
		{"102", "db", "db.example.com", true, VSwapProfile(4*gib, 2*gib), 500, map[string]Usage{
			"physpages": {1048000, 1048576, 12},
		}},
		{"101", "web", "web.example.com", true, VSwapProfile(gib, gib), 300, nil},
	})
	for _, id := range []string{"101", "102", "103", "110"} {
		n.ct(id).IPs = []string{"192.168.10." + id}
	}
	n.ct("101").simfs(2097152, 8388608, 9437184, 51234, 200000, 220000)
	n.Tasks = newTasks().host().basic("110").process("110", "java", "SSSSSSSSSSSSRSSSSSSS").process("110", "java", "SSSSSSSSSSSS").
		basic("103").basic("102").process("102", "mysqld", "SSSSSSSSSSSSSSSSS").
		basic("101", "httpd", "httpd", "httpd", "httpd", "httpd").done()
	n.loads(map[string][3]uint64{"110": {98, 87, 80}, "103": {2, 1, 0}, "102": {21, 18, 15}, "101": {8, 6, 5}})
	n.MemInfo = &MemInfo{TotalKB: 64 * gib * 4, FreeKB: 41 * gib * 4, SwapTotalKB: 16 * gib * 4, SwapFreeKB: 16 * gib * 4}
	return n
}

// OVZ32Bit is a 32-bit 2.6.18 node with classic (non-VSwap) limits and no
// /proc/bc: 10-wide columns and 2147483647 as unlimited. CT 101 is close to
// its numproc barrier.
func OVZ32Bit() *Node {
	cl := ClassicProfile(ubc.LongMax32)
	n := build(RHEL5x32, ubc.LongMax32, []ctSpec{
		{"102", "", "ct102.example.net", true, cl, 300, nil},
		{"101", "legacy", "legacy.example.net", true, cl, 250, map[string]Usage{
			"numproc":  {221, 233, 0},
			"kmemsize": {9011200, 11024000, 3},
		}},
	})
	n.NoBC = true
	n.ct("101").simfs(1048576, 2097152, 2306867, 40123, 100000, 110000)
	n.ct("102").simfs(524288, 2097152, 2306867, 20011, 100000, 110000)
	n.Tasks = newTasks().host().basic("101", "httpd", "httpd").add("101", "httpd", 'R', 2).basic("102").done()
	n.loads(map[string][3]uint64{"101": {203, 188, 171}, "102": {4, 3, 1}})
	// A PAE kernel: 896 MiB of lowmem less the kernel's reserve.
	n.MemInfo = &MemInfo{TotalKB: 64 * gib * 4, FreeKB: 40 * gib * 4, SwapTotalKB: 8 * gib * 4, SwapFreeKB: 8 * gib * 4, LowTotalKB: 889960}
	return n
}

// VZ7UUID is an OpenVZ 7 node with UUID-named containers next to a numeric
// one; one container is close to its numproc limit. As the VZ7 kernel does,
// tasks print the CTID in envID: (docs/formats.md §5.4); vzctl keeps the
// legacy numeric ID as VEID= in the config.
func VZ7UUID() *Node { return vz7(false) }

// VZ7UUIDNumericEnvID is VZ7UUID with tasks printing the numeric VEID in
// envID:, the layout this suite once assumed for VZ7 (and OpenVZ 6 prints
// for numeric IDs): matching by VEID= and --envid stays tested on it.
func VZ7UUIDNumericEnvID() *Node { return vz7(true) }

func vz7(numericEnvID bool) *Node {
	vs := VSwapProfile(2*gib, gib)
	const app1, build7 = "1d2f6a8e-3c1b-4c55-9d0e-7a1b2c3d4e5f", "7f3e2d1c-0b9a-4876-a543-210fedcba987"
	n := build(VZ7, unl, []ctSpec{
		{app1, "app1", "app1.example.org", true, vs, 300, map[string]Usage{
			"numproc": {370, 388, 0},
		}},
		{build7, "build", "build.example.org", true, vs, 150, nil},
		{"300", "legacy7", "legacy7.example.org", true, vs, 200, nil},
	})
	for id, veid := range map[string]string{app1: "1001", build7: "1002"} {
		n.ct(id).conf(ConfVar{"VEID", veid})
		if numericEnvID {
			n.ct(id).EnvID = veid
		}
	}
	env := func(id string) string { return n.ct(id).env() }
	// node runs a thread pool; journald's name is longer than the 15
	// bytes the kernel keeps.
	n.Tasks = newTasks().host().
		basic(env(app1), "systemd-journald").process(env(app1), "node", "SSSSSSS").process(env(app1), "node", "SRSSSSS").
		basic(env(build7), "gitlab-runner").basic("300").done()
	n.loads(map[string][3]uint64{app1: {104, 97, 88}, build7: {33, 41, 45}})
	return n
}

// VHS9Node is a small Virtuozzo Hybrid Server 9 node (no /proc/bc, no
// /proc/user_beancounters): UUID container api (VEID 2001) runs with a
// load problem, its PHP workers busy on 4 CPUs; numeric CT 401 should run
// (ONBOOT=yes) but is stopped.
func VHS9Node() *Node {
	const api = "5b0e8c2a-91d4-4f3e-b6a7-3c2d1e0f9a8b"
	vs := VSwapProfile(4*gib, 2*gib)
	n := build(VHS9, unl, []ctSpec{
		{api, "api", "api.example.net", true, vs, 420, nil},
		{"401", "batch", "batch.example.net", true, vs, 0, nil},
	})
	n.ct(api).conf(ConfVar{"VEID", "2001"}, ConfVar{"CPUS", "4"})
	n.ct("401").Stopped = true
	n.Tasks = newTasks().host().
		basic(api, "nginx", "nginx").process(api, "php-fpm", "S").
		add(api, "php-fpm", 'R', 26).add(api, "php-fpm", 'D', 5).add(api, "php-fpm", 'S', 9).
		process(api, "mariadbd", "SSSSRSSSSDSS").done()
	n.loads(map[string][3]uint64{api: {3187, 2954, 2411}})
	return n
}

// Generated is a deterministic RHEL6 node with n containers (IDs 1000 up,
// newest first, CT 0 last) for benchmarks and load tests. About one in a
// hundred containers is near or over a barrier, so output paths are busy.
func Generated(n int, seed uint64) *Node { return GeneratedFor(RHEL6, n, seed) }

// GeneratedFor is Generated for a kernel generation. On VZ7 and VHS 9 the
// containers are named by UUIDs (deterministic in seed) and keep their
// numeric ID as VEID= in the config.
func GeneratedFor(k Kernel, n int, seed uint64) *Node {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	uuids := rand.New(rand.NewPCG(seed, 0x0d1d)) // its own stream: RHEL6 nodes stay as they were
	specs := make([]ctSpec, 0, n)
	for i := n - 1; i >= 0; i-- {
		id := strconv.Itoa(1000 + i)
		if k.namedIDs() {
			id = fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uuids.Uint32(), uuids.IntN(1<<16), uuids.IntN(1<<12),
				0x8000|uuids.IntN(1<<14), uuids.Uint64()&(1<<48-1))
		}
		ram := uint64(1+r.IntN(8)) * gib / 2
		use := map[string]Usage{}
		if r.IntN(100) == 0 {
			use["numtcpsock"] = Usage{Held: uint64(330 + r.IntN(31)), MaxHeld: 360, FailCnt: uint64(r.IntN(1000))}
		}
		specs = append(specs, ctSpec{id, fmt.Sprintf("ct%d", 1000+i), fmt.Sprintf("ct%d.example.com", 1000+i), true,
			VSwapProfile(ram, ram), uint64(20 + r.IntN(600)), use})
	}
	node := build(k, unl, specs)
	if k.namedIDs() {
		for i := range specs {
			node.Cts[i].conf(ConfVar{"VEID", strconv.Itoa(1000 + n - 1 - i)})
		}
	}
	return node
}

// WithTasks gives a node processes spread over its running containers
// (and the host), each with threads threads, mostly sleeping, for
// benchmarks of the task scan. Each container's load averages become its
// count of threads in R or D, as a steady load would settle.
func (n *Node) WithTasks(processes, threads int, seed uint64) *Node {
	r := rand.New(rand.NewPCG(seed, 0x7a5c))
	b := newTasks()
	states := []byte("SSSSSSSSSSSSSSRD")
	letters := make([]byte, threads)
	running := n.running()
	for i := 0; i < processes; i++ {
		c := running[r.IntN(len(running))]
		for j := range letters {
			letters[j] = states[r.IntN(len(states))]
		}
		b.process(c.env(), "worker", string(letters))
	}
	n.Tasks = b.done()
	groups := groupTasks(n.Tasks, true)
	for i := range n.Cts {
		g := of(groups, n.Cts[i].env())
		busy := uint64(g.running+g.blocked) * 100
		n.Cts[i].LoadAvg = [3]uint64{busy, busy, busy}
	}
	return n
}

// AddProcess adds a process to the node, numbered after its tasks: envID
// is what its tasks print in envID:, states one letter per thread, the
// leader's first.
func (n *Node) AddProcess(envID, name, states string) *Node {
	n.Tasks = tasksAfter(n.Tasks).process(envID, name, states).done()
	return n
}
