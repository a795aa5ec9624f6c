// Command vlicense is the operator's tool for the 行驶证 recognition
// function: see it work locally (demo, local), run it against a real bucket
// (invoke, backfill). It builds its clients
// the way the function does (internal/app).
//
//	go install github.com/vlicense/fc-vehicle-license/cmd/vlicense@latest
package main

import (
	"os"

	"github.com/vlicense/fc-vehicle-license/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.IO{
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		IsTerminal: isTerminal(os.Stderr),
	}))
}

// isTerminal is true for a character device: progress bars redraw in place
// there and print plain lines anywhere else.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
