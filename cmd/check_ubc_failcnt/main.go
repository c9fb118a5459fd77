// Command check_ubc_failcnt alerts when a container's beancounter failcnt
// grew since the previous run.
package main

import (
	"os"

	"github.com/atc0005/go-nagios"

	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/checkfailcnt"
)

func main() {
	// Deferred first so that it runs last and owns the exit code.
	np := nagios.NewPlugin()
	defer np.ReturnCheckResults()
	check.Run(os.Args[1:], os.Stdout, os.Stderr, np, checkfailcnt.New())
}
