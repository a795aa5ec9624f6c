package ocrserver

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The API gateway's AppKey/AppSecret ("digest") authentication, verified
// the way the gateway does it: the string to sign is rebuilt from what
// arrived and signed with the AppSecret that belongs to X-Ca-Key. This is
// written from the gateway's documentation (help.aliyun.com document 29475
// "使用摘要签名认证方式调用API", 143207, and the "Invalid Signature" page),
// independently of the client in internal/recognition, so that a mistake
// in one is not mirrored by the other:
//
//	StringToSign = METHOD \n Accept \n Content-MD5 \n Content-Type \n Date \n
//	               Headers Url
//
//   - Every value as received, empty ones as empty lines; Content-Type with
//     its multipart boundary.
//   - Headers: "name:value\n" for each name listed (comma-separated) in
//     X-Ca-Signature-Headers, sorted by name, the name spelled as listed
//     (HTTP/2 lower-cases names on the wire, so the list is the only
//     spelling both sides know). X-Ca-Signature, X-Ca-Signature-Headers,
//     Accept, Content-MD5, Content-Type and Date are never among them.
//   - Url: the path, then "?" and the query parameters (and the fields of
//     an x-www-form-urlencoded body, never those of multipart/form-data)
//     sorted by key, "k=v" or just "k" without a value, joined by "&".
//   - X-Ca-Signature = Base64(HMAC(AppSecret, StringToSign)), HMAC-SHA256
//     by default or as X-Ca-Signature-Method says (HmacSHA256, HmacSHA1).
//   - X-Ca-Timestamp (epoch ms) at most 15 minutes off; an X-Ca-Nonce seen
//     in the last 15 minutes is refused.
//
// Refusals carry the gateway's X-Ca-Error-Message and an empty body, with
// the statuses of the gateway's error table: 400 "Invalid AppKey", 404
// "Empty Signature", 400 "Invalid Timestamp", 400 "Timestamp Expired", 400
// "Nonce Used", 400 "Invalid Signature, Server StringToSign:`...`" (the
// gateway's debugging aid: its string to sign, newlines written as '#').
// The stand-in is stricter than the gateway in one way: X-Ca-Timestamp and
// X-Ca-Nonce are optional there but required here (400 "Header `...` is
// Required", the gateway's wording for a missing header), because the
// function always sends them and a test should notice if it stops.

// SignatureWindow is how far X-Ca-Timestamp may be from the stand-in's
// clock, and how long a nonce is remembered: 15 minutes, as the gateway.
const SignatureWindow = 15 * time.Minute

// maxNonces bounds the nonce memory. Past it, once expired nonces are
// swept, calls are answered 503 rather than forgetting a nonce early,
// which would let a replay through.
const maxNonces = 100_000

var (
	replyInvalidAppKey     = GatewayError(http.StatusBadRequest, "Invalid AppKey")
	replyEmptySignature    = GatewayError(http.StatusNotFound, "Empty Signature")
	replyInvalidTimestamp  = GatewayError(http.StatusBadRequest, "Invalid Timestamp")
	replyTimestampExpired  = GatewayError(http.StatusBadRequest, "Timestamp Expired")
	replyNonceUsed         = GatewayError(http.StatusBadRequest, "Nonce Used")
	replyMissingTimestamp  = GatewayError(http.StatusBadRequest, "Header `X-Ca-Timestamp` is Required")
	replyMissingNonce      = GatewayError(http.StatusBadRequest, "Header `X-Ca-Nonce` is Required")
	replyBadSignMethod     = GatewayError(http.StatusBadRequest, "Invalid Header `X-Ca-Signature-Method` must be HmacSHA256 or HmacSHA1")
	replyNonceMemoryIsFull = GatewayError(http.StatusServiceUnavailable, "Service Unavailable")
)

// unsignedHeaders never take part in the Headers part, even if listed.
var unsignedHeaders = map[string]bool{
	"x-ca-signature": true, "x-ca-signature-headers": true,
	"accept": true, "content-md5": true, "content-type": true, "date": true,
}

// signedCall reports whether r authenticates with the signature rather
// than with an AppCode.
func signedCall(r *http.Request) bool {
	return r.Header.Get("X-Ca-Key") != "" || r.Header.Get("X-Ca-Signature") != ""
}

