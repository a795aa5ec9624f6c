package fcemulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// Defaults applied by Start to the zero fields of Config.
const (
	DefaultFunctionName          = "function"
	DefaultHandler               = "main"
	DefaultMemoryMB              = 128
	DefaultTimeout               = 60 * time.Second
	DefaultRegion                = "cn-hangzhou"
	DefaultAccountID             = "1234567890123456"
	DefaultQualifier             = "LATEST"
	DefaultMaxAsyncRetryAttempts = 3 // FC's default for asynchronous invocations
	DefaultRetryBackoff          = 100 * time.Millisecond
	DefaultStartTimeout          = 30 * time.Second
	DefaultStopGracePeriod       = 2 * time.Second
)

// NoRetries, as Config.MaxAsyncRetryAttempts, makes a failed asynchronous
// invocation go to OnFailure after its first attempt.
const NoRetries = -1

// Credentials are the STS credentials FC hands to a function: as
// ALIBABA_CLOUD_* environment variables when an instance starts, and as
// x-fc-access-key-id / x-fc-access-key-secret / x-fc-security-token headers
// with every invocation (fccontext.FromContext(ctx).Credentials).
//
// Formatting Credentials with any fmt verb, or marshalling it to JSON, shows
// the AccessKeyID only: the secret and the token never reach a log.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// IsZero reports whether no field is set.
func (c Credentials) IsZero() bool { return c == Credentials{} }

// String shows the AccessKeyID and hides the secret and the token.
func (c Credentials) String() string {
	return "Credentials{AccessKeyID: " + c.AccessKeyID + ", AccessKeySecret: " + redacted(c.AccessKeySecret) +
		", SecurityToken: " + redacted(c.SecurityToken) + "}"
}

// Format makes every verb (%v, %+v, %#v, %s, %q, %x, %d...) print String(),
// so no verb can reach the secret fields.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// MarshalJSON keeps the secret and the token out of JSON output (structured
// logs included).
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"accessKeyId":     c.AccessKeyID,
		"accessKeySecret": redacted(c.AccessKeySecret),
		"securityToken":   redacted(c.SecurityToken),
	})
}

func redacted(s string) string {
	if s == "" {
		return "<empty>"
	}
	return "<redacted>"
}

// Config describes the function and how the emulator runs it. Zero fields
// take the Default* values.
type Config struct {
	// BinaryPath is the built function (the go1 runtime's `handler` binary).
	// Required.
	BinaryPath string
	// WorkDir is the child's working directory and FC_FUNC_CODE_PATH, like
	// /code in FC. Default: the directory of BinaryPath.
	WorkDir string
	// Env is the function's own environment (the variables s.yaml sets),
	// KEY=value. It is not merged with the emulator's environment: pass
	// append(os.Environ(), ...) to inherit it. The emulator appends FC's
	// system variables after it (FC_RUNTIME_API, FC_REGION,
	// FC_FUNCTION_NAME, FC_FUNCTION_HANDLER, FC_FUNCTION_MEMORY_SIZE,
	// FC_ACCOUNT_ID, FC_INSTANCE_ID, FC_FUNC_CODE_PATH and, when Credentials
	// is set, ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN),
	// so those win over a duplicate in Env.
	Env []string

	FunctionName string
	Handler      string // x-fc-function-handler; FC's go1 runtime uses "main"
	MemoryMB     int
	Qualifier    string // x-fc-qualifier
	Region       string
	AccountID    string
	// Timeout is the function timeout, used for invocations that do not set
	// their own. Sub-second values are honoured exactly by the deadline
	// (x-fc-function-deadline has millisecond precision and the emulator
	// enforces Timeout exactly); x-fc-function-timeout, whole seconds as in
	// FC, carries it rounded up.
	Timeout time.Duration

	// Credentials are handed to every invocation that does not bring its own,
	// and set as ALIBABA_CLOUD_* variables when an instance starts. Zero
	// means none: the headers and variables are left out.
	Credentials Credentials

	// MaxAsyncRetryAttempts is how many times a failed asynchronous
	// invocation is retried: 0 means FC's default (3), NoRetries (or any
	// negative value) means none.
	MaxAsyncRetryAttempts int
	// RetryBackoff is the wait before the first retry; it doubles for each
	// further retry. Default 100ms, so demos stay quick.
	RetryBackoff time.Duration

	// StartTimeout bounds how long a new instance may take to make its first
	// GET .../next; an instance that takes longer is killed and the
	// invocation waiting for it fails. Default 30s.
	StartTimeout time.Duration
	// StopGracePeriod is how long Close waits after SIGTERM before SIGKILL.
	// Default 2s.
	StopGracePeriod time.Duration

	// Stdout and Stderr receive the function's output (its logs). Nil
	// discards it. If both are the same comparable writer, at most one write
	// is in progress at a time; writes of consecutive instances never overlap.
	Stdout io.Writer
	Stderr io.Writer

	// OnResult, if set, is called with the result of every invocation
	// attempt, synchronous and asynchronous, after the attempt finished.
	// OnFailure, if set, receives each asynchronous event whose last attempt
	// failed: the emulator's onFailure destination.
	//
	// Both are called synchronously from the goroutine that ran the attempt
	// (the caller of Invoke, or the asynchronous worker, which waits for
	// them). They may call Invoke, InvokeAsync and the accessors, but not
	// Close or WaitIdle.
	OnResult  func(Attempt)
	OnFailure func(FailureRecord)

	// Logf, if set, receives the emulator's own messages (instance started,
	// killed after a timeout, exited). They never contain credentials.
	Logf func(format string, args ...any)
}

func (c Config) withDefaults() (Config, error) {
	if c.BinaryPath == "" {
		return c, errors.New("fcemulator: Config.BinaryPath is required")
	}
	abs, err := filepath.Abs(c.BinaryPath)
	if err != nil {
		return c, fmt.Errorf("fcemulator: binary path: %w", err)
	}
	c.BinaryPath = abs
	if c.WorkDir == "" {
		c.WorkDir = filepath.Dir(abs)
	}
	c.Env = append([]string(nil), c.Env...)
	setDefault(&c.FunctionName, DefaultFunctionName)
	setDefault(&c.Handler, DefaultHandler)
	setDefault(&c.Qualifier, DefaultQualifier)
	setDefault(&c.Region, DefaultRegion)
	setDefault(&c.AccountID, DefaultAccountID)
	setDefault(&c.MemoryMB, DefaultMemoryMB)
	setDefault(&c.Timeout, DefaultTimeout)
	setDefault(&c.RetryBackoff, DefaultRetryBackoff)
	setDefault(&c.StartTimeout, DefaultStartTimeout)
	setDefault(&c.StopGracePeriod, DefaultStopGracePeriod)
	switch {
	case c.MaxAsyncRetryAttempts == 0:
		c.MaxAsyncRetryAttempts = DefaultMaxAsyncRetryAttempts
	case c.MaxAsyncRetryAttempts < 0:
		c.MaxAsyncRetryAttempts = 0
	}
	if c.Timeout < 0 || c.RetryBackoff < 0 || c.StartTimeout < 0 || c.StopGracePeriod < 0 || c.MemoryMB < 0 {
		return c, errors.New("fcemulator: durations and MemoryMB must not be negative")
	}
	return c, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// functionArn is the function's ARN in FC 3.0's form.
func (c Config) functionArn() string {
	return "acs:fc:" + c.Region + ":" + c.AccountID + ":functions/" + c.FunctionName
}
