// Command peakrss runs a program and reports its peak resident set size
// from wait4's rusage once it has exited. The backfill bench starts the CLI
// through it.
//
//	peakrss PROGRAM [ARG...]
//
// A wrapper is needed because Linux's ru_maxrss also counts the process a
// program was exec'd from: exec records the old address space's high-water
// mark before replacing it, and Go's os/exec starts children with
// CLONE_VM|CLONE_VFORK, so that old address space is the parent's. A child
// of the bench, which holds a million objects in its in-process OSS server,
// would report the bench's peak: /bin/true started from a Go process with
// 400 MiB resident reports 400 MiB. Started from this small process, the
// program's ru_maxrss is max(this process's peak at exec, the program's
// own peak), and the first is a few MiB.
//
// It writes two lines to file descriptor 3 (the bench passes a pipe there):
// "pid N" once the program has started, and "maxrss BYTES self BYTES" once
// it has exited, self being this process's own VmHWM, the floor below which
// maxrss says nothing about the program. The program shares this process's
// stdin, stdout and stderr; SIGINT and SIGTERM are passed on to it. The
// exit code is the program's, or 128+N when signal N ended it.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/vlicense/fc-vehicle-license/tools/procfs"
)

func main() { os.Exit(run()) }

func run() int {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss PROGRAM [ARG...]")
		return 2
	}
	// fd 3 is inherited without close-on-exec; the program must not hold
	// the bench's pipe open.
	syscall.CloseOnExec(3)
	report := os.NewFile(3, "report")

	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// If this process is killed, so is the program: the bench never leaves
	// a CLI running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		return 127
	}
	fmt.Fprintf(report, "pid %d\n", cmd.Process.Pid)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	_ = cmd.Wait() // the exit status is in ProcessState

	var maxRSS int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = ru.Maxrss * 1024 // KiB on Linux
	}
	self, _ := procfs.PeakRSS(os.Getpid())
	fmt.Fprintf(report, "maxrss %d self %d\n", maxRSS, self)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}
