package localcloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcapi"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// Fixed identities of the local cloud. They only exist on this machine:
// printing them (as the local command does) gives nothing away.
const (
	AccountID = "1234567890123456"
	AppCode   = "local-appcode-0000"
)

// UserCredentials is the AccessKey a person uses with the local cloud: to
// upload to the local OSS with any OSS client, and to call the local FC API
// with the FC SDK.
var UserCredentials = ossserver.Credentials{AccessKeyID: "LTAI5tLocalUserKey", AccessKeySecret: "local-user-secret"}

// functionCredentials play the STS credentials FC hands every invocation
// of the function's role.
var functionCredentials = ossserver.Credentials{AccessKeyID: "STS.LocalFunctionRole", AccessKeySecret: "local-role-secret", SecurityToken: "local-sts-token"}

// Config says what to run and what to tell the caller.
type Config struct {
	BinaryPath string // the built function
	SpecPath   string // s.yaml
	// Env overrides variables of s.yaml's environmentVariables (for example
	// OCR_MAX_ATTEMPTS), after the local endpoints are filled in.
	Env map[string]string
	// Timeout overrides the function timeout of s.yaml.
	Timeout time.Duration
	// RetryBackoff is the wait before FC's first async retry (doubling).
	RetryBackoff time.Duration
	// Decide picks the recognition stand-in's answers; nil uses Rules.
	Decide func(ocrserver.Request) ocrserver.Reply
	// FunctionOutput receives the function's log lines.
	FunctionOutput io.Writer
	// Observer hears what the cloud does; every method may be nil.
	Observer Observer
	// Addrs are the addresses to listen on; each empty one is a free
	// loopback port.
	Addrs Addrs
}

// Addrs are the listen addresses of the local cloud's servers, such as
// "127.0.0.1:9000".
type Addrs struct {
	OSS       string // the OSS endpoint the function uses (OSS_ENDPOINT)
	PublicOSS string // the OSS endpoint signed URLs point to (OSS_PUBLIC_ENDPOINT)
	OCR       string // the recognition stand-in
	FCAPI     string // FC's InvokeFunction OpenAPI
}

// Observer receives the cloud's events, for the demo and local commands.
type Observer struct {
	// Triggered: an upload matched a trigger and an event was queued.
	Triggered func(ev ossserver.ObjectCreated, trigger string, requestID string)
	// Ignored: an upload matched no trigger of s.yaml.
	Ignored func(ev ossserver.ObjectCreated)
	// Attempt: one invocation attempt finished.
	Attempt func(a fcemulator.Attempt)
	// Failed: an event failed every attempt (FC's onFailure destination).
	Failed func(f fcemulator.FailureRecord)
	// APIRequest: the FC API answered a request (InvokeFunction or not).
	APIRequest func(r fcapi.Request)
	// OSSRequest: the OSS server answered a request, on either endpoint.
	// The entries come from the server's request log, a fraction of a
	// second after the answers, in order; Close reports the last ones.
	OSSRequest func(r ossserver.Request)
}

// Cloud is a running local cloud.
type Cloud struct {
	OSS              *ossserver.Server
	InternalEndpoint string // where the function reads and writes
	PublicEndpoint   string // where signed URLs point, and users upload
	OCR              *ocrserver.Server
	FC               *fcemulator.Emulator
	// FCAPI serves FC 3.0's InvokeFunction for the function, at FCEndpoint
	// (a URL: the FC SDK's Endpoint is its host:port), to UserCredentials.
	FCAPI      *fcapi.Server
	FCEndpoint string
	Function   deployspec.Function
	Region     string
	Buckets    []string

	notified atomic.Int64 // uploads the trigger logic has looked at

	followStop chan struct{} // ends the OSS request follower
	followDone chan struct{}
}

