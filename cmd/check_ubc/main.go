// Command check_ubc checks the user beancounters of the containers on an
// OpenVZ/Virtuozzo hardware node against their barriers and limits.
package main

import (
	"os"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkubc"
)

func main() {
	// Deferred first so that it runs last and owns the exit code.
	np := nagios.NewPlugin()
	defer np.ReturnCheckResults()
	check.Run(os.Args[1:], os.Stdout, os.Stderr, np, checkubc.New())
}
