package ocrserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAppKey    = "203753385"
	testAppSecret = "s3cr3t-AppSecret-of-the-stand-in-9f8e"
)

// gatewayNow is the stand-in's clock in these tests.
var gatewayNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// signedReq describes one signed call; the zero value of each field means
// "as a correct client would send it".
type signedReq struct {
	key, secret string
	// names is X-Ca-Signature-Headers as sent; nil means the four
	// x-ca-* names in lower case, sorted.
	names     []string
	method    string // X-Ca-Signature-Method; "-" sends none
	timestamp string // X-Ca-Timestamp; "-" sends none
	nonce     string // X-Ca-Nonce; "-" sends none
	noSig     bool   // send no X-Ca-Signature
	query     string // appended to the URL after signing ("tampering")
	extra     map[string]string
}

// buildSigned builds a multipart call signed by hand: the string to sign
// is spelled out here rather than computed by the code under test.
func buildSigned(t *testing.T, endpoint string, sr signedReq, parts ...part) *http.Request {
	t.Helper()
	if sr.key == "" {
		sr.key = testAppKey
	}
	if sr.secret == "" {
		sr.secret = testAppSecret
	}
	if sr.timestamp == "" {
		sr.timestamp = strconv.FormatInt(gatewayNow.UnixMilli(), 10)
	}
	if sr.nonce == "" {
		sr.nonce = uuid.NewString()
	}
	if sr.method == "" {
		sr.method = "HmacSHA256"
	}
	body, contentType := multipartBody(t, parts...)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", contentType)

	values := map[string]string{
		"x-ca-key": sr.key, "x-ca-nonce": sr.nonce, "x-ca-signature-method": sr.method, "x-ca-timestamp": sr.timestamp,
	}
	for k, v := range sr.extra {
		values[strings.ToLower(k)] = v
	}
	for k, v := range values {
		if v != "-" {
			req.Header.Set(k, v)
		}
	}
	names := sr.names
	if names == nil {
		names = []string{"x-ca-key", "x-ca-nonce", "x-ca-signature-method", "x-ca-timestamp"}
	}
	req.Header.Set("X-Ca-Signature-Headers", strings.Join(names, ","))

	// Headers part: the listed names sorted, each with its value.
	sorted := append([]string(nil), names...)
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if sorted[j] < sorted[i] {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
	}
	headers := ""
	for _, n := range sorted {
		v := values[strings.ToLower(n)]
		if v == "-" {
			v = ""
		}
		headers += n + ":" + v + "\n"
	}
	sts := "POST\n" + "application/json\n" + "\n" + contentType + "\n" + "\n" + headers + DefaultPath
	var newHash func() hash.Hash = sha256.New
	if sr.method == "HmacSHA1" {
		newHash = sha1.New
	}
	mac := hmac.New(newHash, []byte(sr.secret))
	mac.Write([]byte(sts))
	if !sr.noSig {
		req.Header.Set("X-Ca-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	if sr.query != "" {
		req.URL.RawQuery = sr.query
	}
	return req
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func startSignedServer(t *testing.T, now func() time.Time) *Server {
	t.Helper()
	if now == nil {
		now = func() time.Time { return gatewayNow }
	}
	s := New(Config{AppKey: testAppKey, AppSecret: testAppSecret, Now: now})
	require.NoError(t, s.Start())
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestSignatureIsCheckedLikeTheGateway(t *testing.T) {
	ms := func(d time.Duration) string { return strconv.FormatInt(gatewayNow.Add(d).UnixMilli(), 10) }
	cases := []struct {
		name        string
		req         signedReq
		wantStatus  int
		wantMessage string // prefix of X-Ca-Error-Message
	}{
		{name: "lower-case names, sorted", req: signedReq{}, wantStatus: 200},
		{name: "names as the Java demo sends them, unsorted", req: signedReq{names: []string{"X-Ca-Timestamp", "X-Ca-Key", "X-Ca-Nonce", "X-Ca-Signature-Method"}}, wantStatus: 200},
		{name: "HmacSHA1", req: signedReq{method: "HmacSHA1"}, wantStatus: 200},
		{name: "no signature method means HmacSHA256", req: signedReq{method: "-", names: []string{"x-ca-key", "x-ca-nonce", "x-ca-timestamp"}}, wantStatus: 200},
		{name: "a signed header the call lacks counts as empty", req: signedReq{names: []string{"x-ca-key", "x-ca-nonce", "x-ca-timestamp", "x-ca-stage"}}, wantStatus: 200},
		{name: "14 minutes behind", req: signedReq{timestamp: ms(-14 * time.Minute)}, wantStatus: 200},
		{name: "14 minutes ahead", req: signedReq{timestamp: ms(14 * time.Minute)}, wantStatus: 200},
		{name: "wrong AppSecret", req: signedReq{secret: "not-the-secret"}, wantStatus: 400, wantMessage: "Invalid Signature, Server StringToSign:`POST#application/json##multipart/form-data; boundary="},
		{name: "query added after signing", req: signedReq{query: "debug=1"}, wantStatus: 400, wantMessage: "Invalid Signature, Server StringToSign:"},
		{name: "unknown AppKey", req: signedReq{key: "999999"}, wantStatus: 400, wantMessage: "Invalid AppKey"},
		{name: "no signature", req: signedReq{noSig: true}, wantStatus: 404, wantMessage: "Empty Signature"},
		{name: "unsupported method", req: signedReq{method: "HmacMD5"}, wantStatus: 400, wantMessage: "Invalid Header `X-Ca-Signature-Method`"},
		{name: "16 minutes behind", req: signedReq{timestamp: ms(-16 * time.Minute)}, wantStatus: 400, wantMessage: "Timestamp Expired"},
		{name: "16 minutes ahead", req: signedReq{timestamp: ms(16 * time.Minute)}, wantStatus: 400, wantMessage: "Timestamp Expired"},
		{name: "timestamp in seconds", req: signedReq{timestamp: "1.8e12"}, wantStatus: 400, wantMessage: "Invalid Timestamp"},
		{name: "no timestamp", req: signedReq{timestamp: "-"}, wantStatus: 400, wantMessage: "Header `X-Ca-Timestamp` is Required"},
		{name: "no nonce", req: signedReq{nonce: "-"}, wantStatus: 400, wantMessage: "Header `X-Ca-Nonce` is Required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host := newImageHost(t, map[string]http.HandlerFunc{"/b/car.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
			s := startSignedServer(t, nil)

			a := do(t, buildSigned(t, s.URL(), tc.req, field("imgUrl", host.URL+"/b/car.jpg")))

			assert.Equal(t, tc.wantStatus, a.status, "X-Ca-Error-Message: %s", a.header.Get(HeaderErrorMessage))
			calls := s.Calls()
			require.Len(t, calls, 1)
			if tc.wantStatus == http.StatusOK {
				assert.True(t, calls[0].AuthOK)
				assert.Equal(t, 1, s.Billed())
				return
			}
			assert.True(t, strings.HasPrefix(a.header.Get(HeaderErrorMessage), tc.wantMessage), "got %q", a.header.Get(HeaderErrorMessage))
			assert.Empty(t, a.body, "gateway refusals have no body")
			assert.False(t, calls[0].AuthOK)
			assert.Zero(t, calls[0].Attempt, "a refused call never reaches Decide")
			assert.Zero(t, host.hits.Load(), "a refused call never fetches the image")
			assert.Zero(t, s.Billed())
			for name, values := range a.header {
				assert.NotContains(t, strings.Join(values, " "), testAppSecret, "header %s echoes the AppSecret", name)
			}
		})
	}
}

func TestInvalidSignatureShowsTheServersStringToSign(t *testing.T) {
	s := startSignedServer(t, nil)
	req := buildSigned(t, s.URL(), signedReq{secret: "wrong", nonce: "n-1"}, field("imgUrl", "http://127.0.0.1:1/x.jpg"))
	a := do(t, req)

	ts := strconv.FormatInt(gatewayNow.UnixMilli(), 10)
	want := "Invalid Signature, Server StringToSign:`POST#application/json##" + req.Header.Get("Content-Type") + "##" +
		"x-ca-key:" + testAppKey + "#x-ca-nonce:n-1#x-ca-signature-method:HmacSHA256#x-ca-timestamp:" + ts + "#" + DefaultPath + "`"
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, want, a.header.Get(HeaderErrorMessage))
}

func TestInvalidSignatureNeverEchoesTheSecret(t *testing.T) {
	// A careless client that sends the secret in a signed header gets a
	// debugging answer with the secret blanked.
	s := startSignedServer(t, nil)
	names := []string{"x-ca-key", "x-ca-nonce", "x-ca-signature-method", "x-ca-timestamp", "x-leak"}
	req := buildSigned(t, s.URL(), signedReq{secret: "wrong", names: names, extra: map[string]string{"X-Leak": testAppSecret}}, field("imgUrl", "http://127.0.0.1:1/x.jpg"))
	a := do(t, req)

	assert.Equal(t, http.StatusBadRequest, a.status)
	msg := a.header.Get(HeaderErrorMessage)
	assert.Contains(t, msg, "x-leak:***#")
	assert.NotContains(t, msg, testAppSecret)
	for _, c := range s.Calls() {
		assert.NotContains(t, c.Reply.String(), testAppSecret)
	}
}

func TestSignedNonceCannotBeReplayed(t *testing.T) {
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/car.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
	s := startSignedServer(t, nil)
	first := buildSigned(t, s.URL(), signedReq{nonce: "0b6c2d1e-replayed"}, field("imgUrl", host.URL+"/b/car.jpg"))
	replay := first.Clone(t.Context())
	body, err := first.GetBody()
	require.NoError(t, err)
	replay.Body = body

	assert.Equal(t, http.StatusOK, do(t, first).status)
	a := do(t, replay)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "Nonce Used", a.header.Get(HeaderErrorMessage))
	assert.Equal(t, 1, s.Billed())

	// A refused signature does not use up its nonce.
	bad := buildSigned(t, s.URL(), signedReq{secret: "wrong", nonce: "nonce-of-a-forgery"}, field("imgUrl", host.URL+"/b/car.jpg"))
	assert.Equal(t, http.StatusBadRequest, do(t, bad).status)
	good := buildSigned(t, s.URL(), signedReq{nonce: "nonce-of-a-forgery"}, field("imgUrl", host.URL+"/b/car.jpg"))
	assert.Equal(t, http.StatusOK, do(t, good).status)
}

