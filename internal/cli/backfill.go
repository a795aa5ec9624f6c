package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/time/rate"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/config"
)

const backfillIntro = `Usage: vlicense backfill --bucket B [--prefix P] [--dry-run] [--redo KIND] [--qps N] [--concurrency N]
                         [--on-fc FUNCTION [--records-per-event N] [--skip-done=false] [--account-id ID]
                          [--region R] [--fc-endpoint URL]] [--log FILE] [--page-size N]

Recognises images uploaded before the trigger existed: lists the bucket under the
prefix and runs every object through the function's own rules and idempotency rule,
so images that already have a final result for their current ETag cost nothing.

Here (default): the recognition runs on this machine, with the function's configuration
from the environment (OCR_ENDPOINT and the AppCode, as for "invoke") and your AccessKey.

--on-fc FUNCTION: submits the images as asynchronous invocations of the deployed function
instead (FC's retries, instance cap and failure destination apply as for uploads), with
the Alibaba Cloud default credentials (ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET, or your
CLI profile), the account id and region from --account-id/FC_ACCOUNT_ID and
--region/FC_REGION (else OSS_REGION). Each submission carries a task id derived from the
images' ETags: running the same backfill again queues nothing twice. Watch the results
with "vlicense report".

--redo KIND recognises again, on purpose, images whose current result is final and of
that kind: failed, rejected, needs_review or all. --dry-run says what would be
recognised (and billed) and calls nothing billed. --qps N keeps to N recognition calls
(or, with --on-fc, submissions) per second. Ctrl-C stops listing and submitting; what is
in flight finishes. Run the same command again to resume. Exit code 1 when some images
failed, 130 when interrupted.`

// backfillFlags are the command line of a backfill.
type backfillFlags struct {
	bucket, prefix  string
	dryRun          bool
	redo            handler.Redo
	qps             float64
	concurrency     int
	logFile         string
	pageSize        int
	onFC            string
	recordsPerEvent int
	skipDone        bool
	accountID       string
	region          string
	fcEndpoint      string
}

func runBackfill(ctx context.Context, std IO, args []string) int {
	var f backfillFlags
	var redo string
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.StringVar(&f.bucket, "bucket", "", "bucket to list (required)")
	fs.StringVar(&f.prefix, "prefix", "", "only keys starting with this prefix (within SOURCE_PREFIX when that is set)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "show what would be recognised; call or submit nothing that is billed")
	fs.StringVar(&redo, "redo", "", "recognise again final results of this kind: failed, rejected, needs_review or all")
	fs.Float64Var(&f.qps, "qps", 0, "at most this many recognition calls (or submissions, with --on-fc) per second; 0: no limit")
	fs.IntVar(&f.concurrency, "concurrency", 0, "images processed at once, 1 to 64 (default: CONCURRENCY here, 16 with --on-fc)")
	fs.StringVar(&f.logFile, "log", "", "write the JSON log lines to this file")
	fs.IntVar(&f.pageSize, "page-size", 1000, "keys per listing request (1 to 1000)")
	fs.StringVar(&f.onFC, "on-fc", "", "submit to this deployed function instead of recognising here")
	fs.IntVar(&f.recordsPerEvent, "records-per-event", 1, "with --on-fc: records per invocation (1 to 100)")
	fs.BoolVar(&f.skipDone, "skip-done", true, "with --on-fc: read each image's result first and submit only what is not done")
	fs.StringVar(&f.accountID, "account-id", "", "with --on-fc: the account of the function (default FC_ACCOUNT_ID)")
	fs.StringVar(&f.region, "region", "", "with --on-fc: the region of the function (default FC_REGION, else OSS_REGION)")
	fs.StringVar(&f.fcEndpoint, "fc-endpoint", "", "with --on-fc: the FC API endpoint (default FC_ENDPOINT, else https://<account>.<region>.fc.aliyuncs.com)")
	if ok, code := parseFlags(fs, std, args, backfillIntro); !ok {
		return code
	}
	var problems []string
	var err error
	if f.redo, err = handler.ParseRedo(redo); err != nil {
		problems = append(problems, "--redo "+err.Error())
	}
	if f.bucket == "" {
		problems = append(problems, "--bucket is required")
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["concurrency"] && (f.concurrency < 1 || f.concurrency > config.MaxConcurrency) {
		problems = append(problems, fmt.Sprintf("--concurrency must be from 1 to %d", config.MaxConcurrency))
	}
	if f.onFC == "" {
		for _, name := range []string{"records-per-event", "skip-done", "account-id", "region", "fc-endpoint"} {
			if set[name] {
				problems = append(problems, "--"+name+" only applies with --on-fc FUNCTION")
			}
		}
	}
	if f.pageSize < 1 || f.pageSize > 1000 {
		problems = append(problems, "--page-size must be from 1 to 1000")
	}
	if f.qps < 0 {
		problems = append(problems, "--qps must be 0 (no limit) or more")
	}
	if f.recordsPerEvent < 1 || f.recordsPerEvent > 100 {
		problems = append(problems, "--records-per-event must be from 1 to 100")
	}
	if sp := std.Getenv("SOURCE_PREFIX"); sp != "" && f.prefix != "" && !strings.HasPrefix(f.prefix, sp) {
		problems = append(problems, fmt.Sprintf("--prefix %q is outside SOURCE_PREFIX %q: the function would refuse those images (set --prefix to %q or below it)", f.prefix, sp, sp))
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(std.Stderr, "backfill: "+p)
		}
		return ExitUsage
	}
	if f.prefix == "" {
		f.prefix = std.Getenv("SOURCE_PREFIX")
	}

	log := slog.New(slog.DiscardHandler)
	if f.logFile != "" {
		file, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(std.Stderr, "backfill: %v\n", err)
			return ExitUsage
		}
		defer file.Close()
		log = slog.New(slog.NewJSONHandler(file, nil))
	}
	if f.onFC != "" {
		return backfillOnFC(ctx, std, f, log)
	}
	return backfillHere(ctx, std, f, log)
}

// limiter is the token bucket of --qps: a burst of one, so that calls are
// spaced out evenly rather than bunched at each second's start.
func (f backfillFlags) limiter() *rate.Limiter {
	if f.qps <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(f.qps), 1)
}
