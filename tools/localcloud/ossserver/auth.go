package ossserver

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// maxSkew is how far a header-signed request's time may be from the
	// server's clock, as on OSS.
	maxSkew = 15 * time.Minute
	// maxURLExpiry is the longest validity a V4 signed URL may ask for (7 days).
	maxURLExpiry = 7 * 24 * time.Hour
)

// v4Claim is what a V4 signature asserts, gathered from the Authorization
// header or from the query of a signed URL.
type v4Claim struct {
	accessKeyID string
	day, region string    // from the credential scope
	signDate    string    // the timestamp exactly as it was signed
	signTime    time.Time // signDate parsed
	expires     time.Duration
	additional  []string
	signature   string
	token       string
	query       string // canonical query
}

// classifyAuth tells how the request claims to be authenticated, before
// anything is verified, so that faults and the log can use it.
func classifyAuth(r *http.Request, params []queryParam) AuthKind {
	header := r.Header.Get("Authorization")
	version, byQueryV4, byQueryV1 := "", false, false
	for _, p := range params {
		switch p.name {
		case "x-oss-signature-version":
			version, byQueryV4 = p.value, true
		case "x-oss-signature", "x-oss-credential":
			byQueryV4 = true
		case "OSSAccessKeyId", "Signature":
			byQueryV1 = true
		}
	}
	switch {
	case header != "" && (byQueryV4 || byQueryV1), byQueryV4 && byQueryV1:
		return AuthUnsupported
	case header != "":
		switch {
		case strings.HasPrefix(header, algorithmV4+" "):
			return AuthHeaderV4
		case strings.HasPrefix(header, "OSS "):
			return AuthHeaderV1
		}
		return AuthUnsupported // "OSS2 ..." (signature V2) or another scheme
	case byQueryV4:
		if version == algorithmV4 {
			return AuthURLV4
		}
		return AuthUnsupported // x-oss-signature-version=OSS2
	case byQueryV1:
		return AuthURLV1
	}
	return AuthAnonymous
}

// authenticate verifies the request's signature and identity. It returns the
// AccessKeyId the request claimed (for the log) even when it refuses it.
func (s *Server) authenticate(r *http.Request, rec *Request, params []queryParam) (string, *ossError) {
	var c v4Claim
	var err *ossError
	switch rec.Auth {
	case AuthAnonymous:
		return "", errAnonymous
	case AuthHeaderV1, AuthURLV1:
		return s.authenticateV1(r, rec, params)
	case AuthHeaderV4:
		c, err = parseHeaderClaim(r, params)
	case AuthURLV4:
		c, err = parseURLClaim(params)
	default:
		return "", invalidArgument("The local OSS server accepts signature V1 (OSS) and V4 (%s), in the Authorization header or in the query, one at a time; not signature V2.", algorithmV4)
	}
	if err != nil {
		return c.accessKeyID, err
	}
	return c.accessKeyID, s.verify(r, rec, c)
}

// parseHeaderClaim reads
// "OSS4-HMAC-SHA256 Credential=AK/day/region/oss/aliyun_v4_request[,AdditionalHeaders=a;b],Signature=hex".
// The signed time is x-oss-date when present, else the Date header, as the
// SDK chooses.
func parseHeaderClaim(r *http.Request, params []queryParam) (v4Claim, *ossError) {
	var c v4Claim
	var credential string
	for _, field := range strings.Split(strings.TrimPrefix(r.Header.Get("Authorization"), algorithmV4+" "), ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch name {
		case "Credential":
			credential = value
		case "AdditionalHeaders":
			c.additional = additionalHeaderList(value)
		case "Signature":
			c.signature = value
		}
	}
	if credential == "" || c.signature == "" {
		return c, invalidArgument("The Authorization header requires Credential and Signature.")
	}
	var err *ossError
	if c.accessKeyID, c.day, c.region, err = parseCredential(credential); err != nil {
		return c, err
	}
	if d := r.Header.Get("x-oss-date"); d != "" {
		t, perr := time.Parse(timeFormatV4, d)
		if perr != nil {
			return c, errNoDate
		}
		c.signDate, c.signTime = d, t
	} else {
		d = r.Header.Get("Date")
		t, perr := http.ParseTime(d)
		if d == "" || perr != nil {
			return c, errNoDate
		}
		c.signDate, c.signTime = d, t
	}
	c.token = r.Header.Get("x-oss-security-token")
	c.query = canonicalQuery(params, "")
	return c, nil
}

