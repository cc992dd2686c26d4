//go:build !unix

package verify

import "os/exec"

// killGroupOnCancel leaves cmd's cancellation to os/exec (kill the process)
// where there are no Unix process groups.
func killGroupOnCancel(cmd *exec.Cmd) {}
