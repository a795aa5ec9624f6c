package ossserver_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	oss2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialing returns an HTTP client that connects every request to the
// server, whatever the host, as DNS pointing OSS's names at it would.
func dialing(t *testing.T, endpoint string) *http.Client {
	t.Helper()
	addr := strings.TrimPrefix(endpoint, "http://")
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
}

// With an OSS hostname as endpoint the SDKs address buckets by Host
// (images.oss-cn-hangzhou.aliyuncs.com), as ali-oss does even for an IP.
func TestVirtualHostedAddressing(t *testing.T) {
	const ossEndpoint = "http://oss-cn-hangzhou.aliyuncs.com"
	f := newFixture(t)
	hc := dialing(t, f.internal)

	t.Run("Go SDK v1, signature V1", func(t *testing.T) {
		client, err := oss.New(ossEndpoint, permanentID, permanentSecret, oss.HTTPClient(hc))
		require.NoError(t, err)
		b, err := client.Bucket(bucketName)
		require.NoError(t, err)
		require.NoError(t, b.PutObject(trickyKey, strings.NewReader("v1")))
		got := lastRequest(t, f.srv)
		assert.True(t, got.VirtualHosted)
		assert.Equal(t, bucketName, got.Bucket)
		assert.Equal(t, trickyKey, got.Key)
		requireStored(t, f, trickyKey, []byte("v1"))

		res, err := b.ListObjects(oss.Prefix("行驶证/"))
		require.NoError(t, err)
		require.Len(t, res.Objects, 1)
		assert.Equal(t, trickyKey, res.Objects[0].Key)

		missing, err := client.Bucket("missing")
		require.NoError(t, err)
		_, err = missing.GetObject("a.jpg")
		requireServiceError(t, err, http.StatusNotFound, "NoSuchBucket")
		assert.Equal(t, "missing", lastRequest(t, f.srv).Bucket)
	})
	t.Run("Go SDK v2, signature V4", func(t *testing.T) {
		c := oss2.NewClient(oss2.LoadDefaultConfig().
			WithCredentialsProvider(credentials.NewStaticCredentialsProvider(stsID, stsSecret, stsToken)).
			WithRegion(region).WithEndpoint(ossEndpoint).WithHttpClient(hc).WithRetryMaxAttempts(1))
		res, err := c.GetObject(context.Background(), &oss2.GetObjectRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(trickyKey),
			Range: oss2.Ptr("bytes=1-1")})
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		assert.Equal(t, "1", string(body))
		assert.Equal(t, http.StatusPartialContent, res.StatusCode)
		assert.True(t, lastRequest(t, f.srv).VirtualHosted)

		_, err = c.ListBuckets(context.Background(), &oss2.ListBucketsRequest{})
		require.NoError(t, err, "the endpoint's own host is the service")
		assert.False(t, lastRequest(t, f.srv).VirtualHosted)
	})
}

// An IP endpoint, or localhost, is always path style.
func TestPathStyleAddressing(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	localhost := strings.Replace(f.internal, "127.0.0.1", "localhost", 1)
	for _, endpoint := range []string{f.internal, localhost} {
		t.Run(endpoint, func(t *testing.T) {
			client, err := oss.New(endpoint, permanentID, permanentSecret, oss.ForcePathStyle(true))
			require.NoError(t, err)
			b, err := client.Bucket(bucketName)
			require.NoError(t, err)
			_, err = b.GetObjectMeta("a.jpg")
			require.NoError(t, err)
			got := lastRequest(t, f.srv)
			assert.False(t, got.VirtualHosted)
			assert.Equal(t, "a.jpg", got.Key)
		})
	}
}