// parseURLClaim reads the x-oss-* parameters of a V4 signed URL. Everything
// in the query except x-oss-signature is covered by the signature, so
// changing the expiry, the credential or the token breaks it.
func parseURLClaim(params []queryParam) (v4Claim, *ossError) {
	var c v4Claim
	get := func(name string) string { return paramValue(params, name) }
	for _, name := range []string{"x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-signature"} {
		if get(name) == "" {
			return c, invalidArgument("A V4 signed URL requires the %s parameter.", name)
		}
	}
	var err *ossError
	if c.accessKeyID, c.day, c.region, err = parseCredential(get("x-oss-credential")); err != nil {
		return c, err
	}
	c.signDate = get("x-oss-date")
	t, perr := time.Parse(timeFormatV4, c.signDate)
	if perr != nil {
		return c, invalidArgument("x-oss-date must have the form %s.", timeFormatV4)
	}
	c.signTime = t
	secs, perr := strconv.ParseInt(get("x-oss-expires"), 10, 64)
	if perr != nil || secs < 1 || time.Duration(secs)*time.Second > maxURLExpiry {
		return c, invalidArgument("x-oss-expires must be a number of seconds from 1 to %d.", int64(maxURLExpiry/time.Second))
	}
	c.expires = time.Duration(secs) * time.Second
	c.additional = additionalHeaderList(get("x-oss-additional-headers"))
	c.signature = get("x-oss-signature")
	c.token = get("x-oss-security-token")
	c.query = canonicalQuery(params, "x-oss-signature")
	return c, nil
}

// parseCredential splits "AK/yyyymmdd/region/oss/aliyun_v4_request".
func parseCredential(s string) (accessKeyID, day, region string, err *ossError) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 || parts[0] == "" || parts[2] == "" || parts[3] != productV4 || parts[4] != terminatorV4 {
		return "", "", "", invalidArgument("The credential must have the form <AccessKeyId>/<yyyymmdd>/<region>/%s/%s.", productV4, terminatorV4)
	}
	if _, perr := time.Parse(dayFormatV4, parts[1]); perr != nil {
		return parts[0], "", "", invalidArgument("The signing date in the credential must have the form yyyymmdd.")
	}
	return parts[0], parts[1], parts[2], nil
}

// verify checks, in order: the scope, the identity, its token, the
// signature, then the time. The signature is checked before the time so
// that a forged request learns nothing about expiry.
func (s *Server) verify(r *http.Request, rec *Request, c v4Claim) *ossError {
	if c.region != s.region {
		return invalidArgument("The signing region in credential is invalid.")
	}
	if c.day != c.signTime.UTC().Format(dayFormatV4) {
		return invalidArgument("The signing date in the credential does not match the request time.")
	}
	id, ok := s.keys.lookup(c.accessKeyID)
	if !ok {
		return errUnknownAK
	}
	now := s.now()
	if err := id.checkToken(c.token, now); err != nil {
		return err
	}
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = unsignedPayload // the SDK hashes this default when the header is absent
	}
	canonical := canonicalRequest(r.Method, canonicalURI(rec.Bucket, rec.Key), c.query,
		canonicalHeaders(r, c.additional), c.additional, payload)
	want := signV4(id.AccessKeySecret, c.day, c.region, stringToSign(c.signDate, c.day, c.region, canonical))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(c.signature))) {
		return errSignature
	}
	switch rec.Auth {
	case AuthHeaderV4:
		if d := now.Sub(c.signTime); d > maxSkew || d < -maxSkew {
			return errTimeSkewed
		}
	case AuthURLV4:
		if c.signTime.Sub(now) > maxSkew {
			return errTimeSkewed
		}
		if now.After(c.signTime.Add(c.expires)) {
			return errExpired
		}
	}
	return nil
}
