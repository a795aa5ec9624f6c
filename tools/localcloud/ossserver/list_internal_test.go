package ossserver

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestContinuationTokens(t *testing.T) {
	assert.Equal(t, "CgJiYw--", encodeToken("bc"), "the shape of OSS's own tokens")
	for _, after := range []string{"a", "行驶证/车 1+2%3#4.jpg", strings.Repeat("k", 1023), "a/"} {
		got, ok := decodeToken(encodeToken(after))
		assert.True(t, ok, after)
		assert.Equal(t, after, got)
	}
	for _, forged := range []string{"", "not-a-token", "CgJiYw==", "CgNiYw--", "EgJiYw--", "%%%"} {
		_, ok := decodeToken(forged)
		assert.False(t, ok, forged)
	}
}

func TestWriteXMLTextParsesBack(t *testing.T) {
	cases := []struct{ in, want string }{
		{`"7D73E105"`, `"7D73E105"`},
		{"a&b<c>d", "a&b<c>d"},
		{"tab\tnew\nline\rcr", "tab\tnew\nline\rcr"},
		{"行驶证/车 1+2%3#4.jpg", "行驶证/车 1+2%3#4.jpg"},
		{"ctrl\x01\x7f", "ctrl\uFFFD\x7f"},
		{"bad utf-8 \xff", "bad utf-8 \uFFFD"},
	}
	for _, tc := range cases {
		var b strings.Builder
		writeXMLText(&b, tc.in)
		var got struct {
			Text string `xml:",chardata"`
		}
		assert.NoError(t, xml.Unmarshal([]byte("<x>"+b.String()+"</x>"), &got), tc.in)
		assert.Equal(t, tc.want, got.Text)
	}
}
