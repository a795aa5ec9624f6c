//go:build linux

package fcemulator

import (
	"os/exec"
	"syscall"
)

// setProcAttrs puts the function in its own process group, so a Ctrl-C in
// the terminal reaches the emulator (which then stops the function cleanly)
// rather than killing the function behind its back, and has the kernel kill
// the function if the emulator dies without calling Close: the SDK would
// otherwise spin for ever polling a runtime API that no longer exists.
// (Pdeathsig follows the thread that started the child; the Go runtime only
// retires threads locked with runtime.LockOSThread, which this package never
// does.)
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