// Start brings up OSS, the recognition stand-in, the function under the FC
// emulator and FC's InvokeFunction API for it, and wires OSS uploads to the
// function through the triggers of s.yaml. Close stops all of it.
func Start(cfg Config) (_ *Cloud, err error) {
	c := &Cloud{}
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()

	decide := cfg.Decide
	if decide == nil {
		decide = Rules(3)
	}
	c.OCR = ocrserver.New(ocrserver.Config{AppCode: AppCode, Decide: decide, Addr: cfg.Addrs.OCR})
	if err := c.OCR.Start(); err != nil {
		return nil, fmt.Errorf("recognition stand-in: %w", err)
	}

	// s.yaml takes the endpoint and AppCode from the deployer's environment:
	// here, the stand-in's.
	fn, err := deployspec.LoadFunction(cfg.SpecPath,
		map[string]string{"OCR_ENDPOINT": c.OCR.URL(), "OCR_APPCODE": AppCode},
		map[string]string{"AccountID": AccountID})
	if err != nil {
		return nil, err
	}
	if len(fn.Triggers) == 0 {
		return nil, fmt.Errorf("%s has no OSS trigger", cfg.SpecPath)
	}
	c.Function = fn
	c.Region = fn.Env["OSS_REGION"]
	if c.Region == "" {
		c.Region = "cn-hangzhou"
	}

	c.OSS = ossserver.New(ossserver.Config{Region: c.Region})
	if c.InternalEndpoint, err = c.OSS.Listen("internal", addr(cfg.Addrs.OSS)); err != nil {
		return nil, fmt.Errorf("OSS: %w", err)
	}
	if c.PublicEndpoint, err = c.OSS.Listen("public", addr(cfg.Addrs.PublicOSS)); err != nil {
		return nil, fmt.Errorf("OSS public endpoint: %w", err)
	}
	// Every port is taken before the function starts, so that a busy one
	// fails fast and leaves nothing behind.
	c.FCAPI = fcapi.New(fcapi.Config{Region: c.Region, AccountID: AccountID, OnRequest: cfg.Observer.APIRequest})
	if c.FCEndpoint, err = c.FCAPI.Listen(addr(cfg.Addrs.FCAPI)); err != nil {
		return nil, fmt.Errorf("FC API: %w", err)
	}
	c.FCAPI.AllowCredentials(fcapi.Credentials{AccessKeyID: UserCredentials.AccessKeyID, AccessKeySecret: UserCredentials.AccessKeySecret})
	c.OSS.AllowCredentials(UserCredentials)
	c.OSS.AllowCredentials(functionCredentials)
	seen := map[string]bool{}
	for _, t := range fn.Triggers {
		if !seen[t.Bucket] {
			seen[t.Bucket] = true
			c.OSS.CreateBucket(t.Bucket)
			c.Buckets = append(c.Buckets, t.Bucket)
		}
	}
	sort.Strings(c.Buckets)

	env := map[string]string{}
	for k, v := range fn.Env {
		env[k] = v
	}
	env["OSS_ENDPOINT"] = c.InternalEndpoint
	env["OSS_PUBLIC_ENDPOINT"] = c.PublicEndpoint
	env["OSS_REGION"] = c.Region
	for k, v := range cfg.Env {
		env[k] = v
	}
	timeout := fn.Timeout
	if cfg.Timeout > 0 {
		timeout = cfg.Timeout
	}
	retries := fn.MaxAsyncRetryAttempts
	if retries == 0 {
		retries = fcemulator.NoRetries
	}
	obs := cfg.Observer
	c.FC, err = fcemulator.Start(fcemulator.Config{
		BinaryPath:            cfg.BinaryPath,
		Env:                   envList(env),
		FunctionName:          fn.Name,
		Handler:               "main",
		MemoryMB:              fn.MemoryMB,
		Region:                c.Region,
		AccountID:             AccountID,
		Timeout:               timeout,
		Credentials:           fcemulator.Credentials{AccessKeyID: functionCredentials.AccessKeyID, AccessKeySecret: functionCredentials.AccessKeySecret, SecurityToken: functionCredentials.SecurityToken},
		MaxAsyncRetryAttempts: retries,
		RetryBackoff:          cfg.RetryBackoff,
		Stdout:                cfg.FunctionOutput,
		Stderr:                cfg.FunctionOutput,
		OnResult:              obs.Attempt,
		OnFailure:             obs.Failed,
	})
	if err != nil {
		return nil, fmt.Errorf("function emulator: %w", err)
	}
	c.FCAPI.AddFunction(fcapi.Function{Name: fn.Name, AsyncTask: fn.AsyncTask, Invoker: c.FC})

	c.OSS.OnObjectCreated(func(ev ossserver.ObjectCreated) { c.deliver(ev, obs) })
	if obs.OSSRequest != nil {
		c.followOSSRequests(obs.OSSRequest)
	}
	return c, nil
}

// addr is a listen address, a free loopback port when unset.
func addr(a string) string {
	if a == "" {
		return "127.0.0.1:0"
	}
	return a
}

// followOSSRequests hands every entry of the OSS request log to f, in
// order, until Close. The server has a log rather than a hook, so it is
// read a few times a second.
func (c *Cloud) followOSSRequests(f func(ossserver.Request)) {
	c.followStop, c.followDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.followDone)
		seen := 0
		flush := func() {
			reqs := c.OSS.Requests()
			for _, r := range reqs[seen:] {
				f(r)
			}
			seen = len(reqs)
		}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				flush()
			case <-c.followStop:
				flush()
				return
			}
		}
	}()
}