func TestNonceMemoryForgetsOnlyWhatCannotBeReplayed(t *testing.T) {
	var mu sync.Mutex
	now := gatewayNow
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/car.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
	s := startSignedServer(t, clock)
	at := func() string { return strconv.FormatInt(clock().UnixMilli(), 10) }

	// A call whose clock runs 14 minutes ahead: its timestamp stays
	// acceptable until 29 minutes from now, so its nonce must be kept
	// that long, not just 15 minutes.
	ahead := strconv.FormatInt(clock().Add(14*time.Minute).UnixMilli(), 10)
	r1 := buildSigned(t, s.URL(), signedReq{nonce: "ahead", timestamp: ahead}, field("imgUrl", host.URL+"/b/car.jpg"))
	require.Equal(t, http.StatusOK, do(t, r1).status)
	for i := range 5 {
		r := buildSigned(t, s.URL(), signedReq{nonce: "n" + strconv.Itoa(i), timestamp: at()}, field("imgUrl", host.URL+"/b/car.jpg"))
		require.Equal(t, http.StatusOK, do(t, r).status)
	}
	assert.Equal(t, 6, s.nonces.remembered())

	advance(20 * time.Minute)
	again := buildSigned(t, s.URL(), signedReq{nonce: "ahead", timestamp: ahead}, field("imgUrl", host.URL+"/b/car.jpg"))
	a := do(t, again)
	assert.Equal(t, "Nonce Used", a.header.Get(HeaderErrorMessage), "the timestamp is still valid, so the nonce is still remembered")
	r := buildSigned(t, s.URL(), signedReq{nonce: "later", timestamp: at()}, field("imgUrl", host.URL+"/b/car.jpg"))
	require.Equal(t, http.StatusOK, do(t, r).status)
	assert.Equal(t, 2, s.nonces.remembered(), "the five 15-minute nonces are swept")

	advance(30 * time.Minute)
	r = buildSigned(t, s.URL(), signedReq{nonce: "latest", timestamp: at()}, field("imgUrl", host.URL+"/b/car.jpg"))
	require.Equal(t, http.StatusOK, do(t, r).status)
	assert.Equal(t, 1, s.nonces.remembered())
}

