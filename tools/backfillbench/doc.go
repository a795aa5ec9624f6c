// Package backfillbench measures `vlicense backfill` the way an operator
// runs it: the CLI is built with `go build` and run as a child process
// against a local OSS server and a recognition stand-in in this process.
// tools/cmd/backfillbench prints the table; docs/performance.md keeps the
// latest one.
//
// Two scenarios, each on servers of its own:
//
//   - pacing: Images small PNG images under one prefix, the stand-in
//     answering every call after Delay, `backfill --qps QPS --concurrency
//     Concurrency`. The sustained rate is counted from the calls' arrival
//     times at the stand-in (ocrserver.Call.At), over a window that leaves
//     out a warm-up at the start and the tail at the end (see measureRate);
//     every image must get exactly one call.
//   - memory: Keys keys, most of them ones the backfill filters without a
//     request, with an image every imageEvery keys, and `backfill --dry-run`
//     with the default page size and concurrency. Its peak resident set is
//     the goal; the listing rate is reported with the local OSS server's own
//     share of it, because that server sorts the whole prefix for every page
//     it answers and dominates at a million keys.
//
// Peak RSS of a child is read two ways (child.go): VmHWM of
// /proc/<pid>/status polled while it runs, and ru_maxrss from wait4 once it
// has exited, taken by the small peakrss wrapper rather than by this
// process, for the reason given there.
package backfillbench
