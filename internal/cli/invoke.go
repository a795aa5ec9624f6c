package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

const invokeIntro = `Usage: vlicense invoke --event FILE [--timeout 60s]

Runs the handler once on an OSS trigger payload (events/ has samples) against the
endpoints and AppCode of the configuration variables (docs/configuration.md),
with credentials from ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET
and, for STS credentials, ALIBABA_CLOUD_SECURITY_TOKEN. This is how to try a real
bucket and a real AppCode before deploying. The event's buckets are the ones served,
unless SOURCE_BUCKETS is set. The summary goes to stdout, one JSON log line per
decision to stderr. Exit code 1 when a record must be retried.`

func runInvoke(ctx context.Context, std IO, args []string) int {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	eventFile := fs.String("event", "", "OSS trigger payload file (required)")
	timeout := fs.Duration("timeout", 60*time.Second, "deadline of the invocation, like the function's timeout in s.yaml")
	if ok, code := parseFlags(fs, std, args, invokeIntro); !ok {
		return code
	}
	if *eventFile == "" {
		fmt.Fprintln(std.Stderr, "invoke: --event is required")
		fs.Usage()
		return ExitUsage
	}
	payload, err := os.ReadFile(*eventFile)
	if err != nil {
		fmt.Fprintf(std.Stderr, "invoke: %v\n", err)
		return ExitUsage
	}
	// The event's buckets are served unless SOURCE_BUCKETS says otherwise:
	// the operator's own credentials decide what can be read.
	ev, err := handler.DecodeEvent(payload)
	if err != nil {
		fmt.Fprintf(std.Stderr, "invoke: %s: %v\n", *eventFile, err)
		return ExitUsage
	}
	var buckets []string
	for _, r := range ev.Events {
		if !slices.Contains(buckets, r.OSS.Bucket.Name) {
			buckets = append(buckets, r.OSS.Bucket.Name)
		}
	}
	a, code := buildApp(std, slog.New(slog.NewJSONHandler(std.Stderr, nil)), buckets)
	if a == nil {
		return code
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	summary, err := a.Handler.HandlePayload(ctx, payload)
	if summary.Counts != nil {
		out, _ := json.MarshalIndent(summary, "", "  ")
		fmt.Fprintln(std.Stdout, string(out))
	}
	code = ExitOK
	for _, r := range summary.Records {
		if r.Outcome == outcome.Skipped && r.Reason == handler.ReasonGone {
			fmt.Fprintf(std.Stderr, "invoke: %s/%s does not exist: check the event's bucket and key\n", r.Bucket, r.Key)
			code = ExitFailed
		}
	}
	var notDone *handler.InvocationError
	switch {
	case errors.As(err, &notDone):
		// Here nobody retries: say what to do, not what FC would.
		fmt.Fprintf(std.Stderr, "invoke: %s (run invoke again to retry)\n", summary.NotDone())
		return ExitFailed
	case err != nil:
		fmt.Fprintf(std.Stderr, "invoke: %v\n", err)
		return ExitFailed
	}
	return code
}
