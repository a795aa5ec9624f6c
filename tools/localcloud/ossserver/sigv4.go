package ossserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
)

// This file rebuilds what an OSS4-HMAC-SHA256 signature covers, from what
// arrived on the wire, in the form the SDK (and OSS) hash it.

const (
	algorithmV4     = "OSS4-HMAC-SHA256"
	productV4       = "oss"
	terminatorV4    = "aliyun_v4_request"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	timeFormatV4    = "20060102T150405Z"
	dayFormatV4     = "20060102"
)

// escape percent-encodes every byte outside RFC 3986's unreserved set
// (A-Z a-z 0-9 - _ . ~) with upper-case hex: url.QueryEscape followed by
// "+" → "%20", which is how the SDK encodes keys and query parameters.
// keepSlash leaves '/' alone, as the canonical URI does.
func escape(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/' && keepSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xF])
		}
	}
	return b.String()
}

// canonicalURI is "/", "/bucket/" or "/bucket/<escaped key>".
func canonicalURI(bucket, key string) string {
	if bucket == "" {
		return "/"
	}
	return "/" + bucket + "/" + escape(key, true)
}

// queryParam is one decoded query parameter, in arrival order.
type queryParam struct {
	name, value string
}

// canonicalQuery encodes the parameters, sorts them by encoded name and
// joins them with '&'; an empty value is written as the bare name. Names in
// skip (the signature itself) are left out.
func canonicalQuery(params []queryParam, skip string) string {
	type pair struct{ name, value string }
	pairs := make([]pair, 0, len(params))
	for _, p := range params {
		if p.name == skip {
			continue
		}
		pairs = append(pairs, pair{escape(p.name, false), escape(p.value, false)})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].name < pairs[j].name })
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.name
		if p.value != "" {
			parts[i] += "=" + p.value
		}
	}
	return strings.Join(parts, "&")
}

// additionalHeaderList parses "a;b" into lower-case names. content-md5 and
// content-type are dropped: they are always signed when present, and the SDK
// never repeats them in the list it hashes.
func additionalHeaderList(s string) []string {
	var names []string
	for _, n := range strings.Split(s, ";") {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && n != "content-md5" && n != "content-type" {
			names = append(names, n)
		}
	}
	return names
}

// canonicalHeaders lists, sorted by name, "name:value\n" for Content-MD5,
// Content-Type, every x-oss-* header and every additional header present.
// Like the SDK, it uses the first value of a repeated header, trimmed.
func canonicalHeaders(r *http.Request, additional []string) string {
	values := make(map[string]string)
	for name, v := range r.Header {
		name = strings.ToLower(name)
		if name == "content-md5" || name == "content-type" || strings.HasPrefix(name, "x-oss-") {
			values[name] = strings.Trim(v[0], " ")
		}
	}
	for _, name := range additional {
		if name == "host" { // net/http moves Host out of the header map
			values[name] = strings.Trim(r.Host, " ")
		} else if v := r.Header.Values(name); len(v) > 0 {
			values[name] = strings.Trim(v[0], " ")
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

// canonicalRequest is the text whose SHA-256 the string to sign carries.
func canonicalRequest(method, uri, query, headers string, additional []string, payloadHash string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" +
		strings.Join(additional, ";") + "\n" + payloadHash
}

// scope is "<day>/<region>/oss/aliyun_v4_request".
func scope(day, region string) string {
	return day + "/" + region + "/" + productV4 + "/" + terminatorV4
}

// stringToSign binds the canonical request to the signing time and scope.
func stringToSign(signDate, day, region, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return algorithmV4 + "\n" + signDate + "\n" + scope(day, region) + "\n" + hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signV4 derives the signing key from the secret through the scope
// (day, region, product, terminator) and signs sts with it, hex-encoded.
func signV4(secret, day, region, sts string) string {
	key := hmacSHA256([]byte("aliyun_v4"+secret), day)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, productV4)
	key = hmacSHA256(key, terminatorV4)
	return hex.EncodeToString(hmacSHA256(key, sts))
}
