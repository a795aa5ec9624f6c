//go:build fconly

package main

import (
	"fmt"
	"os"
)

// runCLI explains why this build has no commands: it is the one FC runs,
// built without the CLI so that the CLI's packages add nothing to an
// instance's cold start.
func runCLI([]string) int {
	fmt.Fprintln(os.Stderr, `This is the Function Compute build of the function (make build, -tags fconly): it only serves FC,
where FC_RUNTIME_API is set. For the commands (demo, local, invoke, backfill), build it for this
machine without the tag: make demo and make local build build/local/main.`)
	return 2
}
