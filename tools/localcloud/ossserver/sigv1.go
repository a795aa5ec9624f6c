package ossserver

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Signature V1, OSS's original scheme and still the default of ossutil,
// ali-oss and the Go SDK v1 (OSS API reference: "Include signatures in the
// Authorization header" and "Include signatures in URLs"):
//
//	Signature = base64(HMAC-SHA1(AccessKeySecret,
//	    VERB + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Date + "\n" +
//	    CanonicalizedOSSHeaders + CanonicalizedResource))
//
// sent as "Authorization: OSS <AccessKeyId>:<Signature>", or in a URL as
// OSSAccessKeyId, Expires (which takes Date's place) and Signature, with
// security-token for STS credentials.

// v1Subresources are the query parameters that CanonicalizedResource
// carries. Clients keep their own lists, and the server cannot know which
// one signed a request, so this is their union: the Go SDK v1's, the Go SDK
// v2's (its common list plus every operation's own), and ali-oss's. The
// Go SDK v2 also signs every x-oss-* query parameter, which
// canonicalResourceV1 adds. Parameters such as prefix, marker, max-keys or
// list-type are not signed by any of them, so a change to them is not
// detected, as on OSS.
var v1Subresources = setOf(
	"acl", "uploads", "location", "cors", "logging", "website", "referer",
	"lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId",
	"partNumber", "security-token", "position", "img", "style", "styleName",
	"replication", "replicationProgress", "replicationLocation", "cname",
	"bucketInfo", "comp", "qos", "live", "status", "vod", "startTime",
	"endTime", "symlink", "x-oss-process", "response-content-type",
	"x-oss-traffic-limit", "response-content-language", "response-expires",
	"response-cache-control", "response-content-disposition",
	"response-content-encoding", "udf", "udfName", "udfImage", "udfId",
	"udfImageDesc", "udfApplication", "udfApplicationLog", "restore",
	"callback", "callback-var", "qosInfo", "policy", "stat", "encryption",
	"versions", "versioning", "versionId", "requestPayment",
	"x-oss-request-payer", "sequential", "inventory", "inventoryId",
	"continuation-token", "asyncFetch", "worm", "wormId", "wormExtend",
	"withHashContext", "x-oss-enable-md5", "x-oss-enable-sha1",
	"x-oss-enable-sha256", "x-oss-hash-ctx", "x-oss-md5-ctx",
	"transferAcceleration", "regionList", "cloudboxes", "x-oss-ac-source-ip",
	"x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow",
	"metaQuery", "resourceGroup", "rtc", "x-oss-async-process",
	"responseHeader", "publicAccessBlock", "policyStatus",
	"redundancyTransition", "accessPoint", "accessPointPolicy",
	"accessPointForObjectProcess", "accessPointPolicyForObjectProcess",
	"accessPointConfigForObjectProcess", "userDefinedLogFieldsConfig",
	"overwriteConfig", "objectWorm", "retention", "legalHold", "httpsConfig",
	"bucketArchiveDirectRead", "seal", "quota", "metadataConfiguration",
	"cleanRestoredObject", "regions", "x-oss-write-get-object-response",
	"accessMonitor", "agenticBucket", "metadataInventoryTable",
	"metadataJournalTable",
)

// canonicalResourceV1 is "/", "/<bucket>/" or "/<bucket>/<key>", the key
// as stored (not encoded), then "?" and the signed sub-resources sorted by
// name, "name=value" or the bare name when the value is empty; values are
// the decoded ones.
func canonicalResourceV1(bucket, key string, params []queryParam) string {
	resource := "/"
	if bucket != "" {
		resource += bucket + "/" + key
	}
	var signed []queryParam
	for _, p := range params {
		if v1Subresources[p.name] ||
			strings.HasPrefix(p.name, "x-oss-") && !signatureParams[p.name] {
			signed = append(signed, p)
		}
	}
	if len(signed) == 0 {
		return resource
	}
	sort.SliceStable(signed, func(i, j int) bool { return signed[i].name < signed[j].name })
	parts := make([]string, len(signed))
	for i, p := range signed {
		parts[i] = p.name
		if p.value != "" {
			parts[i] += "=" + p.value
		}
	}
	return resource + "?" + strings.Join(parts, "&")
}

// canonicalHeadersV1 is "name:value\n" for every x-oss-* header, names
// lower-cased and sorted, first value of a repeated header.
func canonicalHeadersV1(r *http.Request) string {
	values := make(map[string]string)
	for name, v := range r.Header {
		if name = strings.ToLower(name); strings.HasPrefix(name, "x-oss-") {
			values[name] = strings.TrimSpace(v[0])
		}
	}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + ":" + values[n] + "\n")
	}
	return b.String()
}

