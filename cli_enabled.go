//go:build !fconly

package main

import (
	"os"

	"github.com/vlicense/fc-vehicle-license/internal/cli"
)

// runCLI runs a command of the CLI (internal/cli).
func runCLI(args []string) int {
	return cli.Run(args, cli.IO{
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		IsTerminal: isTerminal(os.Stderr),
	})
}

// isTerminal is true for a character device (a terminal): progress bars
// redraw in place there and print plain lines anywhere else.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
