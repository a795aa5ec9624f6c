package recognition

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/syncbuf"
)

func TestSignRequestWithFixedInputs(t *testing.T) {
	const (
		key         = "203753385"
		secret      = "test-app-secret-0123456789abcdef"
		nonce       = "c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44"
		contentType = "multipart/form-data; boundary=0d5a1bca3f2e7c6b"
	)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) // 1795773600000 ms

	req, err := http.NewRequest(http.MethodPost, "https://vehicle.market.alicloudapi.com/api/v1/vehicle-license", strings.NewReader("body"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	signRequest(req, key, secret, at, nonce)

	// The string to sign, spelled out: method, Accept, empty Content-MD5,
	// Content-Type with its boundary, empty Date, the four signed headers
	// sorted by name, then the path (no query, so no "?").
	want := "POST\n" +
		"application/json\n" +
		"\n" +
		"multipart/form-data; boundary=0d5a1bca3f2e7c6b\n" +
		"\n" +
		"x-ca-key:203753385\n" +
		"x-ca-nonce:c9f15cbf-f4ac-4a6c-b54d-f51abf4b5b44\n" +
		"x-ca-signature-method:HmacSHA256\n" +
		"x-ca-timestamp:1795773600000\n" +
		"/api/v1/vehicle-license"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(want))
	wantSig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	// The same value from `openssl dgst -sha256 -hmac <secret> -binary | base64`.
	require.Equal(t, "niHNDI8mjb2XBZebOw/RRoLHWh6J2D0HR0Ja4EDgLQ8=", wantSig)

	assert.Equal(t, want, stringToSign(http.MethodPost, "application/json", "", contentType, "",
		[][2]string{{"x-ca-timestamp", "1795773600000"}, {"x-ca-key", key}, {"x-ca-signature-method", "HmacSHA256"}, {"x-ca-nonce", nonce}}, req.URL))
	assert.Equal(t, http.Header{
		"Content-Type":           {contentType},
		"Accept":                 {"application/json"},
		"x-ca-key":               {key},
		"x-ca-nonce":             {nonce},
		"x-ca-signature-method":  {"HmacSHA256"},
		"x-ca-timestamp":         {"1795773600000"},
		"x-ca-signature-headers": {"x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp"},
		"x-ca-signature":         {wantSig},
	}, req.Header, "lower-case names on the wire, as listed and signed; no Authorization")
}

func TestSignedPathSortsTheQuery(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "https://h.example.com/ocr/vehicle?side=front&a=1&flag&a=2", nil)
	require.NoError(t, err)
	assert.Equal(t, "/ocr/vehicle?a=1&flag&side=front", signedPath(req.URL))
	req, err = http.NewRequest(http.MethodPost, "https://h.example.com", nil)
	require.NoError(t, err)
	assert.Equal(t, "/", signedPath(req.URL))
}

// Client against the gateway stand-in.

const (
	standInAppKey    = "204817230"
	standInAppSecret = "Zx8c-AppSecret-never-on-the-wire-41d7"
)

// wire records every request as it arrived, before the stand-in sees it.
type wire struct {
	mu   sync.Mutex
	reqs []wireRequest
}

type wireRequest struct {
	header http.Header
	url    string
	body   []byte
}

func (w *wire) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		w.mu.Lock()
		w.reqs = append(w.reqs, wireRequest{header: r.Header.Clone(), url: r.URL.String(), body: body})
		w.mu.Unlock()
		next.ServeHTTP(rw, r)
	})
}

func (w *wire) requests() []wireRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]wireRequest(nil), w.reqs...)
}

// assertSecretNeverOnTheWire checks every header and body that went out.
func (w *wire) assertSecretNeverOnTheWire(t *testing.T, secret string) {
	t.Helper()
	for i, r := range w.requests() {
		for name, values := range r.header {
			assert.NotContains(t, name+": "+strings.Join(values, ", "), secret, "request %d, header %s", i, name)
		}
		assert.NotContains(t, string(r.body), secret, "request %d body", i)
		assert.NotContains(t, r.url, secret, "request %d URL", i)
	}
}

type gatewayFixture struct {
	stand    *ocrserver.Server
	wire     *wire
	endpoint string
	imageURL string
}

