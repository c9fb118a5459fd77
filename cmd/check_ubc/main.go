// Command check_ubc checks the user beancounters of the containers on an
// OpenVZ/Virtuozzo hardware node against their barriers and limits.
package main

import (
	"os"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/checkubc"
	"github.com/vzmon/vzmon/internal/plugin"
)

func main() {
	// Deferred first so that it runs last and owns the exit code.
	np := nagios.NewPlugin()
	defer np.ReturnCheckResults()
	plugin.Run(os.Args[1:], os.Stdout, os.Stderr, np, checkubc.New())
}
