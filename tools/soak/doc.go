// Package soak drives the real function binary through the local cloud
// (tools/localcloud: OSS server, recognition stand-in, FC emulator wired
// by s.yaml's triggers) with injected faults, and checks that the function
// keeps the promises of the README.
//
// # Workload
//
// Images are uploaded with the user's SDK client on the public endpoint, so
// that OSS notifies and the trigger fires as in the cloud. At most
// Options.Window events are queued or in delivery before the next upload, so
// that uploads, FC retries, duplicates and replays interleave. On top:
//
//   - re-uploads of a key with new content (a new ETag) a few uploads later,
//     before, during or after the first version's recognition; and
//     re-uploads made from inside the key's first recognition call (after
//     the function read the ETag, before the vendor fetched the image);
//   - duplicate deliveries of an upload's event (ossserver.EventPayload
//     through FC.InvokeAsync), right behind it or a few uploads later;
//   - replays of a key's previous event after a newer upload of the key;
//   - recognition calls failing transiently (503, 502, throttling, answers
//     held back twice OCR_TIMEOUT, which the function's client cuts), keys
//     the vendor refuses, keys whose whole first invocation fails (FC's async
//     retry recognises them) and keys failing up to FC's last attempt;
//   - result PUTs answered 500 or 503 by the internal endpoint.
//
// Every decision is a hash of the seed and of what it is about (key,
// version, call or PUT number), never of timing.
//
// # What is checked
//
//   - Every image key has exactly one current result document, naming the
//     image's current ETag in source.etag and x-oss-meta-source-etag, with
//     status succeeded or failed (rejected for refused keys; transient is
//     allowed after FC's last attempt), whose recognition is that of the
//     current content; nothing else is in the bucket.
//   - Every result document, read as it was written (before a later write
//     replaced it), holds the recognition of the version whose ETag it names.
//     Every version has a size of its own, so the recognition (a function of
//     the image bytes) tells which version the vendor saw.
//   - Billing: the calls the stand-in answered with HTTP 200 equal the
//     distinct versions recognised, counted by the bytes the vendor fetched
//     (Call.FetchedBytes), since the function recognises whatever the key
//     holds when the vendor fetches it. The allowance for duplicates
//     delivered at the same moment is 0: the FC emulator delivers one
//     invocation at a time, which the report verifies (most invocations at
//     once, from the attempts' start and duration).
//   - Every invocation answers before its deadline, without a crash, and the
//     function logs no panic.
//   - Memory: the peak resident set of the function. A sampler reads VmHWM
//     (the kernel's high-water mark of the resident set) from
//     /proc/<pid>/status of every running instance every 50 ms and once
//     after the cloud settled, and keeps the largest per instance; an
//     instance replaced after a timeout is covered if it lived through one
//     sample. The bound is the memorySize of s.yaml (Options.MaxPeakRSS
//     overrides it). This is the function process only, not the soak's.
//   - No goroutine of the soak's process is left after the local cloud is
//     closed (polled for up to 5 s, since cut connections take a moment to
//     be noticed).
//
// A violation that a known defect explains carries its Cause (Cause*
// constants); the report still fails on it.
package soak
