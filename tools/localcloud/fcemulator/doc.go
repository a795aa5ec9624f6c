// Package fcemulator emulates the Function Compute 3.0 runtime API for the
// go1 runtime, so that a real, built function binary can be run locally the
// way FC runs it: as a child process that long-polls the runtime API with
// github.com/aliyun/fc-runtime-go-sdk.
//
// # What it emulates
//
// Each function instance is one child process with its own runtime API server
// on 127.0.0.1:<free port>, handed to it as FC_RUNTIME_API=host:port (the SDK
// prepends "http://" and appends "/2020-11-11/runtime/invocation/"). The
// server answers
//
//	GET  /2020-11-11/runtime/invocation/next            held open until there is work
//	POST /2020-11-11/runtime/invocation/{id}/response   the handler's result
//	POST /2020-11-11/runtime/invocation/{id}/error      the SDK's JSON error (errorMessage, errorType, stackTrace)
//
// and hands out work with the headers the SDK requires and reads
// (x-fc-request-id, x-fc-function-deadline in epoch ms, x-fc-function-timeout
// in seconds, the credentials, region, account, retry count and function
// metadata). A POST for a request id that is not the one in flight gets 404.
//
// An instance serves one invocation at a time, as the go1 runtime does;
// Invoke and the asynchronous queue share that one instance and take turns.
//
// # Instances, timeouts and crashes
//
// Start launches the first instance at once (so its cold start can be
// measured); later instances are started on demand by the next invocation
// when the previous one is gone. An invocation that overruns its deadline is
// reported as timed out ("Function timed out after N seconds") and its
// instance is killed with SIGKILL, as FC does with an instance that overran;
// the next invocation pays a new cold start. A process that exits while
// serving an invocation yields an error result (Crashed) rather than a hang,
// and is likewise replaced on the next invocation. The emulator's own
// messages about these events go to Config.Logf; they never contain the
// credentials.
//
// # Timings
//
// All times are taken with time.Now and carry Go's monotonic clock reading,
// so differences between them are immune to wall-clock steps:
//
//   - InstanceInfo.Started: immediately before the fork/exec of the binary.
//   - InstanceInfo.FirstPoll: when the instance's first GET .../next reached
//     the runtime API handler. ColdStart() = FirstPoll - Started.
//   - Result.Started: when a waiting GET .../next was given the invocation,
//     just before its response is written; the deadline is Started + Timeout.
//   - Result.Duration: from Result.Started to the arrival of the function's
//     POST .../response or .../error at the handler (before its body is
//     read), or to the moment the deadline expired or the process exit was
//     observed.
//
// InstanceInfo.PID is the function binary's own process (no wrapper), so
// /proc/<pid>/stat and /proc/<pid>/status describe the function while the
// instance runs.
//
// # Asynchronous invocations
//
// InvokeAsync queues an event; one worker delivers queued events in order.
// An attempt that returns an error, times out or crashes is retried up to
// Config.MaxAsyncRetryAttempts times with x-fc-retry-count 1, 2, ... after a
// backoff of RetryBackoff, doubling each time. The retries of an event happen
// before the next event is delivered (FC may interleave other events during
// the backoff; the emulator keeps the order strict for reproducible tests).
// Every attempt is reported to Config.OnResult; an event that failed its last
// attempt goes to Config.OnFailure, the emulator's failure destination.
package fcemulator
