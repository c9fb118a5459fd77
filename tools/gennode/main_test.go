package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunGenerations(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    options
		want []string // files the node must have
		not  []string // and must not
	}{
		{"rhel6", options{count: 3, processes: 60}, []string{"proc/fairsched", "proc/user_beancounters"}, []string{"proc/vz/fairsched/1000/tasks"}},
		{"rhel6-fairsched", options{count: 3, processes: 60, fairsched: true}, []string{"proc/vz/fairsched/1000/tasks", "proc/vz/fairsched/1002/cpu.proc.stat"}, nil},
		{"vz7", options{count: 3, processes: 60, kernel: "vz7"}, []string{"proc/bc/resources", "sys/fs/cgroup/ve"}, []string{"proc/fairsched"}},
		{"vhs9", options{count: 3, processes: 60, kernel: "vhs9"}, []string{"sys/fs/cgroup/ve", "sys/fs/cgroup/cpu,cpuacct/machine.slice"}, []string{"proc/bc", "proc/user_beancounters"}},
		{"preset", options{preset: "incident-204", fairsched: true}, []string{"proc/vz/fairsched/204/tasks"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.seed, tt.o.threads = 1, 2
			tt.o.out = filepath.Join(t.TempDir(), "node")
			if err := run(tt.o); err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.want {
				if _, err := os.Stat(filepath.Join(tt.o.out, p)); err != nil {
					t.Error(err)
				}
			}
			for _, p := range tt.not {
				if _, err := os.Stat(filepath.Join(tt.o.out, p)); err == nil {
					t.Errorf("%s exists", p)
				}
			}
		})
	}
}

func TestRunRefuses(t *testing.T) {
	for _, tt := range []struct {
		o    options
		want string
	}{
		{options{count: 3, kernel: "vz7", fairsched: true}, "-fairsched"},
		{options{preset: "vz7-uuid", fairsched: true}, "-fairsched"},
		{options{preset: "vz7-uuid", kernel: "vhs9"}, "-kernel"},
		{options{count: 3, kernel: "rhel5"}, `-kernel "rhel5"`},
	} {
		tt.o.out = filepath.Join(t.TempDir(), "node")
		err := run(tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want an error naming %s", tt.o, err, tt.want)
		}
	}
}
