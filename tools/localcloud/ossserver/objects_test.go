package ossserver_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

func TestObjectRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		key  string
		who  identity
	}{
		{"plain key, permanent key", "cards/a.jpg", permanentIdentity},
		{"tricky key, STS token", trickyKey, stsIdentity},
		{"double slash and tilde", "a//b~c.png", stsIdentity},
		{"empty body key", "empty.bin", permanentIdentity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			b := bucket(t, f.internal, tc.who)
			body := []byte("image bytes for " + tc.key)
			if tc.key == "empty.bin" {
				body = nil
			}

			require.NoError(t, b.PutObject(tc.key, bytes.NewReader(body),
				oss.ContentType("image/jpeg"), oss.Meta("card-side", "BACK"), oss.Meta("Source-ETag", "ABC")))

			r, err := b.GetObject(tc.key)
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, r.Close())
			require.NoError(t, err)
			assert.Equal(t, string(body), string(got))

			head, err := b.GetObjectDetailedMeta(tc.key)
			require.NoError(t, err)
			assert.Equal(t, strconv.Itoa(len(body)), head.Get("Content-Length"))
			assert.Equal(t, "image/jpeg", head.Get("Content-Type"))
			assert.Equal(t, "BACK", head.Get("X-Oss-Meta-Card-Side"))
			assert.Equal(t, "ABC", head.Get("X-Oss-Meta-Source-Etag"))
			assert.Equal(t, md5ETag(body), head.Get("ETag"))
			lastModified, err := http.ParseTime(head.Get("Last-Modified"))
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now(), lastModified, time.Minute)

			stored, ok := f.srv.Object(bucketName, tc.key)
			require.True(t, ok, "the server stores the decoded key")
			assert.Equal(t, tc.key, stored.Key)
			assert.Equal(t, map[string]string{"card-side": "BACK", "source-etag": "ABC"}, stored.Meta)
			assert.Equal(t, head.Get("ETag"), stored.ETag)
			assert.Equal(t, lastModified, stored.LastModified)

			require.NoError(t, b.DeleteObject(tc.key))
			_, ok = f.srv.Object(bucketName, tc.key)
			assert.False(t, ok)
			_, err = b.GetObject(tc.key)
			requireServiceError(t, err, http.StatusNotFound, "NoSuchKey")

			var methods []string
			for _, req := range f.srv.Requests() {
				assert.Equal(t, tc.key, req.Key)
				assert.Equal(t, bucketName, req.Bucket)
				assert.Equal(t, ossserver.AuthHeaderV4, req.Auth)
				assert.Equal(t, tc.who.id, req.AccessKeyID)
				methods = append(methods, fmt.Sprintf("%s %d", req.Method, req.Status))
			}
			assert.Equal(t, []string{"PUT 200", "GET 200", "HEAD 200", "DELETE 204", "GET 404"}, methods)
		})
	}
}

func TestETagIsQuotedUpperHexMD5(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	body := []byte("hello, OSS")
	var header http.Header
	require.NoError(t, b.PutObject("etag.txt", bytes.NewReader(body), oss.GetResponseHeader(&header)))

	etag := header.Get("ETag")
	assert.Regexp(t, `^"[0-9A-F]{32}"$`, etag)
	assert.Equal(t, md5ETag(body), etag)
	assert.Equal(t, etag, f.srv.PutObject(bucketName, "seeded.txt", body, "", nil), "seeding yields the same ETag")
	assert.NotEmpty(t, header.Get("X-Oss-Hash-Crc64ecma"), "the SDK's CRC check has something to compare")
}

func TestSeededObjectThroughSDK(t *testing.T) {
	f := newFixture(t)
	etag := f.srv.PutObject(bucketName, trickyKey, []byte("seeded"), "image/png", map[string]string{
		"Card-Side":           "FRONT",
		"x-oss-meta-source":   "seed",
		"X-OSS-META-Uploader": "test",
	})
	b := bucket(t, f.internal, permanentIdentity)

	cases := []struct {
		name string
		get  func() (http.Header, error)
		want map[string]string
	}{
		{"HeadObject has every header", func() (http.Header, error) { return b.GetObjectDetailedMeta(trickyKey) }, map[string]string{
			"ETag": etag, "Content-Length": "6", "Content-Type": "image/png",
			"X-Oss-Meta-Card-Side": "FRONT", "X-Oss-Meta-Source": "seed", "X-Oss-Meta-Uploader": "test",
		}},
		{"GetObjectMeta has the basic headers", func() (http.Header, error) { return b.GetObjectMeta(trickyKey) }, map[string]string{
			"ETag": etag, "Content-Length": "6", "Content-Type": "", "X-Oss-Meta-Card-Side": "",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := tc.get()
			require.NoError(t, err)
			for name, want := range tc.want {
				assert.Equal(t, want, h.Get(name), name)
			}
			assert.NotEmpty(t, h.Get("Last-Modified"))
		})
	}

	exists, err := b.IsObjectExist(trickyKey)
	require.NoError(t, err)
	assert.True(t, exists)
	exists, err = b.IsObjectExist("absent.jpg")
	require.NoError(t, err)
	assert.False(t, exists)
	assert.Equal(t, []string{trickyKey}, f.srv.Keys(bucketName))
}

