package recognition

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// AppKey/AppSecret ("digest") authentication of the Alibaba Cloud API
// Gateway, the alternative to "Authorization: APPCODE" that keeps the
// secret inside the function: only an HMAC of the request travels.
//
// What the gateway checks, per its documentation ("使用摘要签名认证方式调用
// API", help.aliyun.com/document_detail/29475 and 143207, and the "Invalid
// Signature" troubleshooting page) and the official Java demo
// (github.com/aliyun/api-gateway-demo-sign-java, SignUtil.java):
//   - X-Ca-Signature = Base64(HMAC-SHA256(AppSecret, StringToSign)), with
//     X-Ca-Signature-Method naming the algorithm (HmacSHA256, or HmacSHA1).
//   - StringToSign = METHOD "\n" Accept "\n" Content-MD5 "\n" Content-Type
//     "\n" Date "\n" Headers Url. Empty values keep their "\n"; Headers adds
//     nothing when no header is signed.
//   - Headers is "name:value\n" for each signed header, sorted by name; the
//     names are listed, comma-separated, in X-Ca-Signature-Headers. X-Ca-
//     Signature, X-Ca-Signature-Headers, Accept, Content-MD5, Content-Type
//     and Date never count as signed headers.
//   - Url is the path, then "?" and the query and form parameters sorted by
//     key as "k=v" joined by "&" (a parameter without a value is just "k";
//     no "?" without parameters). Only x-www-form-urlencoded bodies are form
//     parameters: the fields of our multipart/form-data body are not signed.
//   - Content-Type is signed exactly as sent, multipart boundary included.
//   - X-Ca-Timestamp (epoch milliseconds) may be at most 15 minutes off the
//     gateway's clock, and an X-Ca-Nonce seen in the last 15 minutes is
//     refused, so every attempt gets a fresh timestamp and nonce.
//
// Header-name case is not spelled out by the documentation: its current
// example signs and lists lower-case names (x-ca-key, ...), the Java demo
// the names as it sends them (X-Ca-Key, ...), and the gateway has to take
// the names from X-Ca-Signature-Headers because HTTP/2 lower-cases names on
// the wire. This client therefore uses lower-case names everywhere: in
// X-Ca-Signature-Headers, in the string to sign and on the wire, which
// agrees with every one of those readings.

// Signature header names, lower case on purpose (see above).
const (
	hdrCaKey              = "x-ca-key"
	hdrCaNonce            = "x-ca-nonce"
	hdrCaSignature        = "x-ca-signature"
	hdrCaSignatureHeaders = "x-ca-signature-headers"
	hdrCaSignatureMethod  = "x-ca-signature-method"
	hdrCaTimestamp        = "x-ca-timestamp"
)

// signatureMethod is the only algorithm this client uses.
const signatureMethod = "HmacSHA256"

// signRequest adds the AppKey signature headers to req, whose method, URL,
// Accept, Content-Type (and Content-MD5 and Date, if any) are final. The
// timestamp and nonce are parameters so that tests can fix them; callers
// pass time.Now() and uuid.NewString() for every attempt.
func signRequest(req *http.Request, appKey, appSecret string, at time.Time, nonce string) {
	signed := [][2]string{
		{hdrCaKey, appKey},
		{hdrCaNonce, nonce},
		{hdrCaSignatureMethod, signatureMethod},
		{hdrCaTimestamp, strconv.FormatInt(at.UnixMilli(), 10)},
	}
	names := make([]string, len(signed))
	for i, h := range signed {
		names[i] = h[0]
		setRaw(req.Header, h[0], h[1])
	}
	sts := stringToSign(req.Method, req.Header.Get("Accept"), req.Header.Get("Content-MD5"),
		req.Header.Get("Content-Type"), req.Header.Get("Date"), signed, req.URL)
	setRaw(req.Header, hdrCaSignatureHeaders, strings.Join(names, ","))
	setRaw(req.Header, hdrCaSignature, sign(appSecret, sts))
}

// setRaw stores a header under the exact name given, bypassing the
// canonical form (X-Ca-Key) that Header.Set would write on HTTP/1.1.
func setRaw(h http.Header, name, value string) {
	h.Del(name)
	h[name] = []string{value}
}

// stringToSign builds the gateway's string to sign. headers are the signed
// name/value pairs; they are sorted here by name.
func stringToSign(method, accept, contentMD5, contentType, date string, headers [][2]string, u *url.URL) string {
	var b strings.Builder
	for _, line := range []string{strings.ToUpper(method), accept, contentMD5, contentType, date} {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	sorted := append([][2]string(nil), headers...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i][0] < sorted[j][0] })
	for _, h := range sorted {
		b.WriteString(h[0])
		b.WriteByte(':')
		b.WriteString(h[1])
		b.WriteByte('\n')
	}
	b.WriteString(signedPath(u))
	return b.String()
}

// signedPath is the Url part of the string to sign: the path as sent, then
// the query sorted by key, the first value of a repeated key, a key without
// a value on its own.
func signedPath(u *url.URL) string {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	query := u.Query()
	if len(query) == 0 {
		return path
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	params := make([]string, len(keys))
	for i, k := range keys {
		if v := query[k][0]; v != "" {
			params[i] = k + "=" + v
		} else {
			params[i] = k
		}
	}
	return path + "?" + strings.Join(params, "&")
}

// sign is Base64(HMAC-SHA256(secret, stringToSign)).
func sign(secret, stringToSign string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