// deliver turns an upload into the trigger's event, as OSS does: one event
// per matching trigger, none if nothing matches.
func (c *Cloud) deliver(ev ossserver.ObjectCreated, obs Observer) {
	defer c.notified.Add(1)
	matched := false
	for _, t := range c.Function.Triggers {
		if t.Bucket != ev.Bucket || !t.Matches(ev.EventName, ev.Key) {
			continue
		}
		matched = true
		id, err := c.FC.InvokeAsync(ossserver.EventPayload(ev, AccountID), fcemulator.AsyncOptions{})
		if err == nil && obs.Triggered != nil {
			obs.Triggered(ev, t.Name, id)
		}
	}
	if !matched && obs.Ignored != nil {
		obs.Ignored(ev)
	}
}

// Settle waits until the cloud is quiet: every upload so far has gone
// through the trigger rules, and every invocation they caused, FC retries
// included, has finished. Results the function writes are uploads too, so
// it repeats until a round brings no new upload event.
func (c *Cloud) Settle(ctx context.Context) error {
	for {
		if err := c.OSS.WaitNotifications(ctx); err != nil {
			return err
		}
		if err := c.FC.WaitIdle(ctx); err != nil {
			return err
		}
		seen := c.notified.Load()
		if err := c.OSS.WaitNotifications(ctx); err != nil {
			return err
		}
		if c.notified.Load() == seen {
			return nil
		}
	}
}

// UploadPrefix is the key prefix of s.yaml's triggers: where an upload must
// land to invoke the function (the first trigger's, should they differ).
func (c *Cloud) UploadPrefix() string {
	if len(c.Function.Triggers) == 0 {
		return ""
	}
	return c.Function.Triggers[0].Prefix
}

// Bucket returns an OSS SDK handle on bucket with the user's AccessKey,
// through the public endpoint, as a person's upload tool would have.
func (c *Cloud) Bucket(name string) (*oss.Bucket, error) {
	client, err := oss.New(c.PublicEndpoint, UserCredentials.AccessKeyID, UserCredentials.AccessKeySecret,
		oss.AuthVersion(oss.AuthV4), oss.Region(c.Region))
	if err != nil {
		return nil, err
	}
	return client.Bucket(name)
}

// Close stops the FC API, the function, then the servers. Nothing is left
// running.
func (c *Cloud) Close() error {
	var errs []error
	if c.OSS != nil {
		c.OSS.OnObjectCreated(nil)
	}
	if c.FCAPI != nil {
		errs = append(errs, c.FCAPI.Close())
	}
	if c.FC != nil {
		errs = append(errs, c.FC.Close())
	}
	if c.OSS != nil {
		errs = append(errs, c.OSS.Close())
	}
	if c.OCR != nil {
		errs = append(errs, c.OCR.Close())
	}
	if c.followStop != nil {
		select {
		case <-c.followStop:
		default:
			close(c.followStop)
		}
		<-c.followDone
	}
	return errors.Join(errs...)
}

func envList(env map[string]string) []string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

// SlowDelay is how long Rules makes "slow" images wait: long enough to see
// in a demo, short enough to stay under the default OCR_TIMEOUT (10s).
const SlowDelay = 3 * time.Second

// Rules is the stand-in's behaviour for the demo and the local command,
// chosen by the image's file name so that uploading is the only control:
//
//   - "reject" anywhere in the name: the vendor refuses the image (400, 1009);
//   - "flaky": every call of the first invocation fails with 503, so the
//     function's in-process retries (maxAttempts of them) are used up and FC's
//     asynchronous retry is what succeeds;
//   - "slow": the answer takes SlowDelay;
//   - "misconfigured": the gateway answers 401, as for a wrong AppCode: the
//     function fails naming the setting, FC retries, the last attempt
//     writes a failed result;
//   - anything else succeeds.
func Rules(maxAttempts int) func(ocrserver.Request) ocrserver.Reply {
	return func(r ocrserver.Request) ocrserver.Reply {
		name := strings.ToLower(r.Name())
		switch {
		case strings.Contains(name, "reject"):
			return ocrserver.BusinessError(ocrserver.CodeIllegalParam, ocrserver.MsgIllegalParam)
		case strings.Contains(name, "flaky") && r.Attempt <= maxAttempts:
			return ocrserver.HTTPStatus(503)
		case strings.Contains(name, "slow"):
			return ocrserver.Success().After(SlowDelay)
		case strings.Contains(name, "misconfigured"):
			return ocrserver.HTTPStatus(401)
		}
		return ocrserver.Success()
	}
}
