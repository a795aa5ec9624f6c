package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

const localIntro = `Usage: vlicense local [--spec s.yaml] [--function build/local/function] [--function-log FILE]

Starts the local cloud — an OSS-compatible server, the recognition API stand-in and
the function binary under the FC runtime emulator, wired by s.yaml's OSS
trigger — and keeps it running until Ctrl-C. It prints the endpoint and AccessKey to
upload with any OSS client (path-style, signature V4), then one line per event and
invocation. The stand-in steers by file name: "reject" is refused, "flaky" fails the
first invocation (FC's retry succeeds), "slow" answers after a few seconds,
"misconfigured" is refused like a wrong AppCode (401).`

func runLocal(ctx context.Context, std IO, args []string) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	spec := fs.String("spec", "s.yaml", "the Serverless Devs project whose function and triggers to run")
	function := fs.String("function", defaultFunction, "the function binary built for this machine (make demo builds it)")
	functionLog := fs.String("function-log", "", "write the function's JSON log lines to this file (default: stderr)")
	if ok, code := parseFlags(fs, std, args, localIntro); !ok {
		return code
	}
	if err := checkFunction(*function); err != nil {
		fmt.Fprintf(std.Stderr, "local: %v\n", err)
		return ExitUsage
	}
	fnOut := std.Stderr
	if *functionLog != "" {
		f, err := os.Create(*functionLog)
		if err != nil {
			fmt.Fprintf(std.Stderr, "local: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		fnOut = f
	}

	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(std.Stdout, format+"\n", args...)
	}
	cloud, err := localcloud.Start(localcloud.Config{
		BinaryPath:     *function,
		SpecPath:       *spec,
		FunctionOutput: fnOut,
		Observer: localcloud.Observer{
			Triggered: func(ev ossserver.ObjectCreated, trigger, id string) {
				say("event   %s %s/%s → %s (request %s)", ev.EventName, ev.Bucket, ev.Key, trigger, shortID(id))
			},
			Ignored: func(ev ossserver.ObjectCreated) {
				say("event   %s %s/%s matched no trigger", ev.EventName, ev.Bucket, ev.Key)
			},
			Attempt: func(a fcemulator.Attempt) { say("invoke  %s", describeAttempt(a)) },
			Failed: func(f fcemulator.FailureRecord) {
				say("failed  request %s given up after %d attempts (FC would send it to onFailure)", shortID(f.RequestID), f.Attempts)
			},
		},
	})
	if err != nil {
		fmt.Fprintf(std.Stderr, "local: %v\n", err)
		return ExitFailed
	}
	defer cloud.Close()

	say("local cloud running; Ctrl-C stops everything.\n")
	say("  OSS endpoint      %s   (path-style, signature V4, region %s)", cloud.PublicEndpoint, cloud.Region)
	say("  AccessKey ID      %s", localcloud.UserCredentials.AccessKeyID)
	say("  AccessKey secret  %s   (local only)", localcloud.UserCredentials.AccessKeySecret)
	var suffixes []string
	for _, t := range cloud.Function.Triggers {
		suffixes = append(suffixes, t.Suffix)
	}
	say("  bucket            %s", cloud.Buckets[0])
	say("  upload prefix     %s   (s.yaml's triggers fire for keys ending %s)", strconv.Quote(cloud.UploadPrefix()), strings.Join(suffixes, " "))
	say("  recognition API   %s", cloud.OCR.URL())
	say("")
	example := cloud.UploadPrefix() + "my-licence.jpg"
	say("For example, with the Go SDK: oss.New(%q, %q, %q, oss.AuthVersion(oss.AuthV4), oss.Region(%q))",
		cloud.PublicEndpoint, localcloud.UserCredentials.AccessKeyID, localcloud.UserCredentials.AccessKeySecret, cloud.Region)
	say("then PutObject(%q, file) in bucket %s and watch %q appear.", example, cloud.Buckets[0], example+".json")
	say("")

	<-ctx.Done()
	say("stopping…")
	if err := cloud.Close(); err != nil {
		fmt.Fprintf(std.Stderr, "local: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}
