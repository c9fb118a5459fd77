// Package cli holds the flags every plugin shares and the kong glue that
// never lets kong exit by itself: bad flags, --help and --version all end
// as exit 3 through the plugin.
package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/vzmon/vzmon/internal/version"
)

// Common are the flags of all three plugins.
type Common struct {
	Root    string           `help:"Read proc/ and etc/vz/ below DIR instead of / (a fake node for tests and the demo)." default:"/" placeholder:"DIR"`
	Timeout Seconds          `short:"t" help:"Give up after this long with UNKNOWN naming the stage (seconds, or a duration like 1m)." default:"10" placeholder:"SECONDS"`
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
			return fmt.Errorf("%q is not a number of seconds or a duration", text)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d <= 0 || d > time.Hour {
		return fmt.Errorf("%q must be above 0 and at most 1h", text)
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
	if rest < 0 {
		return fmt.Errorf("%q: a duration cannot be negative", string(b))
	}
	*d = Duration(time.Duration(days)*24*time.Hour + rest)
	return nil
}

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

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
	if _, err := parser.Parse(args); err != nil {
		return fmt.Errorf("invalid arguments: %s (see --help)", oneLine(err.Error()))
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
