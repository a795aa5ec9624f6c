package recognition

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vlicense/fc-vehicle-license/internal/httpclient"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/retry"
)

// Config describes how to reach the API.
type Config struct {
	Endpoint    string        // full URL from the Marketplace product page
	AppCode     string        // sent as "Authorization: APPCODE <code>"
	Timeout     time.Duration // one attempt
	MaxAttempts int           // transient failures only
	// AppKey and AppSecret, when AppKey is set, replace the AppCode with
	// the API gateway's signature (signature.go): the secret never leaves
	// the function, and it is never logged or put in an error.
	AppKey, AppSecret string
	// MaxConns sizes the keep-alive pool: the record concurrency.
	MaxConns int
	// BaseBackoff and MaxBackoff shape the exponential backoff with full
	// jitter between attempts. Zero means 200ms and 5s.
	BaseBackoff, MaxBackoff time.Duration
	// HTTPClient replaces the default client (tests); nil builds one.
	HTTPClient *http.Client
	// Pacer, when set, is waited on before every call, retries included:
	// the operator's backfill keeps to the vendor's QPS with it. The
	// function has none; its instance cap does that job.
	Pacer Pacer
}

// Pacer spaces calls out, as golang.org/x/time/rate.Limiter does.
type Pacer interface {
	Wait(ctx context.Context) error
}

// Client is safe for concurrent use. Build one per instance so that its
// connections stay warm across invocations.
type Client struct {
	cfg    Config
	http   *http.Client
	policy retry.Policy
}

// Request is one image to recognise.
type Request struct {
	ImageURL string // signed; a secret until it expires: never logged
	CardSide string // FRONT or BACK
	// Log receives one line per failed attempt; nil discards them.
	Log *slog.Logger
}

// Result is the last answer after retries.
type Result struct {
	Answer
	Attempts int
}

// maxBodyBytes caps what is read of an answer: the documented body is a
// few hundred bytes, and a hostile or broken one must not fill memory.
const maxBodyBytes = 1 << 20

// New builds the client.
func New(cfg Config) *Client {
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = 1
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = 200 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4
	}
	hc := cfg.HTTPClient
	if hc == nil {
		// Each attempt has its own deadline (OCR_TIMEOUT within the
		// invocation's), so the client sets none.
		hc = httpclient.New(cfg.MaxConns, 0)
	}
	policy := retry.Policy{Attempts: cfg.MaxAttempts, Base: cfg.BaseBackoff, Max: cfg.MaxBackoff, MinAttempt: minAttemptTime}
	return &Client{cfg: cfg, http: hc, policy: policy}
}

// Recognize calls the API, retrying transient answers with exponential
// backoff and full jitter, at most MaxAttempts times and never past ctx's
// deadline. It always returns a classified result.
func (c *Client) Recognize(ctx context.Context, req Request) Result {
	log := req.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var res Result
	attempts, stop, _ := retry.Do(ctx, c.policy, func(int) error {
		res.Answer = c.attempt(ctx, req)
		if res.Outcome == outcome.Transient {
			return errTransient
		}
		return nil // an answer that another attempt would not change
	}, func(attempt int, _ error, wait time.Duration) {
		log.Warn("recognition attempt failed, retrying",
			"attempt", attempt, "class", res.Outcome, "reason", res.Reason, "preview", res.Preview, "retry_in_ms", wait.Milliseconds())
	})
	res.Attempts = attempts
	switch stop {
	case retry.Exhausted:
		res.Reason = fmt.Sprintf("%s (after %d attempts)", res.Reason, attempts)
	case retry.NoTimeLeft:
		res.Reason = fmt.Sprintf("%s (after %d attempts; no time left before the invocation deadline)", res.Reason, attempts)
	case retry.Cancelled:
		res.Reason = fmt.Sprintf("%s (after %d attempts; %v)", res.Reason, attempts, context.Cause(ctx))
	}
	return res
}

var errTransient = errors.New("transient answer")

// minAttemptTime is the least time worth starting an attempt with: less
// than this and it would only time out, costing a connection.
const minAttemptTime = 500 * time.Millisecond

// attempt makes one call within OCR_TIMEOUT and the caller's deadline.
func (c *Client) attempt(ctx context.Context, req Request) Answer {
	if c.cfg.Pacer != nil {
		if err := c.cfg.Pacer.Wait(ctx); err != nil {
			return Answer{Outcome: outcome.Transient, Reason: "waiting for a turn within the calls per second allowed: " + err.Error()}
		}
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	body, contentType, err := form(req)
	if err != nil {
		return Answer{Outcome: outcome.Transient, Reason: "building the request: " + err.Error()}
	}
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, c.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return Answer{Outcome: outcome.Misconfigured, Reason: "OCR_ENDPOINT is not a usable URL"}
	}
	hreq.Header.Set("Content-Type", contentType)
	hreq.Header.Set("Accept", "application/json")
	if c.cfg.AppKey != "" {
		// A fresh timestamp and nonce for every attempt: the gateway
		// refuses a nonce it has seen in the last 15 minutes.
		signRequest(hreq, c.cfg.AppKey, c.cfg.AppSecret, time.Now(), uuid.NewString())
	} else {
		hreq.Header.Set("Authorization", "APPCODE "+c.cfg.AppCode)
	}

	resp, err := c.http.Do(hreq)
	if err != nil {
		return Answer{Outcome: outcome.Transient, Reason: c.describe(ctx, err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return Answer{Outcome: outcome.Transient, HTTPStatus: resp.StatusCode, Reason: "reading the answer: " + c.describe(ctx, err)}
	}
	if len(raw) > maxBodyBytes {
		return Answer{Outcome: outcome.Transient, HTTPStatus: resp.StatusCode, Reason: "answer larger than 1 MiB", Preview: preview(raw)}
	}
	// A secret echoed by the other side is removed before anything is cut
	// or kept, so that no fragment of it survives in a preview.
	a := Classify(resp.StatusCode, resp.Header, c.scrubBytes(raw))
	a.Reason = c.scrub(a.Reason)
	a.Message = c.scrub(a.Message)
	return a
}

// describe turns a transport error into a reason without the request URL
// (harmless here, but the habit keeps signed URLs out of logs) and says
// which deadline fired.
func (c *Client) describe(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "stopped: the invocation deadline is near"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("no answer within OCR_TIMEOUT (%s)", c.cfg.Timeout)
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		err = ue.Unwrap()
	}
	return "connection error: " + c.scrub(err.Error())
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// scrub removes the AppCode and the AppSecret from text that came from
// elsewhere: a gateway message may quote the credential it refused.
func (c *Client) scrub(s string) string {
	for _, secret := range []string{c.cfg.AppCode, c.cfg.AppSecret} {
		if secret != "" && s != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// scrubBytes is scrub for a body; it copies only when a secret is there.
func (c *Client) scrubBytes(b []byte) []byte {
	for _, secret := range []string{c.cfg.AppCode, c.cfg.AppSecret} {
		if secret != "" && bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte("***"))
		}
	}
	return b
}

// form builds the multipart/form-data body the API documents.
func form(req Request) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("imgUrl", req.ImageURL); err != nil {
		return nil, "", err
	}
	if err := w.WriteField("cardSide", req.CardSide); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
