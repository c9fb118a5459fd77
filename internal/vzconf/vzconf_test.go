package vzconf_test

import (
	"strings"
	"testing"

	"github.com/vzmon/vzmon/internal/vzconf"
)

func TestParse(t *testing.T) {
	in := "# comment\n\nONBOOT=\"yes\"\nNAME='web 1'\nHOSTNAME=web1.example.com # trailing\nDESCRIPTION=\"a \\\"quoted\\\" | pipe\"\nexport CPUS=\"2\"\n"
	cfg, err := vzconf.Parse(strings.NewReader(in), "204.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ONBOOT": "yes", "NAME": "web 1", "HOSTNAME": "web1.example.com", "DESCRIPTION": `a "quoted" | pipe`, "CPUS": "2"}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("%s = %q, want %q", k, cfg[k], v)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"NAME=\"open\n", "just words\n", "1KEY=x\n", "NAME='x\n", "NAME=\"a\" b\n", "NAME=" + strings.Repeat("x", 70000) + "\n"} {
		_, err := vzconf.Parse(strings.NewReader(in), "c.conf")
		if err == nil || !strings.HasPrefix(err.Error(), "c.conf line ") {
			t.Errorf("%.30q: err = %v", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("NAME=\"web1\"\nONBOOT=yes\n")
	f.Fuzz(func(_ *testing.T, in string) { // no crash, no hang on any input
		_, _ = vzconf.Parse(strings.NewReader(in), "fuzz")
	})
}