// stringToSignV1 is what a V1 signature covers; date is the Date header,
// or the Expires parameter of a signed URL.
func stringToSignV1(r *http.Request, date, resource string) string {
	return r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" +
		date + "\n" + canonicalHeadersV1(r) + resource
}

// signV1 is base64(HMAC-SHA1(secret, sts)).
func signV1(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// v1Claim is what a V1 signature asserts.
type v1Claim struct {
	accessKeyID string
	signature   string
	token       string
	// dates are the candidate values of the string to sign's Date line,
	// in the order tried (see parseHeaderClaimV1).
	dates   []string
	expires int64 // a signed URL's Expires, Unix seconds
}

// parseHeaderClaimV1 reads "Authorization: OSS <AccessKeyId>:<Signature>".
// The Date line is the Date header, which the Go SDKs send; ali-oss sends
// no Date but x-oss-date (in the same HTTP-date format) and signs that, so
// x-oss-date is tried too. Either way the value is also checked against
// the clock, and x-oss-date is itself covered as an x-oss-* header.
func parseHeaderClaimV1(r *http.Request) (v1Claim, *ossError) {
	var c v1Claim
	credential := strings.TrimPrefix(r.Header.Get("Authorization"), "OSS ")
	id, signature, ok := strings.Cut(credential, ":")
	if !ok || id == "" || signature == "" {
		return c, invalidArgument("Authorization header is invalid.")
	}
	c.accessKeyID, c.signature = strings.TrimSpace(id), strings.TrimSpace(signature)
	for _, d := range []string{r.Header.Get("Date"), r.Header.Get("x-oss-date")} {
		if d != "" && (len(c.dates) == 0 || c.dates[0] != d) {
			c.dates = append(c.dates, d)
		}
	}
	if len(c.dates) == 0 {
		return c, errNoDate
	}
	c.token = r.Header.Get("x-oss-security-token")
	return c, nil
}

// parseURLClaimV1 reads OSSAccessKeyId, Expires, Signature and
// security-token from a signed URL.
func parseURLClaimV1(params []queryParam) (v1Claim, *ossError) {
	var c v1Claim
	get := func(name string) string { return paramValue(params, name) }
	for _, name := range []string{"OSSAccessKeyId", "Expires", "Signature"} {
		if get(name) == "" {
			return c, invalidArgument("A V1 signed URL requires the %s parameter.", name)
		}
	}
	c.accessKeyID, c.signature, c.token = get("OSSAccessKeyId"), get("Signature"), get("security-token")
	expires, err := strconv.ParseInt(get("Expires"), 10, 64)
	if err != nil {
		return c, invalidArgument("Expires must be a time in seconds since the Unix epoch.")
	}
	c.expires, c.dates = expires, []string{get("Expires")}
	return c, nil
}

// verifyV1 checks, in the order verify does for V4: the identity, its
// token, the signature, then the time (15 minutes of skew for a header,
// the Expires instant for a URL).
func (s *Server) verifyV1(r *http.Request, rec *Request, params []queryParam, c v1Claim) *ossError {
	id, ok := s.keys.lookup(c.accessKeyID)
	if !ok {
		return errUnknownAK
	}
	now := s.now()
	if err := id.checkToken(c.token, now); err != nil {
		return err
	}
	resource := canonicalResourceV1(rec.Bucket, rec.Key, params)
	signed := ""
	for _, d := range c.dates {
		if hmac.Equal([]byte(signV1(id.AccessKeySecret, stringToSignV1(r, d, resource))), []byte(c.signature)) {
			signed = d
			break
		}
	}
	if signed == "" {
		return errSignature
	}
	if rec.Auth == AuthURLV1 {
		if now.Unix() > c.expires {
			return errExpired
		}
		return nil
	}
	t, err := http.ParseTime(signed)
	if err != nil {
		return errNoDate
	}
	if d := now.Sub(t); d > maxSkew || d < -maxSkew {
		return errTimeSkewed
	}
	return nil
}

// authenticateV1 verifies a V1 signature and returns the AccessKeyId it
// claimed.
func (s *Server) authenticateV1(r *http.Request, rec *Request, params []queryParam) (string, *ossError) {
	var c v1Claim
	var err *ossError
	if rec.Auth == AuthHeaderV1 {
		c, err = parseHeaderClaimV1(r)
	} else {
		c, err = parseURLClaimV1(params)
	}
	if err != nil {
		return c.accessKeyID, err
	}
	return c.accessKeyID, s.verifyV1(r, rec, params, c)
}
