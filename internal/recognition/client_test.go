package recognition

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// received is what a test server saw of one call.
type received struct {
	contentType, auth, imgURL, cardSide string
}

// scriptedAPI answers calls in order with the given handlers, repeating the
// last one, and records what each call carried.
type scriptedAPI struct {
	mu      sync.Mutex
	calls   []received
	answers []http.HandlerFunc
}

func (s *scriptedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := received{contentType: r.Header.Get("Content-Type"), auth: r.Header.Get("Authorization")}
	if err := r.ParseMultipartForm(1 << 20); err == nil {
		rec.imgURL, rec.cardSide = r.FormValue("imgUrl"), r.FormValue("cardSide")
	}
	s.mu.Lock()
	n := len(s.calls)
	s.calls = append(s.calls, rec)
	s.mu.Unlock()
	if n >= len(s.answers) {
		n = len(s.answers) - 1
	}
	s.answers[n](w, r)
}

func (s *scriptedAPI) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.calls...)
}

func reply(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func startAPI(t *testing.T, answers ...http.HandlerFunc) (*scriptedAPI, *Client) {
	t.Helper()
	api := &scriptedAPI{answers: answers}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c := New(Config{
		Endpoint:    srv.URL + "/vehicle-license",
		AppCode:     "test-appcode-5f4e3d",
		Timeout:     time.Second,
		MaxAttempts: 3,
		BaseBackoff: time.Millisecond,
		MaxBackoff:  5 * time.Millisecond,
	})
	return api, c
}

func TestRecognizeSendsDocumentedMultipartRequest(t *testing.T) {
	api, c := startAPI(t, reply(200, nil, successBody))

	res := c.Recognize(context.Background(), Request{ImageURL: "https://b.oss-cn-hangzhou.aliyuncs.com/a.jpg?x-oss-signature=s", CardSide: "BACK"})

	assert.Equal(t, outcome.Succeeded, res.Outcome)
	assert.Equal(t, 1, res.Attempts)
	calls := api.received()
	require.Len(t, calls, 1)
	assert.True(t, strings.HasPrefix(calls[0].contentType, "multipart/form-data; boundary="))
	assert.Equal(t, "APPCODE test-appcode-5f4e3d", calls[0].auth)
	assert.Equal(t, "https://b.oss-cn-hangzhou.aliyuncs.com/a.jpg?x-oss-signature=s", calls[0].imgURL)
	assert.Equal(t, "BACK", calls[0].cardSide)
}

func TestRecognizeRetries(t *testing.T) {
	throttle := reply(403, map[string]string{"X-Ca-Error-Message": "Throttled by USER Flow Control"}, "")
	cases := []struct {
		name         string
		answers      []http.HandlerFunc
		want         outcome.Outcome
		wantAttempts int
	}{
		{name: "502 then success", answers: []http.HandlerFunc{reply(502, nil, "bad gateway"), reply(200, nil, successBody)}, want: outcome.Succeeded, wantAttempts: 2},
		{name: "503 twice then success", answers: []http.HandlerFunc{reply(503, nil, ""), reply(503, nil, ""), reply(200, nil, successBody)}, want: outcome.Succeeded, wantAttempts: 3},
		{name: "throttled then success", answers: []http.HandlerFunc{throttle, reply(200, nil, successBody)}, want: outcome.Succeeded, wantAttempts: 2},
		{name: "transient every time", answers: []http.HandlerFunc{reply(500, nil, "")}, want: outcome.Transient, wantAttempts: 3},
		{name: "rejection is not retried", answers: []http.HandlerFunc{reply(400, nil, businessBody)}, want: outcome.Rejected, wantAttempts: 1},
		{name: "misconfiguration is not retried", answers: []http.HandlerFunc{reply(402, nil, "")}, want: outcome.Misconfigured, wantAttempts: 1},
		{name: "a timed-out attempt is retried", answers: []http.HandlerFunc{hang, reply(200, nil, successBody)}, want: outcome.Succeeded, wantAttempts: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, c := startAPI(t, tc.answers...)
			res := c.Recognize(context.Background(), Request{ImageURL: "http://x/a.jpg", CardSide: "FRONT"})
			assert.Equal(t, tc.want, res.Outcome, res.Reason)
			assert.Equal(t, tc.wantAttempts, res.Attempts)
			assert.Len(t, api.received(), tc.wantAttempts, "calls the API received")
		})
	}
}

