package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

const demoIntro = `Usage: vlicense demo [--spec s.yaml] [--function build/local/function] [--function-log FILE]

Runs the whole pipeline on this machine, with no cloud account and no Docker: an
OSS-compatible server, a stand-in for the recognition API, and the function binary
running under a Function Compute runtime emulator, triggered by
the OSS trigger rules of s.yaml. It uploads sample images and shows, for each, the
event delivered, the function's outcome and the result document, then a summary.
Everything it starts is stopped before it returns.`

// demoUpload is one step of the demo: name is the key under the triggers'
// prefix of s.yaml, whatever the user set it to.
type demoUpload struct {
	name   string
	sample string
	side   string // x-oss-meta-card-side, or ""
	story  string
}

var demoUploads = []demoUpload{
	{name: "vehicle-001-front.jpg", sample: "front.jpg", story: "the main page (主页) of a licence"},
	{name: "vehicle-001-back.jpg", sample: "back.jpg", side: "BACK", story: "the second page (副页), marked BACK with x-oss-meta-card-side"},
	{name: "DCIM/IMG_0001.JPG", sample: "front.jpg", story: "a phone's upload: an upper-case extension has its own trigger"},
	{name: "reject-blurry.jpg", sample: "blurry.jpg", story: "a photo the vendor refuses"},
	{name: "flaky-vehicle-002.jpg", sample: "front.jpg", story: "the vendor fails (503) on every in-process attempt of the first invocation"},
	{name: "vehicle-001-front.jpg", sample: "front.jpg", story: "the same image uploaded again: same ETag, already recognised"},
	{name: "notes.txt", sample: "", story: "not an image: no trigger of s.yaml fires"},
}

