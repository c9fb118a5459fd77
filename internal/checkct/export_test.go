package checkct

import (
	"github.com/vzmon/vzmon/internal/check"
	"github.com/vzmon/vzmon/internal/vzctl"
)

// NewWithKernel is New with stand-ins for the process's euid and the vzctl
// device: the tests have no OpenVZ kernel.
func NewWithKernel(euid int, open func(string) (vzctl.Device, error)) *check.App {
	return newApp(&app{euid: euid, openDevice: open})
}
