// Package bench measures the function the way Function Compute runs it:
// the real stripped linux binary (built exactly like `make build`) under the
// local cloud's FC runtime emulator, next to the local OSS and the
// recognition stand-in, and, when Node.js and the baseline's dependencies
// are installed, a Node.js/ali-oss function doing the same work
// (tools/bench/node), measured the same way side by side.
//
// What it measures, and how (each row of the table says it again):
//
//   - cold start: process start (just before fork/exec) to the first
//     GET .../invocation/next at the runtime API, over fresh processes
//     (the previous instance is killed, the next one is started); the Go
//     function is sampled alternately with testdata/minimalfn (fc.Start
//     with a trivial handler: the floor), given the same environment;
//   - one-image invocations: sequential synchronous invocations after a
//     warm-up, each on a new image, timed around Emulator.Invoke;
//   - CPU per invocation: utime+stime of the function's process from
//     /proc/<pid>/stat across those invocations, divided by their number;
//   - a 100-record event with the stand-in answering after 300 ms and
//     CONCURRENCY=16: its duration as a ratio to ceil(100/16) x 300 ms, and
//     the most calls in flight at the stand-in at once;
//   - peak RSS: VmHWM of /proc/<pid>/status after that event;
//   - binary size.
//
// cmd/bench prints the table; `make bench` runs the Go benchmarks first.
package bench