func TestNonceMemoryIsBounded(t *testing.T) {
	var m nonceMemory
	forget := gatewayNow.Add(SignatureWindow)
	for i := range maxNonces {
		require.Equal(t, nonceFresh, m.use(strconv.Itoa(i), gatewayNow, forget))
	}
	assert.Equal(t, nonceMemoryFull, m.use("one-more", gatewayNow, forget), "full of live nonces: refuse rather than forget one early")
	assert.Equal(t, nonceUsed, m.use("7", gatewayNow, forget))
	assert.Equal(t, nonceFresh, m.use("one-more", forget, forget.Add(SignatureWindow)), "once they expire there is room again")
	assert.Equal(t, 1, m.remembered())
}

func TestServerStringToSign(t *testing.T) {
	t.Run("query sorted, valueless key alone, first of repeated values", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/p/a%20b?b=2&a=1&c&a=9", nil)
		assert.Equal(t, "GET\n\n\n\n\n/p/a%20b?a=1&b=2&c", serverStringToSign(r))
	})
	t.Run("x-www-form-urlencoded fields are signed", func(t *testing.T) {
		form := url.Values{"password": {"123456789"}, "username": {"xiaoming"}}
		r := httptest.NewRequest(http.MethodPost, "/http2test/test?param1=test", strings.NewReader(form.Encode()))
		r.Header.Set("Accept", "application/json; charset=utf-8")
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		r.Header.Set("Date", "Wed, 09 May 2018 13:30:29 GMT+00:00")
		r.Header.Set("X-Ca-Key", "203753385")
		r.Header.Set("X-Ca-Signature-Headers", "x-ca-key,content-type,x-ca-signature")
		assert.Equal(t, "POST\napplication/json; charset=utf-8\n\napplication/x-www-form-urlencoded; charset=utf-8\nWed, 09 May 2018 13:30:29 GMT+00:00\n"+
			"x-ca-key:203753385\n/http2test/test?param1=test&password=123456789&username=xiaoming", serverStringToSign(r))
	})
	t.Run("multipart fields are not", func(t *testing.T) {
		body, ct := multipartBody(t, field("imgUrl", "http://x/y.jpg"), field("cardSide", "FRONT"))
		r := httptest.NewRequest(http.MethodPost, DefaultPath, bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		assert.Equal(t, "POST\n\n\n"+ct+"\n\n"+DefaultPath, serverStringToSign(r))
	})
}

func TestAppCodeStillWorksNextToTheSignature(t *testing.T) {
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/car.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
	s := startServer(t, Config{AppKey: testAppKey, AppSecret: testAppSecret, Now: func() time.Time { return gatewayNow }})

	a := post(t, s, field("imgUrl", host.URL+"/b/car.jpg"))
	assert.Equal(t, http.StatusOK, a.status)
	a = do(t, buildSigned(t, s.URL(), signedReq{}, field("imgUrl", host.URL+"/b/car.jpg")))
	assert.Equal(t, http.StatusOK, a.status)

	only := startServer(t, Config{})
	a = do(t, buildSigned(t, only.URL(), signedReq{}, field("imgUrl", host.URL+"/b/car.jpg")))
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "Invalid AppKey", a.header.Get(HeaderErrorMessage), "a stand-in without an AppKey refuses every signature")
}
