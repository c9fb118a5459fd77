package vzctl

import "testing"

// AcceptAnyDevice lets Open take any character device for the rest of the
// test (/dev/null reaches the real ioctl path).
func AcceptAnyDevice(t *testing.T) {
	saved := vzctlMajor
	vzctlMajor = 0
	t.Cleanup(func() { vzctlMajor = saved })
}
