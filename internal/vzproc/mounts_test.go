package vzproc_test

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/vzproc"
)

// A Virtuozzo 7 host's /proc/self/mounts (shortened), as show_vfsmnt
// prints it: "%s %s %s %s 0 0\n" with " \t\n\\" escaped in octal.
const vz7Mounts = `sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0
cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd 0 0
cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpuacct,cpu 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
cgroup /sys/fs/cgroup/ve cgroup rw,nosuid,nodev,noexec,relatime,ve 0 0
cgroup /sys/fs/cgroup/beancounter cgroup rw,nosuid,nodev,noexec,relatime,beancounter 0 0
/dev/ploop12345p1 /vz/root/101 ext4 rw,relatime,data=ordered,balloon_ino=12,pfcache_csum,pfcache=/vz/pfcache 0 0
/dev/sdb1 /mnt/backup\040disk\011tab\012nl\134bs ext4 rw,relatime 0 0
none /mnt/odd\040one fuse.sshfs rw,user_id=0,note=a\054b 0 0
`

// An OpenVZ 6 host with vzctl's fairsched mount (the kernel's own
// hierarchy, attached by name).
const ovz6Mounts = `/dev/mapper/vg-root / ext4 rw,relatime,barrier=1,data=ordered 0 0
proc /proc proc rw,relatime 0 0
fairsched /proc/vz/fairsched cgroup rw,relatime,cpuacct,cpu,cpuset,name=fairsched 0 0
/vz/private/101 /vz/root/101 simfs rw,relatime 0 0
`

func TestParseMounts(t *testing.T) {
	ms, err := vzproc.ParseMounts(strings.NewReader(vz7Mounts), "proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 11 {
		t.Fatalf("%d mounts", len(ms))
	}
	if want := (vzproc.Mount{Device: "cgroup", Point: "/sys/fs/cgroup/cpu,cpuacct", Type: "cgroup", Options: []string{"rw", "nosuid", "nodev", "noexec", "relatime", "cpuacct", "cpu"}}); !reflect.DeepEqual(ms[4], want) {
		t.Errorf("cpu,cpuacct: %+v", ms[4])
	}
	if got := ms[9].Point; got != "/mnt/backup disk\ttab\nnl\\bs" {
		t.Errorf("escapes: %q", got)
	}
	if got := ms[10]; got.Point != "/mnt/odd one" || got.Type != "fuse.sshfs" || got.Options[2] != "note=a,b" {
		t.Errorf("escaped option: %+v", got)
	}
	for _, c := range []struct {
		want  []string
		point string
	}{
		{[]string{"cpu", "cpuacct"}, "/sys/fs/cgroup/cpu,cpuacct"},
		{[]string{"cpuacct"}, "/sys/fs/cgroup/cpu,cpuacct"},
		{[]string{"ve"}, "/sys/fs/cgroup/ve"},
		{[]string{"name=systemd"}, "/sys/fs/cgroup/systemd"},
		{[]string{"memory"}, "/sys/fs/cgroup/memory"},
		{[]string{"cpu", "memory"}, ""},            // no one hierarchy has both
		{[]string{"name=fairsched"}, ""},           // not on VZ7
		{[]string{"mode=755"}, ""},                 // a tmpfs, not a cgroup
		{[]string{"cpu,cpuacct"}, ""},              // an option, not the directory name
		{nil, ""},                                  // nothing wanted, nothing found
		{[]string{"rw"}, "/sys/fs/cgroup/systemd"}, // the first match wins
	} {
		point, ok := vzproc.CgroupMount(ms, c.want...)
		if point != c.point || ok != (c.point != "") {
			t.Errorf("CgroupMount(%q) = %q %v, want %q", c.want, point, ok, c.point)
		}
	}
	ms, err = vzproc.ParseMounts(strings.NewReader(ovz6Mounts), "proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	if point, ok := vzproc.CgroupMount(ms, "name=fairsched"); !ok || point != "/proc/vz/fairsched" {
		t.Errorf("fairsched: %q %v", point, ok)
	}
	if ms, err := vzproc.ParseMounts(strings.NewReader(""), "m"); err != nil || len(ms) != 0 {
		t.Errorf("empty: %v %v", ms, err)
	}
}

func TestParseMountsErrors(t *testing.T) {
	checkBad(t, func(r io.Reader, s string) error { _, err := vzproc.ParseMounts(r, s); return err }, []badInput{
		{"five fields", "proc /proc proc rw 0\n", "line 1: expected 6 fields (device, mount point, type, options, dump, pass), found 5"},
		{"unescaped space", "/dev/sdb1 /mnt/a b ext4 rw 0 0\n", "line 1: expected 6 fields"},
		{"short escape", "proc /proc/x\\04 proc rw 0 0\n", "line 1: field 2 \"/proc/x\\\\04\" has a bad escape"},
		{"escape at end", "proc\\ /proc proc rw 0 0\n", "line 1: field 1"},
		{"not octal", "proc /proc/\\089 proc rw 0 0\n", "line 1: field 2"},
		{"over a byte", "proc /proc/\\400 proc rw 0 0\n", "line 1: field 2"},
		{"bad escape in type", "proc /proc pr\\oc rw 0 0\n", "line 1: field 3"},
		{"bad escape in option", "proc /proc proc rw,a\\1 0 0\n", "line 1: option \"a\\\\1\" has a bad escape"},
		{"dump garbage", "proc /proc proc rw x 0\n", "line 1: dump/pass \"x\" is not a number"},
		{"pass negative", "proc /proc proc rw 0 -1\n", "line 1: dump/pass \"-1\""},
		{"cut short", vz7Mounts[:len(vz7Mounts)-5], "line 11: last line has no newline"},
		{"too long", "proc /" + strings.Repeat("x", 70000) + " proc rw 0 0\n", "line 1: longer than 65536 bytes"},
		{"too many", strings.Repeat("proc /proc proc rw 0 0\n", 100001), "line 100001: more than 100000 mounts"},
	})
}

func FuzzParseMounts(f *testing.F) {
	f.Add(vz7Mounts)
	f.Add(ovz6Mounts)
	f.Fuzz(func(t *testing.T, in string) {
		ms, err := vzproc.ParseMounts(strings.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(ms) != strings.Count(in, "\n") {
			t.Fatalf("%d mounts from %d lines", len(ms), strings.Count(in, "\n"))
		}
		for _, m := range ms {
			if len(m.Options) == 0 {
				t.Fatalf("%+v: no options", m)
			}
			if m.Type != "cgroup" || m.Options[0] == "" {
				continue
			}
			// A cgroup mount is found by its own option (or an earlier one is).
			if _, ok := vzproc.CgroupMount(ms, m.Options[0]); !ok {
				t.Fatalf("cgroup mount %+v not found by %q", m, m.Options[0])
			}
		}
	})
}