func TestRecognizeStopsAtTheDeadline(t *testing.T) {
	api, c := startAPI(t, hang)
	c.cfg.Timeout = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	res := c.Recognize(ctx, Request{ImageURL: "http://x/a.jpg", CardSide: "FRONT"})

	assert.Equal(t, outcome.Transient, res.Outcome)
	assert.Equal(t, 1, res.Attempts, "no attempt starts without time to finish")
	assert.Contains(t, res.Reason, "deadline")
	assert.Len(t, api.received(), 1)
}

func TestRecognizeDoesNotRetryPastTheDeadline(t *testing.T) {
	api, c := startAPI(t, reply(503, nil, ""))
	c.cfg.BaseBackoff, c.cfg.MaxBackoff = 2*time.Second, 2*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()

	res := c.Recognize(ctx, Request{ImageURL: "http://x/a.jpg", CardSide: "FRONT"})

	assert.Equal(t, outcome.Transient, res.Outcome)
	// The waits are random (full jitter), so how many attempts fit varies;
	// what must hold is that none is started without time to finish and the
	// client returns while the deadline is still ahead.
	assert.LessOrEqual(t, len(api.received()), 3)
	assert.Equal(t, len(api.received()), res.Attempts)
	assert.NoError(t, ctx.Err(), "gave up before the deadline instead of sleeping through it")
}

func TestRecognizeConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := New(Config{Endpoint: url, AppCode: "k", Timeout: time.Second, MaxAttempts: 2, BaseBackoff: time.Millisecond})

	res := c.Recognize(context.Background(), Request{ImageURL: "http://x/a.jpg", CardSide: "FRONT"})

	assert.Equal(t, outcome.Transient, res.Outcome)
	assert.Equal(t, 2, res.Attempts)
	assert.Contains(t, res.Reason, "connection error")
}

func TestRecognizeCapsTheBody(t *testing.T) {
	huge := `{"status":200,"message":"` + strings.Repeat("x", 2<<20) + `"}`
	_, c := startAPI(t, reply(200, nil, huge))
	c.cfg.MaxAttempts = 1

	res := c.Recognize(context.Background(), Request{ImageURL: "http://x/a.jpg", CardSide: "FRONT"})

	assert.Equal(t, outcome.Transient, res.Outcome)
	assert.Contains(t, res.Reason, "larger than 1 MiB")
	assert.LessOrEqual(t, len(res.Preview), previewBytes)
}

func TestRecognizeNeverEchoesTheAppCode(t *testing.T) {
	_, c := startAPI(t, reply(400, map[string]string{"X-Ca-Error-Message": "Invalid AppCode `test-appcode-5f4e3d`"}, ""))

	res := c.Recognize(context.Background(), Request{ImageURL: "http://x/a.jpg", CardSide: "FRONT"})

	assert.Equal(t, outcome.Misconfigured, res.Outcome)
	assert.NotContains(t, res.Reason, "test-appcode-5f4e3d")
	assert.Contains(t, res.Reason, "Invalid AppCode")
}

func TestRecognizeDoesNotFollowRedirects(t *testing.T) {
	api, c := startAPI(t, reply(302, map[string]string{"Location": "/elsewhere"}, ""))

	res := c.Recognize(context.Background(), Request{ImageURL: "http://x/a.jpg", CardSide: "FRONT"})

	assert.Equal(t, outcome.Misconfigured, res.Outcome)
	assert.Len(t, api.received(), 1)
}
