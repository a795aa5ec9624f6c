package ossserver

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The SDK encodes keys and parameters with url.QueryEscape, then turns '+'
// into "%20" (and, in the canonical URI, "%2F" back into '/'). escape must
// produce exactly that, or every signature over such a key fails.
func TestEscapeMatchesTheSDKEncoding(t *testing.T) {
	cases := []struct {
		name string
		in   string
	}{
		{"unreserved only", "AZaz09-_.~"},
		{"space and plus", "a b+c"},
		{"percent and hash", "100%#1"},
		{"slashes", "a/b//c/"},
		{"Chinese", "行驶证/车辆.jpg"},
		{"reserved characters", "!*'();:@&=$,?[]"},
		{"control and high bytes", "\x00\x7f\xff"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sdkQuery := strings.ReplaceAll(url.QueryEscape(tc.in), "+", "%20")
			assert.Equal(t, sdkQuery, escape(tc.in, false))
			assert.Equal(t, strings.ReplaceAll(sdkQuery, "%2F", "/"), escape(tc.in, true))
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		name   string
		params []queryParam
		skip   string
		want   string
	}{
		{"empty", nil, "", ""},
		{"sorted by encoded name", []queryParam{{"b", "2"}, {"a", "1"}}, "", "a=1&b=2"},
		{"empty value is the bare name", []queryParam{{"objectMeta", ""}}, "", "objectMeta"},
		{"values are encoded", []queryParam{{"response-content-type", "image/jpeg; q=1"}}, "", "response-content-type=image%2Fjpeg%3B%20q%3D1"},
		{"signature left out", []queryParam{{"x-oss-signature", "abc"}, {"x-oss-date", "20260101T000000Z"}}, "x-oss-signature", "x-oss-date=20260101T000000Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, canonicalQuery(tc.params, tc.skip))
		})
	}
}

func TestSplitPath(t *testing.T) {
	cases := []struct {
		name, path, bucket, key string
	}{
		{"service", "/", "", ""},
		{"bucket without slash", "/b", "b", ""},
		{"bucket with slash", "/b/", "b", ""},
		{"key", "/b/k.jpg", "b", "k.jpg"},
		{"nested key keeps every slash", "/b/a//c/", "b", "a//c/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bucket, key := splitPath(tc.path)
			assert.Equal(t, tc.bucket, bucket)
			assert.Equal(t, tc.key, key)
		})
	}
}
