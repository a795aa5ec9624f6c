package ossserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCanonicalResourceV1(t *testing.T) {
	cases := []struct {
		name        string
		bucket, key string
		params      []queryParam
		want        string
	}{
		{"service", "", "", nil, "/"},
		{"bucket", "images", "", nil, "/images/"},
		{"key as stored, not encoded", "images", "行驶证/a b+c.jpg", nil, "/images/行驶证/a b+c.jpg"},
		{"listing parameters are not signed", "images", "",
			[]queryParam{{"prefix", "a/"}, {"marker", "m"}, {"max-keys", "10"}, {"delimiter", "/"}, {"encoding-type", "url"}}, "/images/"},
		{"sub-resource without a value is bare", "images", "k", []queryParam{{"acl", ""}}, "/images/k?acl"},
		{"sub-resources sorted, values decoded", "images", "k",
			[]queryParam{{"uploadId", "ID"}, {"partNumber", "2"}, {"response-content-type", "image/jpeg"}},
			"/images/k?partNumber=2&response-content-type=image/jpeg&uploadId=ID"},
		{"URL signature parameters left out, security-token kept", "images", "k",
			[]queryParam{{"OSSAccessKeyId", "AK"}, {"Expires", "1"}, {"Signature", "S"}, {"security-token", "T"}},
			"/images/k?security-token=T"},
		{"any x-oss-* query parameter is signed", "images", "k", []queryParam{{"x-oss-process", "image/resize,w_10"}, {"x-oss-foo", "1"}},
			"/images/k?x-oss-foo=1&x-oss-process=image/resize,w_10"},
		{"continuation-token is signed, list-type is not", "images", "",
			[]queryParam{{"list-type", "2"}, {"continuation-token", "CgJiYw--"}}, "/images/?continuation-token=CgJiYw--"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, canonicalResourceV1(tc.bucket, tc.key, tc.params))
		})
	}
}