func TestSeededDeleteThroughSDK(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, trickyKey, []byte("seeded"), "image/png", nil)
	f.srv.PutObject(bucketName, "kept.jpg", []byte("kept"), "image/jpeg", nil)
	b := bucket(t, f.internal, permanentIdentity)

	f.srv.DeleteObject(bucketName, trickyKey)
	f.srv.DeleteObject(bucketName, "absent.jpg") // like OSS: deleting nothing is no error

	_, err := b.GetObjectDetailedMeta(trickyKey)
	requireServiceError(t, err, http.StatusNotFound, "NoSuchKey")
	_, ok := f.srv.Object(bucketName, trickyKey)
	assert.False(t, ok)
	assert.Equal(t, []string{"kept.jpg"}, f.srv.Keys(bucketName))
}

func TestGetObjectResponseOverride(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "image/jpeg", nil)
	b := bucket(t, f.internal, stsIdentity)
	var header http.Header
	r, err := b.GetObject("a.jpg", oss.ResponseContentType("application/octet-stream"), oss.GetResponseHeader(&header))
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Equal(t, "application/octet-stream", header.Get("Content-Type"))
}

func TestMissingBucketAndKey(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	client, err := oss.New(f.internal, stsID, stsSecret, oss.SecurityToken(stsToken), oss.AuthVersion(oss.AuthV4), oss.Region(region))
	require.NoError(t, err)
	missing, err := client.Bucket("no-such-bucket")
	require.NoError(t, err)

	cases := []struct {
		name       string
		call       func() error
		wantStatus int
		wantCode   string
	}{
		{"GET missing key", func() error { _, err := b.GetObject("absent.jpg"); return err }, http.StatusNotFound, "NoSuchKey"},
		{"HEAD missing key keeps the code via x-oss-err", func() error { _, err := b.GetObjectDetailedMeta("absent.jpg"); return err }, http.StatusNotFound, "NoSuchKey"},
		{"GET in missing bucket", func() error { _, err := missing.GetObject("a.jpg"); return err }, http.StatusNotFound, "NoSuchBucket"},
		{"PUT into missing bucket", func() error { return missing.PutObject("a.jpg", strings.NewReader("x")) }, http.StatusNotFound, "NoSuchBucket"},
		{"HEAD in missing bucket", func() error { _, err := missing.GetObjectDetailedMeta("a.jpg"); return err }, http.StatusNotFound, "NoSuchBucket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireServiceError(t, tc.call(), tc.wantStatus, tc.wantCode)
			got := lastRequest(t, f.srv)
			assert.Equal(t, tc.wantStatus, got.Status)
			assert.Equal(t, tc.wantCode, got.ErrorCode)
		})
	}

	t.Run("DELETE missing key succeeds as on OSS", func(t *testing.T) {
		require.NoError(t, b.DeleteObject("absent.jpg"))
		assert.Equal(t, http.StatusNoContent, lastRequest(t, f.srv).Status)
	})
}

func TestWrongContentMD5Refused(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	err := b.PutObject("d.jpg", strings.NewReader("x"), oss.ContentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="))
	requireServiceError(t, err, http.StatusBadRequest, "InvalidDigest")
	assert.Empty(t, f.srv.Keys(bucketName), "nothing was written")
}

func TestErrorResponseIsOSSXML(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)

	resp := httpGet(t, f.internal+"/"+bucketName+"/a.jpg")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "application/xml", resp.Header.Get("Content-Type"))
	requestID := resp.Header.Get("X-Oss-Request-Id")
	assert.Regexp(t, `^[0-9A-F]{24}$`, requestID)
	assert.True(t, strings.HasPrefix(string(body), `<?xml version="1.0" encoding="UTF-8"?>`), string(body))
	assert.Contains(t, string(body), "<Code>AccessDenied</Code>")
	assert.Contains(t, string(body), "<RequestId>"+requestID+"</RequestId>")
	assert.Contains(t, string(body), "<HostId>")
	assert.Equal(t, ossserver.AuthAnonymous, lastRequest(t, f.srv).Auth)
}

func TestConcurrentClientsOnBothListeners(t *testing.T) {
	f := newFixture(t)
	internal := bucket(t, f.internal, stsIdentity)
	public := bucket(t, f.public, permanentIdentity)

	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := internal
			if i%2 == 1 {
				b = public
			}
			key := fmt.Sprintf("concurrent/%d.jpg", i)
			body := strings.Repeat(key, 100)
			assert.NoError(t, b.PutObject(key, strings.NewReader(body)))
			r, err := b.GetObject(key)
			if assert.NoError(t, err) {
				got, err := io.ReadAll(r)
				assert.NoError(t, err)
				assert.NoError(t, r.Close())
				assert.Equal(t, body, string(got))
			}
		}()
	}
	wg.Wait()
	assert.Len(t, f.srv.Keys(bucketName), 16)
	assert.Len(t, f.srv.Requests(), 32)
}

func md5ETag(body []byte) string {
	sum := md5.Sum(body)
	return `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`
}
