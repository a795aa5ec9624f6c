package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcapi"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

const localIntro = `Usage: vlicense local [--spec s.yaml] [--function build/local/function] [--function-log FILE] [--port N] [--verbose]

Starts the local cloud — an OSS-compatible server, the recognition API stand-in, the
function binary under the FC runtime emulator, wired by s.yaml's OSS trigger, and FC's
InvokeFunction API — and keeps it running until Ctrl-C. It prints the endpoint and
AccessKey to upload with any OSS client (path-style, signature V4), and an export block
to paste into another shell so that "vlicense invoke", "backfill" (--on-fc too) and
"report" use the local cloud; then one line per event, API call and invocation. The
stand-in steers by file name: "reject" is refused, "flaky" fails the first invocation
(FC's retry succeeds), "slow" answers after a few seconds, "misconfigured" is refused
like a wrong AppCode (401).

--port N fixes the ports, so that a pasted export block keeps working across restarts:
the OSS endpoint on N, its public endpoint on N+1, the recognition stand-in on N+2 and
the FC API on N+3. Without it, free ports are chosen.`

// Offsets from --port of each server's port.
const (
	portOSS = iota
	portPublicOSS
	portOCR
	portFCAPI
	portsUsed
)

func runLocal(ctx context.Context, std IO, args []string) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	spec := fs.String("spec", "s.yaml", "the Serverless Devs project whose function and triggers to run")
	function := fs.String("function", defaultFunction, "the function binary built for this machine (make demo builds it)")
	functionLog := fs.String("function-log", "", "write the function's JSON log lines to this file (default: stderr)")
	port := fs.Int("port", 0, "listen on ports N to N+3 of 127.0.0.1 (OSS, its public endpoint, the recognition stand-in, the FC API) instead of free ones")
	verbose := fs.Bool("verbose", false, "print one line per OSS request (method, bucket/key, operation, status)")
	if ok, code := parseFlags(fs, std, args, localIntro); !ok {
		return code
	}
	if *port != 0 && (*port < 1 || *port > 65535-(portsUsed-1)) {
		fmt.Fprintf(std.Stderr, "local: --port must be from 1 to %d (it uses N to N+%d)\n", 65535-(portsUsed-1), portsUsed-1)
		return ExitUsage
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
	obs := localcloud.Observer{
		Triggered: func(ev ossserver.ObjectCreated, trigger, id string) {
			say("event   %s %s/%s → %s (request %s)", ev.EventName, ev.Bucket, ev.Key, trigger, shortID(id))
		},
		Ignored: func(ev ossserver.ObjectCreated) {
			say("event   %s %s/%s matched no trigger", ev.EventName, ev.Bucket, ev.Key)
		},
		APIRequest: func(r fcapi.Request) { say("api     %s", describeAPIRequest(r)) },
		Attempt:    func(a fcemulator.Attempt) { say("invoke  %s", describeAttempt(a)) },
		Failed: func(f fcemulator.FailureRecord) {
			say("failed  request %s given up after %d attempts (FC would send it to onFailure)", shortID(f.RequestID), f.Attempts)
		},
	}
	if *verbose {
		obs.OSSRequest = func(r ossserver.Request) { say("oss     %s", describeOSSRequest(r)) }
	}
	cfg := localcloud.Config{BinaryPath: *function, SpecPath: *spec, FunctionOutput: fnOut, Observer: obs}
	if *port != 0 {
		at := func(offset int) string { return "127.0.0.1:" + strconv.Itoa(*port+offset) }
		cfg.Addrs = localcloud.Addrs{OSS: at(portOSS), PublicOSS: at(portPublicOSS), OCR: at(portOCR), FCAPI: at(portFCAPI)}
	}
	cloud, err := localcloud.Start(cfg)
	if err != nil {
		fmt.Fprintf(std.Stderr, "local: %v\n", err)
		if *port != 0 && errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(std.Stderr, "local: %s is taken (--port %d uses %d to %d), by another vlicense local perhaps: stop that, or choose another --port\n",
				takenPort(err, *port), *port, *port, *port+portsUsed-1)
		}
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
	say("  FC API            %s   (InvokeFunction of function %s, same AccessKey)", cloud.FCEndpoint, cloud.Function.Name)
	say("")
	example := cloud.UploadPrefix() + "my-licence.jpg"
	say("For example, with the Go SDK: oss.New(%q, %q, %q, oss.AuthVersion(oss.AuthV4), oss.Region(%q))",
		cloud.PublicEndpoint, localcloud.UserCredentials.AccessKeyID, localcloud.UserCredentials.AccessKeySecret, cloud.Region)
	say("then PutObject(%q, file) in bucket %s and watch %q appear.", example, cloud.Buckets[0], example+".json")
	say("")
	say("%s", exportBlock(cloud))

	<-ctx.Done()
	say("stopping…")
	if err := cloud.Close(); err != nil {
		fmt.Fprintf(std.Stderr, "local: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}

// takenPort names the port of a listen error and what it was for.
func takenPort(err error, base int) string {
	var op *net.OpError
	if !errors.As(err, &op) || op.Addr == nil {
		return "a port"
	}
	_, p, _ := net.SplitHostPort(op.Addr.String())
	n, _ := strconv.Atoi(p)
	role := map[int]string{portOSS: "the OSS endpoint", portPublicOSS: "the public OSS endpoint", portOCR: "the recognition stand-in", portFCAPI: "the FC API"}[n-base]
	if role == "" {
		return "port " + p
	}
	return fmt.Sprintf("port %s (%s)", p, role)
}

// exportBlock is the shell text that points the CLI's commands at the local
// cloud: OSS for their own reads and writes, the recognition stand-in, and
// FC's API for backfill --on-fc. Values are single-quoted for any POSIX shell.
func exportBlock(c *localcloud.Cloud) string {
	vars := [][2]string{
		{"OSS_REGION", c.Region},
		{"OSS_ENDPOINT", c.InternalEndpoint},
		{"OSS_PUBLIC_ENDPOINT", c.PublicEndpoint},
		{"ALIBABA_CLOUD_ACCESS_KEY_ID", localcloud.UserCredentials.AccessKeyID},
		{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", localcloud.UserCredentials.AccessKeySecret},
		{"OCR_ENDPOINT", c.OCR.URL()},
		{"OCR_APPCODE", localcloud.AppCode},
		{"FC_ENDPOINT", c.FCEndpoint},
		{"FC_ACCOUNT_ID", localcloud.AccountID},
		{"FC_REGION", c.Region},
		// What the function serves, so that backfill and invoke apply its
		// rules here too (a --prefix outside it is refused).
		{"SOURCE_BUCKETS", strings.Join(c.Buckets, ",")},
		{"SOURCE_PREFIX", c.UploadPrefix()},
	}
	var b strings.Builder
	b.WriteString("# Paste into another shell to run vlicense invoke, backfill (--on-fc too) and report against this local cloud:\n")
	fmt.Fprintf(&b, "# bucket %s, upload prefix %s, function %s\n", c.Buckets[0], shellQuote(c.UploadPrefix()), c.Function.Name)
	for i, v := range vars {
		fmt.Fprintf(&b, "export %s=%s", v[0], shellQuote(v[1]))
		if i < len(vars)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// describeAPIRequest is one FC API call: what was asked and the answer.
func describeAPIRequest(r fcapi.Request) string {
	var b strings.Builder
	if r.Function == "" {
		fmt.Fprintf(&b, "%s %s", r.Method, r.Path)
	} else {
		fmt.Fprintf(&b, "InvokeFunction %s", r.Function)
		if r.Type != "" {
			b.WriteString(" " + r.Type)
		}
		if r.TaskID != "" {
			fmt.Fprintf(&b, " task %s", r.TaskID)
		}
	}
	fmt.Fprintf(&b, " → %d", r.Status)
	if r.ErrorCode != "" {
		b.WriteString(" " + r.ErrorCode)
	}
	fmt.Fprintf(&b, " (request %s)", shortID(r.RequestID))
	return b.String()
}

// describeOSSRequest is one OSS request, without any header or query value
// (they hold signatures and tokens).
func describeOSSRequest(r ossserver.Request) string {
	target := r.Bucket
	if r.Key != "" {
		target += "/" + r.Key
	}
	if target == "" {
		target = "/"
	}
	op := r.Operation
	if op == "" {
		op = "-"
	}
	line := fmt.Sprintf("%s %s %s %d", r.Method, target, op, r.Status)
	if r.ErrorCode != "" {
		line += " " + r.ErrorCode
	}
	return line + " (" + r.Listener + ")"
}