// newGateway starts an image host and the stand-in (behind a recorder) that
// accepts standInAppKey/standInAppSecret on the clock now.
func newGateway(t *testing.T, now func() time.Time, decide func(ocrserver.Request) ocrserver.Reply) *gatewayFixture {
	t.Helper()
	var img bytes.Buffer
	require.NoError(t, jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8)), nil))
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(img.Bytes())
	}))
	t.Cleanup(images.Close)

	stand := ocrserver.New(ocrserver.Config{AppKey: standInAppKey, AppSecret: standInAppSecret, Now: now, Decide: decide})
	t.Cleanup(func() { _ = stand.Close() })
	w := &wire{}
	srv := httptest.NewServer(w.wrap(stand))
	t.Cleanup(srv.Close)
	return &gatewayFixture{stand: stand, wire: w, endpoint: srv.URL + ocrserver.DefaultPath, imageURL: images.URL + "/vehicle-docs/car.jpg"}
}

func (g *gatewayFixture) client(secret string) *Client {
	return New(Config{
		Endpoint: g.endpoint, AppKey: standInAppKey, AppSecret: secret,
		Timeout: 5 * time.Second, MaxAttempts: 3, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
	})
}

// logBuffer collects the client's log lines.
type logBuffer struct{ syncbuf.Buffer }

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(b, nil)) }

func assertNoSecretIn(t *testing.T, res Result, logs, secret string) {
	t.Helper()
	for what, s := range map[string]string{"reason": res.Reason, "message": res.Message, "preview": res.Preview, "body": string(res.Body), "log": logs} {
		assert.NotContains(t, s, secret, what)
	}
}

func TestSignedCallSucceeds(t *testing.T) {
	g := newGateway(t, nil, nil)
	var logs logBuffer
	before := time.Now()

	res := g.client(standInAppSecret).Recognize(t.Context(), Request{ImageURL: g.imageURL, CardSide: "FRONT", Log: logs.logger()})

	require.Equal(t, outcome.Succeeded, res.Outcome, res.Reason)
	assert.Equal(t, 1, res.Attempts)
	assert.Equal(t, 1, g.stand.Billed())
	reqs := g.wire.requests()
	require.Len(t, reqs, 1)
	h := reqs[0].header
	assert.Empty(t, h.Get("Authorization"), "no AppCode with signature auth")
	assert.Equal(t, standInAppKey, h.Get("X-Ca-Key"))
	assert.Equal(t, "HmacSHA256", h.Get("X-Ca-Signature-Method"))
	assert.Equal(t, "x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp", h.Get("X-Ca-Signature-Headers"))
	assert.NotEmpty(t, h.Get("X-Ca-Signature"))
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, h.Get("X-Ca-Nonce"), "a random UUID, as the gateway suggests")
	ms, err := strconv.ParseInt(h.Get("X-Ca-Timestamp"), 10, 64)
	require.NoError(t, err)
	assert.WithinRange(t, time.UnixMilli(ms), before.Truncate(time.Millisecond), time.Now(), "X-Ca-Timestamp is now, in epoch ms")
	assert.True(t, strings.HasPrefix(h.Get("Content-Type"), "multipart/form-data; boundary="))
	g.wire.assertSecretNeverOnTheWire(t, standInAppSecret)
	assertNoSecretIn(t, res, logs.String(), standInAppSecret)
}

func TestWrongAppSecretIsMisconfigured(t *testing.T) {
	const wrongSecret = "wrong-AppSecret-7c1e0b9a55"
	g := newGateway(t, nil, nil)
	var logs logBuffer

	res := g.client(wrongSecret).Recognize(t.Context(), Request{ImageURL: g.imageURL, CardSide: "FRONT", Log: logs.logger()})

	assert.Equal(t, outcome.Misconfigured, res.Outcome)
	assert.Equal(t, http.StatusBadRequest, res.HTTPStatus)
	assert.Equal(t, 1, res.Attempts, "a refused signature is not retried")
	assert.Contains(t, res.Reason, "Invalid Signature, Server StringToSign:`POST#application/json##multipart/form-data; boundary=")
	assert.Zero(t, g.stand.Billed())
	for _, secret := range []string{wrongSecret, standInAppSecret} {
		g.wire.assertSecretNeverOnTheWire(t, secret)
		assertNoSecretIn(t, res, logs.String(), secret)
	}

	assert.Contains(t, res.Reason, "OCR_APP_KEY and OCR_APP_SECRET", "the reason names the settings to check")
}