func runDemo(ctx context.Context, std IO, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	spec := fs.String("spec", "s.yaml", "the Serverless Devs project whose function and triggers to run")
	function := fs.String("function", defaultFunction, "the function binary built for this machine (make demo builds it)")
	functionLog := fs.String("function-log", "", "write the function's JSON log lines to this file (default: discarded)")
	if ok, code := parseFlags(fs, std, args, demoIntro); !ok {
		return code
	}
	if err := checkFunction(*function); err != nil {
		fmt.Fprintf(std.Stderr, "demo: %v\n", err)
		return ExitUsage
	}
	fnOut := io.Discard
	if *functionLog != "" {
		f, err := os.Create(*functionLog)
		if err != nil {
			fmt.Fprintf(std.Stderr, "demo: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		fnOut = f
	}

	d := &demo{out: std.Stdout}
	cloud, err := localcloud.Start(localcloud.Config{
		BinaryPath:     *function,
		SpecPath:       *spec,
		FunctionOutput: fnOut,
		Observer:       d.observer(),
	})
	if err != nil {
		fmt.Fprintf(std.Stderr, "demo: %v\n", err)
		return ExitFailed
	}
	defer cloud.Close()
	d.cloud = cloud
	d.header(*spec)

	bucket, err := cloud.Bucket(cloud.Buckets[0])
	if err != nil {
		fmt.Fprintf(std.Stderr, "demo: %v\n", err)
		return ExitFailed
	}
	for i, u := range demoUploads {
		if ctx.Err() != nil {
			fmt.Fprintln(std.Stdout, "interrupted")
			return ExitInterrupted
		}
		if err := d.step(ctx, bucket, i, u); err != nil {
			fmt.Fprintf(std.Stderr, "demo: %v\n", err)
			return ExitFailed
		}
	}
	if d.summary() == 0 {
		fmt.Fprintf(std.Stderr, "demo: no upload was recognised: check that s.yaml's triggers (prefix %q) and IMAGE_EXTENSIONS match, and the function log (--function-log)\n", cloud.UploadPrefix())
		return ExitFailed
	}
	if err := cloud.Close(); err != nil {
		fmt.Fprintf(std.Stderr, "demo: stopping the local cloud: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}

type demo struct {
	out   io.Writer
	cloud *localcloud.Cloud

	mu       sync.Mutex
	uploads  int
	events   []string
	attempts []fcemulator.Attempt
	failed   []fcemulator.FailureRecord
	stepLog  []string
	outcomes map[outcome.Outcome]int
}

func (d *demo) observer() localcloud.Observer {
	return localcloud.Observer{
		Triggered: func(ev ossserver.ObjectCreated, trigger, id string) {
			d.log("    event    %s → trigger %s → function (request %s)", ev.EventName, trigger, shortID(id))
		},
		Ignored: func(ev ossserver.ObjectCreated) {
			if strings.HasSuffix(ev.Key, d.resultSuffix()) {
				return // results: summarised at the end, not per upload
			}
			d.log("    event    %s matched no trigger of s.yaml: the function is not invoked", ev.EventName)
		},
		Attempt: func(a fcemulator.Attempt) {
			d.mu.Lock()
			d.attempts = append(d.attempts, a)
			d.mu.Unlock()
			d.log("    %s", describeAttempt(a))
		},
		Failed: func(f fcemulator.FailureRecord) {
			d.mu.Lock()
			d.failed = append(d.failed, f)
			d.mu.Unlock()
			d.log("    failure destination: event given up after %d attempts", f.Attempts)
		},
	}
}

func (d *demo) log(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stepLog = append(d.stepLog, fmt.Sprintf(format, args...))
}

func (d *demo) header(spec string) {
	c := d.cloud
	fmt.Fprintf(d.out, "行驶证 recognition — local demo (nothing leaves this machine)\n\n")
	fmt.Fprintf(d.out, "  OSS, internal endpoint   %s   (the function reads and writes here)\n", c.InternalEndpoint)
	fmt.Fprintf(d.out, "  OSS, public endpoint     %s   (uploads; signed URLs for the vendor)\n", c.PublicEndpoint)
	fmt.Fprintf(d.out, "  recognition API          %s   (stand-in of the Marketplace API)\n", c.OCR.URL())
	fmt.Fprintf(d.out, "  function                 %s, go1 runtime emulated, timeout %s, %d async retries\n",
		c.Function.Name, c.Function.Timeout, c.Function.MaxAsyncRetryAttempts)
	// The triggers differ only by suffix: one line says them all.
	var suffixes []string
	for _, t := range c.Function.Triggers {
		suffixes = append(suffixes, t.Suffix)
	}
	if len(c.Function.Triggers) > 0 {
		t := c.Function.Triggers[0]
		fmt.Fprintf(d.out, "  triggers                 %d from %s: bucket %s, keys %s… ending %s, on %s\n",
			len(c.Function.Triggers), spec, t.Bucket, t.Prefix, strings.Join(suffixes, " "), strings.Join(shortEvents(t.Events), ", "))
	}
	fmt.Fprintln(d.out)
}

// resultSuffix is RESULT_SUFFIX as s.yaml sets it.
func (d *demo) resultSuffix() string {
	if s := d.cloud.Function.Env["RESULT_SUFFIX"]; s != "" {
		return s
	}
	return ".json"
}

func (d *demo) step(ctx context.Context, bucket *oss.Bucket, i int, u demoUpload) error {
	body := []byte("plain text, not an image\n")
	if u.sample != "" {
		var err error
		body, err = localcloud.Sample(u.sample)
		if err != nil {
			return err
		}
	}
	var opts []oss.Option
	side := ""
	if u.side != "" {
		opts = append(opts, oss.Meta("card-side", u.side))
		side = ", x-oss-meta-card-side " + u.side
	}
	key, resultKey := d.cloud.UploadPrefix()+u.name, d.cloud.UploadPrefix()+u.name+d.resultSuffix()
	fmt.Fprintf(d.out, "[%d] upload %s (%s%s): %s\n", i+1, key, humanSize(len(body)), side, u.story)
	before, hadResult := d.cloud.OSS.Object(d.cloud.Buckets[0], resultKey)
	if err := bucket.PutObject(key, bytes.NewReader(body), opts...); err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	d.uploads++
	wait, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := d.cloud.Settle(wait); err != nil {
		return err
	}
	d.mu.Lock()
	lines := d.stepLog
	d.stepLog = nil
	d.mu.Unlock()
	for _, l := range lines {
		fmt.Fprintln(d.out, l)
	}
	if u.sample == "" {
		fmt.Fprintln(d.out)
		return nil
	}
	obj, ok := d.cloud.OSS.Object(d.cloud.Buckets[0], resultKey)
	if !ok {
		fmt.Fprintf(d.out, "    result   none\n\n")
		return nil
	}
	if hadResult && before.ETag == obj.ETag {
		fmt.Fprintf(d.out, "    result   %s, unchanged\n\n", resultKey)
		return nil
	}
	fmt.Fprintf(d.out, "    result   %s\n", resultKey)
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, obj.Body, "      ", "  ")
	fmt.Fprintf(d.out, "      %s\n\n", strings.TrimSpace(pretty.String()))
	return nil
}

// summary prints what happened and returns how many records succeeded.
func (d *demo) summary() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	counts := map[outcome.Outcome]int{}
	for _, a := range d.attempts {
		var s handler.Summary
		if a.Error == nil && json.Unmarshal(a.Payload, &s) == nil {
			for o, n := range s.Counts {
				counts[o] += n
			}
		}
	}
	retried := 0
	for _, a := range d.attempts {
		if a.RetryCount > 0 {
			retried++
		}
	}
	results := 0
	for _, b := range d.cloud.Buckets {
		for _, k := range d.cloud.OSS.Keys(b) {
			if strings.HasSuffix(k, d.resultSuffix()) {
				results++
			}
		}
	}
	fmt.Fprintln(d.out, "summary")
	fmt.Fprintf(d.out, "  uploads                 %d\n", d.uploads)
	fmt.Fprintf(d.out, "  invocations             %d (%d of them FC retries)\n", len(d.attempts), retried)
	fmt.Fprintf(d.out, "  records                 succeeded %d · rejected %d · skipped %d\n",
		counts[outcome.Succeeded], counts[outcome.Rejected], counts[outcome.Skipped])
	fmt.Fprintf(d.out, "  result documents        %d (their own events matched no trigger: no recursion)\n", results)
	fmt.Fprintf(d.out, "  recognition API calls   %d, billed %d (only HTTP 200 is billed)\n", len(d.cloud.OCR.Calls()), d.cloud.OCR.Billed())
	fmt.Fprintf(d.out, "  given up (onFailure)    %d\n", len(d.failed))
	return counts[outcome.Succeeded]
}

func describeAttempt(a fcemulator.Attempt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "attempt  %d (x-fc-retry-count %d", a.Number, a.RetryCount)
	if a.ColdStart {
		b.WriteString(", cold start")
	}
	fmt.Fprintf(&b, ") in %s: ", a.Duration.Round(time.Millisecond))
	switch {
	case a.Error != nil:
		fmt.Fprintf(&b, "failed: %s", a.Error.Message)
		if a.WillRetry {
			fmt.Fprintf(&b, " → FC retries in %s", a.RetryIn.Round(time.Millisecond))
		}
	default:
		var s handler.Summary
		if err := json.Unmarshal(a.Payload, &s); err != nil || len(s.Records) == 0 {
			b.WriteString("ok")
			break
		}
		var parts []string
		for _, r := range s.Records {
			p := string(r.Outcome)
			if r.Reason != "" {
				p += " (" + r.Reason + ")"
			}
			parts = append(parts, p)
		}
		b.WriteString(strings.Join(parts, "; "))
	}
	return b.String()
}

func shortEvents(events []string) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = strings.TrimPrefix(e, "oss:ObjectCreated:")
	}
	return out
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func humanSize(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}
