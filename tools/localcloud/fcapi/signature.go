package fcapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signature algorithm the server verifies.
const Algorithm = "ACS3-HMAC-SHA256"

// MaxClockSkew is how far x-acs-date may be from the server's clock
// ("Request syntax and signature method V3": within 15 minutes).
const MaxClockSkew = 15 * time.Minute

// dateFormat is x-acs-date's ISO 8601 form in UTC.
const dateFormat = "2006-01-02T15:04:05Z"

// Credentials is one AccessKey the server accepts.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	// SecurityToken is set for STS credentials: every request must carry
	// it in x-acs-security-token.
	SecurityToken string
}

// String keeps the secret and the token out of anything that prints
// Credentials with %v or %+v.
func (c Credentials) String() string {
	return "Credentials{AccessKeyID: " + c.AccessKeyID + ", AccessKeySecret: <redacted>, SecurityToken: <redacted>}"
}

// GoString does the same for %#v.
func (c Credentials) GoString() string { return c.String() }

// authorization is the parsed Authorization header.
type authorization struct {
	accessKeyID   string
	signedHeaders []string
	signature     []byte
}

// parseAuthorization reads
// "ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>".
func parseAuthorization(h string) (authorization, *apiError) {
	var a authorization
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if algorithm != Algorithm {
		return a, invalidArgument("the Authorization header must use %s", Algorithm)
	}
	var sig, signed string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			a.accessKeyID = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	if a.accessKeyID == "" || signed == "" || sig == "" {
		return a, invalidArgument("the Authorization header must give Credential, SignedHeaders and Signature")
	}
	a.signedHeaders = strings.Split(signed, ";")
	var err error
	if a.signature, err = hex.DecodeString(sig); err != nil {
		return a, invalidArgument("the Authorization header's Signature is not hexadecimal")
	}
	return a, nil
}

// authenticate verifies r's signature over body and returns the AccessKey
// it was made with (also when it fails, for the request log, if parsed).
func (s *Server) authenticate(r *http.Request, body []byte) (string, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", missingHeader("Authorization")
	}
	auth, err := parseAuthorization(h)
	if err != nil {
		return "", err
	}
	id := auth.accessKeyID
	for _, name := range []string{"x-acs-date", "x-acs-content-sha256"} {
		if r.Header.Get(name) == "" {
			return id, missingHeader(name)
		}
	}
	date, perr := time.Parse(dateFormat, r.Header.Get("x-acs-date"))
	if perr != nil {
		return id, invalidArgument("x-acs-date %q is not an ISO 8601 UTC time (yyyy-MM-ddTHH:mm:ssZ)", r.Header.Get("x-acs-date"))
	}
	if skew := s.now().Sub(date).Abs(); skew > MaxClockSkew {
		return id, errorf(http.StatusForbidden, CodeAccessDenied,
			"the request time %s is more than %s away from the server time %s", date.Format(dateFormat), MaxClockSkew, s.now().UTC().Format(dateFormat))
	}

	creds, ok := s.lookup(id)
	if !ok {
		return id, errorf(http.StatusForbidden, CodeInvalidAccessKeyID, "invalid access key ID '%s'", id)
	}
	token := r.Header.Get("x-acs-security-token")
	switch {
	case creds.SecurityToken != "" && token == "":
		return id, errorf(http.StatusForbidden, CodeAccessDenied, "the AccessKey %s is temporary (STS): x-acs-security-token is required", id)
	case creds.SecurityToken == "" && token != "":
		return id, errorf(http.StatusForbidden, CodeAccessDenied, "the AccessKey %s is not temporary: the request must not carry x-acs-security-token", id)
	case subtle.ConstantTimeCompare([]byte(token), []byte(creds.SecurityToken)) != 1:
		return id, errorf(http.StatusForbidden, CodeAccessDenied, "the security token does not belong to the AccessKey %s", id)
	}

	// Everything the signature vouches for must be in it: the host, and
	// every x-acs-* header sent (the V3 rule), the date and body hash first.
	signed := map[string]bool{}
	for _, name := range auth.signedHeaders {
		signed[name] = true
	}
	required := []string{"host"}
	for name := range r.Header {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-acs-") {
			required = append(required, lower)
		}
	}
	slices.Sort(required)
	for _, name := range required {
		if !signed[name] {
			return id, errorf(http.StatusForbidden, CodeSignatureNotMatch, "the header %s must be signed (SignedHeaders)", name)
		}
	}

	hashed := r.Header.Get("x-acs-content-sha256")
	sum := sha256.Sum256(body)
	if !strings.EqualFold(hashed, hex.EncodeToString(sum[:])) {
		return id, errorf(http.StatusForbidden, CodeSignatureNotMatch, "the body's SHA-256 does not match x-acs-content-sha256")
	}
	canonical, cerr := canonicalRequest(r, auth.signedHeaders, hashed)
	if cerr != nil {
		return id, cerr
	}
	digest := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(creds.AccessKeySecret))
	mac.Write([]byte(Algorithm + "\n" + hex.EncodeToString(digest[:])))
	if !hmac.Equal(mac.Sum(nil), auth.signature) {
		return id, errSignature
	}
	return id, nil
}

