// Package cli holds the flags every plugin shares and the kong glue that
// never lets kong exit by itself: bad flags, --help and --version all end
// as exit 3 through the check.
package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/vzmon/vzmon/internal/version"
)

// Common are the flags of all three plugins.
type Common struct {
	Root    string           `help:"Read proc/ and etc/vz/ below DIR instead of / (a fake node for tests and the demo)." default:"/" placeholder:"DIR" icinga2:"-"`
	Timeout Seconds          `short:"t" help:"Give up after this long with UNKNOWN naming the stage (seconds, or a duration like 1m; default ${default})." default:"10" placeholder:"SECONDS"`
	Verbose int              `short:"v" type:"counter" help:"More detail: -v all problems, -vv every container, -vvv debug trace on stderr."`
	Version kong.VersionFlag `short:"V" help:"Print the version and exit (3)."`
}

// Seconds is a timeout: whole or fractional seconds ("10", "2.5") or a Go
// duration ("1m30s").
type Seconds time.Duration

// UnmarshalText parses and bounds the timeout.
func (s *Seconds) UnmarshalText(b []byte) error {
	text := string(b)
	d, err := time.ParseDuration(text)
	if err != nil {
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || f != f {
			return fmt.Errorf("%q is not a number of seconds or a duration (like 10, 2.5 or 1m30s)", text)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d <= 0 || d > time.Hour {
		return fmt.Errorf("%q: must be a positive number of seconds or a duration (like 10, 2.5 or 1m30s), at most 1h", text)
	}
	*s = Seconds(d)
	return nil
}

// Duration returns the timeout as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) }

func (s Seconds) String() string { return time.Duration(s).String() }

// Duration is a duration flag that also takes days ("2d", "1d12h"), as
// operators write them; plain Go durations ("15m", "90s") work too.
type Duration time.Duration

// UnmarshalText parses "[Nd]<go duration>".
func (d *Duration) UnmarshalText(b []byte) error {
	text := string(b)
	if strings.HasPrefix(text, "-") {
		return fmt.Errorf("%q: a duration cannot be negative (like 90s, 15m, 2h, 1d)", text)
	}
	var days int64
	if i := strings.IndexByte(text, 'd'); i > 0 {
		n, err := strconv.ParseInt(text[:i], 10, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a duration (like 90s, 15m, 2h, 1d)", text)
		}
		days, text = n, text[i+1:]
	}
	var rest time.Duration
	if text != "" {
		var err error
		if rest, err = time.ParseDuration(text); err != nil {
			return fmt.Errorf("%q is not a duration (like 90s, 15m, 2h, 1d)", string(b))
		}
	}
	if rest < 0 { // "1d-5h"
		return fmt.Errorf("%q: a duration cannot be negative (like 90s, 15m, 2h, 1d)", string(b))
	}
	*d = Duration(time.Duration(days)*24*time.Hour + rest)
	return nil
}

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MaxOutput is --max-output: the output budget in bytes, 0 for none. Each
// plugin declares it with its own default and help; the value is judged
// here, the same way for all of them.
type MaxOutput int

// UnmarshalText parses a number of bytes.
func (m *MaxOutput) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return fmt.Errorf("%q: must be 0 (no limit) or a number of bytes", b)
	}
	*m = MaxOutput(n)
	return nil
}

// ErrExited reports that --help or --version printed their text; the
// plugin exits 3 with nothing more.
var ErrExited = errors.New("help or version printed")

type exitRequest int

// Parse fills app (a struct embedding Common) from args. Help and version
// text go to stdout. It returns ErrExited after --help/--version, or an
// error worded for an UNKNOWN line.
func Parse(app any, name, description string, args []string, stdout io.Writer) (err error) {
	parser, err := kong.New(app,
		kong.Name(name),
		kong.Description(description),
		kong.Vars{"version": name + " " + version.String()},
		kong.Writers(stdout, stdout),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoExpandSubcommands: true}),
		kong.Exit(func(code int) { panic(exitRequest(code)) }),
	)
	if err != nil {
		return fmt.Errorf("internal error building the command line: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(exitRequest); !ok {
				panic(r)
			}
			err = ErrExited
		}
	}()
	if _, err := parser.Parse(joinValues(parser.Model.Flags, args)); err != nil {
		// kong's word for a flag followed by another flag where its value
		// should be: "--timeout: expected value value but got "-v" (short
		// flag); perhaps try --timeout="-v"?". Compiled only here: start-up
		// time counts.
		missingValue := regexp.MustCompile(`(--[\w-]+): expected \w+ value but got "([^"]*)" \([a-z ]*flag\); perhaps try \S+\?`)
		msg := missingValue.ReplaceAllString(oneLine(err.Error()), "$1 needs a value, but the flag $2 follows it")
		return fmt.Errorf("invalid arguments: %s (see --help)", msg)
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// joinValues mends two ways kong misreads a flag's value, so that the
// flag's own check judges it and says what is wrong: a negative number
// after a flag ("-t -5", "--warning -5:5") is taken for a flag (no flag of
// ours is a digit), and a short flag keeps its "=" ("-t=5" gives "=5").
// Both become "--timeout=-5".
func joinValues(flags []*kong.Flag, args []string) []string {
	valueFlag := func(long string, short byte) *kong.Flag {
		for _, f := range flags {
			if (long != "" && f.Name == long || short != 0 && f.Short == rune(short)) && !f.IsBool() && !f.IsCounter() {
				return f
			}
		}
		return nil
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var f *kong.Flag
		switch {
		case arg == "--": // the end of the flags
			return append(out, args[i:]...)
		case strings.HasPrefix(arg, "--") && !strings.Contains(arg, "="):
			f = valueFlag(arg[2:], 0)
		case len(arg) == 2 && arg[0] == '-':
			f = valueFlag("", arg[1])
		case len(arg) > 2 && arg[0] == '-' && arg[2] == '=':
			if f = valueFlag("", arg[1]); f != nil {
				out = append(out, "--"+f.Name+arg[2:])
				continue
			}
		}
		if next := i + 1; f != nil && next < len(args) && negative(args[next]) {
			out = append(out, "--"+f.Name+"="+args[next])
			i++
			continue
		}
		out = append(out, arg)
	}
	return out
}

// negative reports whether s reads as a negative number ("-5", "-.5",
// "-5:5", "-5m").
func negative(s string) bool {
	return len(s) > 1 && s[0] == '-' && (s[1] >= '0' && s[1] <= '9' || s[1] == '.')
}
