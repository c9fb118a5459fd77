// Command perfprobe measures the floor under check_ubc for
// scripts/perf.sh, built the way the plugins are (static, Go 1.23):
//
//	perfprobe            exits at once: the Go runtime's start-up
//	perfprobe read FILE  also reads FILE through a 64 KiB buffer
//	perfprobe scan FILE  also parses it with ubc.Scan, keeping nothing
//
// None of them builds kong's model; check_ubc --version measures that.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vzmon/vzmon/internal/ubc"
)

func main() {
	if len(os.Args) == 1 {
		return
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "perfprobe:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 || args[0] != "read" && args[0] != "scan" {
		return errors.New("usage: perfprobe [read|scan FILE]")
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	if args[0] == "scan" {
		return ubc.Scan(f, args[1], func(*ubc.Container) error { return nil })
	}
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Read(buf); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
