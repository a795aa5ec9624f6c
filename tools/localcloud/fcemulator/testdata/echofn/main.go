// Command echofn is the emulator tests' function: it echoes its payload and
// what it saw of the invocation, and does what the payload's "action" says.
// It never prints the credentials it receives; it returns a digest of the
// secret and the token so tests can check they arrived.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fc"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
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

// Reply is the function's response.
type Reply struct {
	Payload      json.RawMessage   `json:"payload"`
	RequestID    string            `json:"requestId"`
	RetryCount   int               `json:"retryCount"`
	Region       string            `json:"region"`
	AccountID    string            `json:"accountId"`
	AccessKeyID  string            `json:"accessKeyId"`
	SecretDigest string            `json:"secretDigest"`
	FunctionName string            `json:"functionName"`
	Handler      string            `json:"handler"`
	Memory       string            `json:"memory"`
	TimeoutSec   int               `json:"timeoutSec"`
	Qualifier    string            `json:"qualifier"`
	DeadlineMS   int64             `json:"deadlineMs"`
	PID          int               `json:"pid"`
	Env          map[string]string `json:"env"`
	EnvKeyDigest string            `json:"envKeyDigest"`
}

// Digest is what echofn returns for a secret and a token.
func Digest(secret, token string) string {
	sum := sha256.Sum256([]byte(secret + "\x00" + token))
	return hex.EncodeToString(sum[:8])
}

var envNames = []string{
	"FC_RUNTIME_API", "FC_REGION", "FC_ACCOUNT_ID", "FC_FUNCTION_NAME", "FC_FUNCTION_HANDLER",
	"FC_FUNCTION_MEMORY_SIZE", "FC_INSTANCE_ID", "FC_FUNC_CODE_PATH", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ECHOFN_CUSTOM",
}

func handle(ctx context.Context, raw json.RawMessage) (Reply, error) {
	var req request
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &req); err != nil {
			return Reply{}, fmt.Errorf("bad payload: %w", err)
		}
	}
	fctx, ok := fccontext.FromContext(ctx)
	if !ok {
		return Reply{}, errors.New("no fccontext")
	}
	deadline, _ := ctx.Deadline()
	reply := Reply{
		Payload:      raw,
		RequestID:    fctx.RequestID,
		RetryCount:   fctx.RetryCount,
		Region:       fctx.Region,
		AccountID:    fctx.AccountId,
		AccessKeyID:  fctx.Credentials.AccessKeyId,
		SecretDigest: Digest(fctx.Credentials.AccessKeySecret, fctx.Credentials.SecurityToken),
		FunctionName: fctx.Function.Name,
		Handler:      fctx.Function.Handler,
		Memory:       fctx.Function.Memory,
		TimeoutSec:   fctx.Function.Timeout,
		Qualifier:    fctx.Service.Qualifier,
		DeadlineMS:   deadline.UnixMilli(),
		PID:          os.Getpid(),
		Env:          map[string]string{},
		EnvKeyDigest: Digest(os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN")),
	}
	for _, name := range envNames {
		reply.Env[name] = os.Getenv(name)
	}
	fmt.Printf("echofn: request %s action %q retry %d\n", fctx.RequestID, req.Action, fctx.RetryCount)

	switch req.Action {
	case "", "echo":
		return reply, nil
	case "fail":
		return Reply{}, errors.New(req.Message)
	case "failUntilRetry":
		if fctx.RetryCount < req.SucceedAtRetry {
			return Reply{}, fmt.Errorf("transient failure at retry %d", fctx.RetryCount)
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
	return Reply{}, fmt.Errorf("unknown action %q", req.Action)
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