func TestReplayedSignedRequestIsRefused(t *testing.T) {
	g := newGateway(t, nil, nil)
	res := g.client(standInAppSecret).Recognize(t.Context(), Request{ImageURL: g.imageURL, CardSide: "FRONT"})
	require.Equal(t, outcome.Succeeded, res.Outcome, res.Reason)

	// Someone on the path sends the captured call again, byte for byte.
	orig := g.wire.requests()[0]
	replay, err := http.NewRequestWithContext(t.Context(), http.MethodPost, g.endpoint, bytes.NewReader(orig.body))
	require.NoError(t, err)
	replay.Header = orig.header.Clone()
	resp, err := http.DefaultClient.Do(replay)
	require.NoError(t, err)
	defer resp.Body.Close()

	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "Nonce Used", resp.Header.Get("X-Ca-Error-Message"))
	assert.Equal(t, 1, g.stand.Billed(), "the replay is not billed")
}

func TestSignedCallWithAClockSixteenMinutesOffIsRefused(t *testing.T) {
	for _, off := range []time.Duration{16 * time.Minute, -16 * time.Minute} {
		t.Run(off.String(), func(t *testing.T) {
			g := newGateway(t, func() time.Time { return time.Now().Add(off) }, nil)
			res := g.client(standInAppSecret).Recognize(t.Context(), Request{ImageURL: g.imageURL, CardSide: "FRONT"})

			assert.Equal(t, outcome.Misconfigured, res.Outcome)
			assert.Equal(t, http.StatusBadRequest, res.HTTPStatus)
			assert.Contains(t, res.Reason, "Timestamp Expired")
			assert.Equal(t, 1, res.Attempts)
			assert.Zero(t, g.stand.Billed())
		})
	}
}

func TestRetryAfter503IsSignedAfresh(t *testing.T) {
	const pause = 30 * time.Millisecond
	script := ocrserver.Script{"/vehicle-docs/car.jpg": {ocrserver.HTTPStatus(http.StatusServiceUnavailable).After(pause), ocrserver.Success()}}
	g := newGateway(t, nil, script.Decide)
	var logs logBuffer

	res := g.client(standInAppSecret).Recognize(t.Context(), Request{ImageURL: g.imageURL, CardSide: "FRONT", Log: logs.logger()})

	require.Equal(t, outcome.Succeeded, res.Outcome, res.Reason)
	assert.Equal(t, 2, res.Attempts)
	reqs := g.wire.requests()
	require.Len(t, reqs, 2)
	first, second := reqs[0].header, reqs[1].header
	assert.NotEqual(t, first.Get("X-Ca-Nonce"), second.Get("X-Ca-Nonce"), "a fresh nonce per attempt")
	t1, err := strconv.ParseInt(first.Get("X-Ca-Timestamp"), 10, 64)
	require.NoError(t, err)
	t2, err := strconv.ParseInt(second.Get("X-Ca-Timestamp"), 10, 64)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, t2-t1, pause.Milliseconds(), "a fresh timestamp per attempt")
	assert.NotEqual(t, first.Get("X-Ca-Signature"), second.Get("X-Ca-Signature"))
	assert.Contains(t, logs.String(), "recognition attempt failed, retrying")
	g.wire.assertSecretNeverOnTheWire(t, standInAppSecret)
	assertNoSecretIn(t, res, logs.String(), standInAppSecret)
}

func TestAppSecretIsScrubbedFromWhatAGatewayEchoes(t *testing.T) {
	// A misbehaving gateway (or proxy) that quotes the secret back: in its
	// error message, then in a non-JSON 503 body that is logged on retry.
	const secret = "echoed-AppSecret-3f9a27c4d1"
	api := &scriptedAPI{answers: []http.HandlerFunc{
		reply(http.StatusServiceUnavailable, nil, "<html>upstream said "+secret+"</html>"),
		reply(http.StatusBadRequest, map[string]string{"X-Ca-Error-Message": "Invalid Signature, Server StringToSign:`" + secret + "`"}, ""),
	}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	var logs logBuffer
	c := New(Config{Endpoint: srv.URL, AppKey: "k-1", AppSecret: secret, Timeout: time.Second, MaxAttempts: 3, BaseBackoff: time.Millisecond})

	res := c.Recognize(t.Context(), Request{ImageURL: "https://oss.example.com/a.jpg", CardSide: "FRONT", Log: logs.logger()})

	assert.Equal(t, outcome.Misconfigured, res.Outcome)
	assert.Contains(t, res.Reason, "Invalid Signature, Server StringToSign:`***`")
	assert.Contains(t, logs.String(), "upstream said ***")
	assertNoSecretIn(t, res, logs.String(), secret)
	for _, r := range api.received() {
		assert.Empty(t, r.auth)
	}
}
