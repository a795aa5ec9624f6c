package ossserver_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The wire format of ranged answers; which ranges get what is in
// TestSDKRangedGet.
func TestRangedGetOnTheWire(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.bin", []byte("0123456789abcdefghij"), "application/octet-stream", nil)
	b := bucketV1(t, f.internal, stsIdentity)
	// Signed URLs let net/http send the request and show every header.
	// Range is not covered by a V1 URL signature, x-oss-* headers are.
	get := func(t *testing.T, method string, headers map[string]string, opts ...oss.Option) (*http.Response, string) {
		t.Helper()
		signed, err := b.SignURL("a.bin", oss.HTTPMethod(method), 60, opts...)
		require.NoError(t, err)
		req, err := http.NewRequest(method, signed, nil)
		require.NoError(t, err)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(body)
	}

	t.Run("206", func(t *testing.T) {
		resp, body := get(t, http.MethodGet, map[string]string{"Range": "bytes=10-12"})
		assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
		assert.Equal(t, "abc", body)
		assert.Equal(t, "3", resp.Header.Get("Content-Length"))
		assert.Equal(t, "bytes 10-12/20", resp.Header.Get("Content-Range"))
		assert.Equal(t, "bytes", resp.Header.Get("Accept-Ranges"))
		assert.NotEmpty(t, resp.Header.Get("X-Oss-Hash-Crc64ecma"), "the whole object's, as on OSS")
		got := lastRequest(t, f.srv)
		assert.Equal(t, http.StatusPartialContent, got.Status)
		assert.Equal(t, "GetObject", got.Operation)
	})
	t.Run("416 with OSS's error", func(t *testing.T) {
		resp, body := get(t, http.MethodGet, map[string]string{"Range": "bytes=20-", "x-oss-range-behavior": "standard"},
			oss.RangeBehavior("standard"))
		assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)
		assert.Contains(t, body, "<Code>InvalidRange</Code>")
		assert.Contains(t, body, "<Message>The requested range cannot be satisfied.</Message>")
		assert.Equal(t, "bytes */20", resp.Header.Get("Content-Range"))
		assert.Equal(t, "InvalidRange", lastRequest(t, f.srv).ErrorCode)
	})
	t.Run("HEAD describes the whole object", func(t *testing.T) {
		resp, _ := get(t, http.MethodHead, map[string]string{"Range": "bytes=10-12"})
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "20", resp.Header.Get("Content-Length"))
		assert.Empty(t, resp.Header.Get("Content-Range"))
	})
}