// checkSignature returns nil when r carries a valid signature of the
// configured AppKey, else the gateway's refusal. A nonce is remembered
// only once the signature is proven, so refused calls cannot use up
// nonces of legitimate ones.
func (s *Server) checkSignature(r *http.Request) *Reply {
	key := r.Header.Get("X-Ca-Key")
	if s.cfg.AppKey == "" || key == "" || !hmac.Equal([]byte(key), []byte(s.cfg.AppKey)) {
		return ptr(replyInvalidAppKey)
	}
	got := r.Header.Get("X-Ca-Signature")
	if got == "" {
		return ptr(replyEmptySignature)
	}
	var newHash func() hash.Hash
	switch r.Header.Get("X-Ca-Signature-Method") {
	case "", "HmacSHA256":
		newHash = sha256.New
	case "HmacSHA1":
		newHash = sha1.New
	default:
		return ptr(replyBadSignMethod)
	}

	now := s.cfg.Now()
	rawTS := r.Header.Get("X-Ca-Timestamp")
	if rawTS == "" {
		return ptr(replyMissingTimestamp)
	}
	ms, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil || ms <= 0 {
		return ptr(replyInvalidTimestamp)
	}
	ts := time.UnixMilli(ms)
	if off := now.Sub(ts); off > SignatureWindow || off < -SignatureWindow {
		return ptr(replyTimestampExpired)
	}
	nonce := r.Header.Get("X-Ca-Nonce")
	if nonce == "" {
		return ptr(replyMissingNonce)
	}

	sts := serverStringToSign(r)
	mac := hmac.New(newHash, []byte(s.cfg.AppSecret))
	mac.Write([]byte(sts))
	want := mac.Sum(nil)
	gotBytes, err := base64.StdEncoding.DecodeString(got)
	if err != nil || !hmac.Equal(gotBytes, want) {
		return ptr(GatewayError(http.StatusBadRequest, s.invalidSignatureMessage(sts)))
	}

	// Remember the nonce for as long as a replay could pass the timestamp
	// check: until its timestamp leaves the window, and at least 15
	// minutes from now.
	forget := now.Add(SignatureWindow)
	if t := ts.Add(SignatureWindow); t.After(forget) {
		forget = t
	}
	switch s.nonces.use(key+"\x00"+nonce, now, forget) {
	case nonceUsed:
		return ptr(replyNonceUsed)
	case nonceMemoryFull:
		return ptr(replyNonceMemoryIsFull)
	}
	return nil
}

// invalidSignatureMessage is the gateway's debugging answer. The string to
// sign is made of what the client sent, so it holds no secret unless a
// client put one in a header or the URL; the configured AppSecret and
// AppCode are blanked anyway, because this header ends up in logs.
func (s *Server) invalidSignatureMessage(sts string) string {
	msg := "Invalid Signature, Server StringToSign:`" + strings.ReplaceAll(sts, "\n", "#") + "`"
	for _, secret := range []string{s.cfg.AppSecret, s.cfg.AppCode} {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "***")
		}
	}
	return msg
}

// serverStringToSign rebuilds the string to sign from the request as
// received.
func serverStringToSign(r *http.Request) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(r.Method))
	b.WriteByte('\n')
	for _, name := range []string{"Accept", "Content-MD5", "Content-Type", "Date"} {
		b.WriteString(r.Header.Get(name))
		b.WriteByte('\n')
	}

	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(r.Header.Get("X-Ca-Signature-Headers"), ",") {
		n = strings.TrimSpace(n)
		if n == "" || unsignedHeaders[strings.ToLower(n)] || seen[n] {
			continue
		}
		seen[n] = true
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(r.Header.Get(n))
		b.WriteByte('\n')
	}

	b.WriteString(r.URL.EscapedPath())
	params := map[string]string{}
	for k, vs := range r.URL.Query() {
		params[k] = vs[0]
	}
	// Fields of an x-www-form-urlencoded body are signed too (they win
	// over a query parameter of the same name); multipart fields never.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err == nil {
			for k, vs := range r.PostForm {
				params[k] = vs[0]
			}
		}
	}
	if len(params) > 0 {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('?')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			if v := params[k]; v != "" {
				b.WriteByte('=')
				b.WriteString(v)
			}
		}
	}
	return b.String()
}

// nonceVerdict is what the nonce memory says of a nonce.
type nonceVerdict int

const (
	nonceFresh nonceVerdict = iota
	nonceUsed
	nonceMemoryFull
)

// nonceMemory remembers nonces until they can no longer be replayed. Its
// size is bounded: expired entries are swept at most once a minute, or
// when it is full.
type nonceMemory struct {
	mu        sync.Mutex
	until     map[string]time.Time
	lastSweep time.Time
}

// use records nonce as seen until forget, unless it was already seen.
func (m *nonceMemory) use(nonce string, now, forget time.Time) nonceVerdict {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.until == nil {
		m.until = make(map[string]time.Time)
	}
	if t, ok := m.until[nonce]; ok && now.Before(t) {
		return nonceUsed
	}
	if len(m.until) >= maxNonces || now.Sub(m.lastSweep) >= time.Minute {
		for n, t := range m.until {
			if !now.Before(t) {
				delete(m.until, n)
			}
		}
		m.lastSweep = now
	}
	if len(m.until) >= maxNonces {
		return nonceMemoryFull
	}
	m.until[nonce] = forget
	return nonceFresh
}

// remembered reports how many nonces are held (tests).
func (m *nonceMemory) remembered() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.until)
}