// canonicalRequest builds the V3 canonical request: method, canonical URI,
// canonical query string, canonical headers, signed headers, hashed payload.
func canonicalRequest(r *http.Request, signedHeaders []string, hashedPayload string) (string, *apiError) {
	uri, err := canonicalURI(rawPath(r))
	if err != nil {
		return "", err
	}
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(r.Method + "\n" + uri + "\n" + query + "\n")
	for _, name := range signedHeaders {
		b.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n" + hashedPayload)
	return b.String(), nil
}

// rawPath is the path exactly as the request line sent it.
func rawPath(r *http.Request) string {
	if r.RequestURI != "" && strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.EscapedPath()
}

// canonicalURI re-encodes each segment of the path the V3 way, so that a
// client's optional escapes do not change the signature.
func canonicalURI(path string) (string, *apiError) {
	if path == "" {
		return "/", nil
	}
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", invalidArgument("the path is not validly percent-encoded")
		}
		segments[i] = percentEncode(dec)
	}
	return strings.Join(segments, "/"), nil
}

// canonicalQuery sorts the parameters by name (then value) and joins them
// percent-encoded; a parameter without a value is "name=". Values are decoded
// as form values ('+' is a space): the official SDK puts the query on the
// wire that way while it signs spaces as %20.
func canonicalQuery(raw string) (string, *apiError) {
	type param struct{ k, v string }
	var params []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		rk, rv, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(rk)
		v, err2 := url.QueryUnescape(rv)
		if err1 != nil || err2 != nil {
			return "", invalidArgument("the query string is not validly percent-encoded")
		}
		params = append(params, param{percentEncode(k), percentEncode(v)})
	}
	slices.SortFunc(params, func(a, b param) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	out := make([]string, len(params))
	for i, p := range params {
		out[i] = p.k + "=" + p.v
	}
	return strings.Join(out, "&"), nil
}

// headerValue is a signed header's canonical value: its values trimmed,
// sorted and joined with commas. net/http keeps Host and Content-Length
// outside Header.
func headerValue(r *http.Request, name string) string {
	switch strings.ToLower(name) {
	case "host":
		return strings.TrimSpace(r.Host)
	case "content-length":
		if r.ContentLength >= 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
	}
	values := slices.Clone(r.Header.Values(name))
	for i, v := range values {
		values[i] = strings.TrimSpace(v)
	}
	slices.Sort(values)
	return strings.Join(values, ",")
}

// percentEncode is RFC 3986 encoding, as the V3 signature wants it: the
// unreserved characters stay, every other byte becomes %XX (upper case).
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
