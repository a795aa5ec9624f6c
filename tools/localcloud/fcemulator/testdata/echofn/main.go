// Command echofn is the emulator tests' function: it echoes its payload and
// what it saw of the invocation, and does what the payload's "action" says.
// It never prints the credentials it receives; it returns a digest of the
// secret and the token so tests can check they arrived.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fc"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator/internal/echoreply"
)

type request struct {
	// Action: "" or "echo", "fail", "failUntilRetry", "sleep", "exit",
	// "crash" (a panic the SDK cannot recover), "panic" (one it recovers).
	Action         string `json:"action"`
	Message        string `json:"message"`
	SleepMS        int    `json:"sleepMs"`
	ExitCode       int    `json:"exitCode"`
	SucceedAtRetry int    `json:"succeedAtRetry"`
}

var envNames = []string{
	"FC_RUNTIME_API", "FC_REGION", "FC_ACCOUNT_ID", "FC_FUNCTION_NAME", "FC_FUNCTION_HANDLER",
	"FC_FUNCTION_MEMORY_SIZE", "FC_INSTANCE_ID", "FC_FUNC_CODE_PATH", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ECHOFN_CUSTOM",
}

func handle(ctx context.Context, raw json.RawMessage) (echoreply.Reply, error) {
	var req request
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &req); err != nil {
			return echoreply.Reply{}, fmt.Errorf("bad payload: %w", err)
		}
	}
	fctx, ok := fccontext.FromContext(ctx)
	if !ok {
		return echoreply.Reply{}, errors.New("no fccontext")
	}
	deadline, _ := ctx.Deadline()
	reply := echoreply.Reply{
		Payload:      raw,
		RequestID:    fctx.RequestID,
		RetryCount:   fctx.RetryCount,
		Region:       fctx.Region,
		AccountID:    fctx.AccountId,
		AccessKeyID:  fctx.Credentials.AccessKeyId,
		SecretDigest: echoreply.Digest(fctx.Credentials.AccessKeySecret, fctx.Credentials.SecurityToken),
		FunctionName: fctx.Function.Name,
		Handler:      fctx.Function.Handler,
		Memory:       fctx.Function.Memory,
		TimeoutSec:   fctx.Function.Timeout,
		Qualifier:    fctx.Service.Qualifier,
		DeadlineMS:   deadline.UnixMilli(),
		PID:          os.Getpid(),
		Env:          map[string]string{},
		EnvKeyDigest: echoreply.Digest(os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN")),
	}
	for _, name := range envNames {
		reply.Env[name] = os.Getenv(name)
	}
	fmt.Printf("echofn: request %s action %q retry %d\n", fctx.RequestID, req.Action, fctx.RetryCount)

	switch req.Action {
	case "", "echo":
		return reply, nil
	case "fail":
		return echoreply.Reply{}, errors.New(req.Message)
	case "failUntilRetry":
		if fctx.RetryCount < req.SucceedAtRetry {
			return echoreply.Reply{}, fmt.Errorf("transient failure at retry %d", fctx.RetryCount)
		}
		return reply, nil
	case "sleep":
		// Deliberately ignores ctx, like a handler stuck in a call.
		time.Sleep(time.Duration(req.SleepMS) * time.Millisecond)
		return reply, nil
	case "exit":
		os.Exit(req.ExitCode)
	case "crash":
		done := make(chan struct{})
		go func() { panic("echofn: crash requested") }()
		<-done
	case "panic":
		panic("echofn: panic requested")
	}
	return echoreply.Reply{}, fmt.Errorf("unknown action %q", req.Action)
}

func main() {
	if os.Getenv("ECHOFN_EXIT_AT_START") != "" {
		fmt.Fprintln(os.Stderr, "echofn: refusing to start (ECHOFN_EXIT_AT_START)")
		os.Exit(1)
	}
	if os.Getenv("ECHOFN_HANG_AT_START") != "" {
		for { // never polls the runtime API
			time.Sleep(time.Hour)
		}
	}
	if os.Getenv("ECHOFN_IGNORE_SIGTERM") != "" {
		signal.Ignore(syscall.SIGTERM)
	}
	fc.Start(handle)
}
