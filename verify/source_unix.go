//go:build unix

package verify

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel runs cmd in its own process group and makes cancelling
// it kill the whole group, so that a script's children (python3 under sh,
// say) stop with it instead of holding its stdout open.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
