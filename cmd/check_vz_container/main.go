// Command check_vz_container checks one container's health from the
// hardware node, even when the container is wedged.
package main

import (
	"os"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkct"
)

func main() {
	// Deferred first so that it runs last and owns the exit code.
	np := nagios.NewPlugin()
	defer np.ReturnCheckResults()
	check.Run(os.Args[1:], os.Stdout, os.Stderr, np, checkct.New())
}
