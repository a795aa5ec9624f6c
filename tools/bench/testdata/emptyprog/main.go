// Command emptyprog does nothing but say it has reached main: the bench
// times it from fork/exec to that byte on stdout, the least any Go process
// costs to start on the machine, below which no go1 function's cold start
// (fork/exec to its first poll) can go.
package main

import "os"

func main() {
	_, _ = os.Stdout.Write([]byte{'\n'})
}
