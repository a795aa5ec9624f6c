//go:build !linux

package fcemulator

import "os/exec"

// setProcAttrs has nothing to set outside Linux: FC runs Linux binaries, and
// the emulator only needs the portable parts of os/exec elsewhere.
func setProcAttrs(*exec.Cmd) {}
