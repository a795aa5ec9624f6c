package ossserver_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// putVersion uploads body with the SDK and returns the x-oss-version-id
// the response carried.
func putVersion(t *testing.T, b *oss.Bucket, key, body string) string {
	t.Helper()
	var h http.Header
	require.NoError(t, b.PutObject(key, strings.NewReader(body), oss.ContentType("image/jpeg"), oss.GetResponseHeader(&h)))
	return oss.GetVersionId(h)
}

func getBody(t *testing.T, b *oss.Bucket, key string, options ...oss.Option) (string, http.Header) {
	t.Helper()
	var h http.Header
	rc, err := b.GetObject(key, append(options, oss.GetResponseHeader(&h))...)
	require.NoError(t, err)
	defer rc.Close()
	body, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(body), h
}

func TestVersionedPutGetHead(t *testing.T) {
	f := newFixture(t)
	f.srv.EnableVersioning(bucketName)
	b := bucket(t, f.internal, stsIdentity)

	v1 := putVersion(t, b, trickyKey, "first")
	v2 := putVersion(t, b, trickyKey, "second")
	require.NotEmpty(t, v1)
	require.NotEmpty(t, v2)
	assert.NotEqual(t, v1, v2)
	assert.True(t, strings.HasPrefix(v1, "CAEQ"), v1)
	assert.Equal(t, v2, lastRequest(t, f.srv).VersionID, "the log names the version a PUT created")

	// HEAD without versionId: the latest.
	h, err := b.GetObjectDetailedMeta(trickyKey)
	require.NoError(t, err)
	assert.Equal(t, v2, oss.GetVersionId(h))
	assert.Equal(t, "6", h.Get("Content-Length"))
	meta, err := b.GetObjectMeta(trickyKey)
	require.NoError(t, err)
	assert.Equal(t, v2, oss.GetVersionId(meta))

	// HEAD and GET by versionId (header-signed, versionId in the signed query).
	for _, tc := range []struct{ id, body string }{{v1, "first"}, {v2, "second"}} {
		h, err := b.GetObjectDetailedMeta(trickyKey, oss.VersionId(tc.id))
		require.NoError(t, err)
		assert.Equal(t, tc.id, oss.GetVersionId(h))
		assert.Equal(t, ossETag(tc.body), h.Get("ETag"))
		got := lastRequest(t, f.srv)
		assert.Equal(t, tc.id, got.VersionID)
		assert.Contains(t, got.Query, "versionId")

		body, h := getBody(t, b, trickyKey, oss.VersionId(tc.id))
		assert.Equal(t, tc.body, body)
		assert.Equal(t, tc.id, oss.GetVersionId(h))
		assert.Equal(t, "image/jpeg", h.Get("Content-Type"))
	}
	body, h := getBody(t, b, trickyKey)
	assert.Equal(t, "second", body)
	assert.Equal(t, v2, oss.GetVersionId(h))

	// The Go API sees the same.
	latest, ok := f.srv.Object(bucketName, trickyKey)
	require.True(t, ok)
	assert.Equal(t, v2, latest.VersionID)
	old, ok := f.srv.ObjectVersion(bucketName, trickyKey, v1)
	require.True(t, ok)
	assert.Equal(t, "first", string(old.Body))
	assert.Equal(t, v1, old.VersionID)
	_, ok = f.srv.ObjectVersion(bucketName, trickyKey, "CAEQnope")
	assert.False(t, ok)
	assert.Equal(t, []string{trickyKey}, f.srv.Keys(bucketName), "versions are not extra keys")
}

// ossETag is the quoted upper-case hex MD5 OSS answers for body.
func ossETag(body string) string {
	srv := ossserver.New(ossserver.Config{})
	srv.CreateBucket("tmp")
	return srv.PutObject("tmp", "k", []byte(body), "", nil)
}

func TestVersionedNoSuchVersion(t *testing.T) {
	f := newFixture(t)
	f.srv.EnableVersioning(bucketName)
	b := bucket(t, f.internal, stsIdentity)
	putVersion(t, b, "a.jpg", "x")
	unknown := "CAEQARiBgICAgICAgBgiIDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"

	_, err := b.GetObjectDetailedMeta("a.jpg", oss.VersionId(unknown))
	requireServiceError(t, err, http.StatusNotFound, "NoSuchVersion")
	got := lastRequest(t, f.srv)
	assert.Equal(t, "NoSuchVersion", got.ErrorCode)
	assert.Equal(t, unknown, got.VersionID)

	_, err = b.GetObject("a.jpg", oss.VersionId(unknown))
	requireServiceError(t, err, http.StatusNotFound, "NoSuchVersion")
	_, err = b.GetObject("missing.jpg", oss.VersionId(unknown))
	requireServiceError(t, err, http.StatusNotFound, "NoSuchVersion")
	_, err = b.GetObject("a.jpg", oss.VersionId("null"))
	requireServiceError(t, err, http.StatusNotFound, "NoSuchVersion")
}

func TestVersioningEnabledAfterObjectsKeepsNullVersion(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "old.jpg", []byte("before"), "image/jpeg", nil)
	f.srv.EnableVersioning(bucketName)
	f.srv.EnableVersioning(bucketName) // idempotent
	b := bucket(t, f.internal, permanentIdentity)

	h, err := b.GetObjectDetailedMeta("old.jpg")
	require.NoError(t, err)
	assert.Equal(t, "null", oss.GetVersionId(h))

	f.srv.PutObject(bucketName, "old.jpg", []byte("after"), "image/jpeg", nil)
	seeded, ok := f.srv.Object(bucketName, "old.jpg")
	require.True(t, ok)
	assert.NotEqual(t, "null", seeded.VersionID)
	assert.NotEmpty(t, seeded.VersionID)

	body, h := getBody(t, b, "old.jpg", oss.VersionId("null"))
	assert.Equal(t, "before", body)
	assert.Equal(t, "null", oss.GetVersionId(h))
	body, h = getBody(t, b, "old.jpg")
	assert.Equal(t, "after", body)
	assert.Equal(t, seeded.VersionID, oss.GetVersionId(h))
}

func TestVersionedSignedURL(t *testing.T) {
	for _, who := range []identity{permanentIdentity, stsIdentity} {
		t.Run(who.id, func(t *testing.T) {
			f := newFixture(t)
			f.srv.EnableVersioning(bucketName)
			b := bucket(t, f.internal, who)
			v1 := putVersion(t, b, trickyKey, "first")
			signed, err := bucket(t, f.public, who).SignURL(trickyKey, oss.HTTPGet, 300, oss.VersionId(v1))
			require.NoError(t, err)
			assert.Equal(t, v1, mustParseURL(t, signed).Query().Get("versionId"))
			v2 := putVersion(t, b, trickyKey, "second") // a newer version after signing

			resp := httpGet(t, signed)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Equal(t, "first", string(body))
			assert.Equal(t, v1, resp.Header.Get("x-oss-version-id"))
			got := lastRequest(t, f.srv)
			assert.Equal(t, "public", got.Listener)
			assert.Equal(t, ossserver.AuthURLV4, got.Auth)
			assert.Equal(t, v1, got.VersionID)

			// The SDK fetches the same URL too.
			rc, err := b.GetObjectWithURL(signed)
			require.NoError(t, err)
			sdkBody, err := io.ReadAll(rc)
			require.NoError(t, err)
			require.NoError(t, rc.Close())
			assert.Equal(t, "first", string(sdkBody))

			// Tampering with versionId (pointing at the newer version, or
			// removing it) breaks the signature.
			for name, change := range map[string]func(string) string{
				"other version": func(u string) string { return setQuery(t, u, "versionId", v2) },
				"no version":    func(u string) string { return setQuery(t, u, "versionId", "") },
			} {
				resp := httpGet(t, change(signed))
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
				assert.Contains(t, string(body), "<Code>SignatureDoesNotMatch</Code>", name)
				assert.Empty(t, resp.Header.Get("x-oss-version-id"), name)
			}
		})
	}
}

// setQuery sets (or, for "", removes) one query parameter of a URL.
func setQuery(t *testing.T, raw, name, value string) string {
	t.Helper()
	u := mustParseURL(t, raw)
	q := u.Query()
	if value == "" {
		q.Del(name)
	} else {
		q.Set(name, value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestUnversionedBucketHasNoVersionID(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	assert.Empty(t, putVersion(t, b, "a.jpg", "x"))
	assert.Empty(t, lastRequest(t, f.srv).VersionID)
	h, err := b.GetObjectDetailedMeta("a.jpg")
	require.NoError(t, err)
	assert.NotContains(t, h, "X-Oss-Version-Id")
	_, h = getBody(t, b, "a.jpg")
	assert.NotContains(t, h, "X-Oss-Version-Id")
	obj, ok := f.srv.Object(bucketName, "a.jpg")
	require.True(t, ok)
	assert.Empty(t, obj.VersionID)

	// The only version of an object in a bucket never versioned is "null".
	body, h := getBody(t, b, "a.jpg", oss.VersionId("null"))
	assert.Equal(t, "x", body)
	assert.NotContains(t, h, "X-Oss-Version-Id")
	_, ok = f.srv.ObjectVersion(bucketName, "a.jpg", "null")
	assert.True(t, ok)
	_, err = b.GetObjectDetailedMeta("a.jpg", oss.VersionId("CAEQnope"))
	requireServiceError(t, err, http.StatusNotFound, "NoSuchVersion")
}

func TestVersionedDeleteHidesLatestKeepsVersions(t *testing.T) {
	f := newFixture(t)
	f.srv.EnableVersioning(bucketName)
	b := bucket(t, f.internal, stsIdentity)
	v1 := putVersion(t, b, "a.jpg", "first")
	v2 := putVersion(t, b, "a.jpg", "second")

	require.NoError(t, b.DeleteObject("a.jpg"))
	_, err := b.GetObjectDetailedMeta("a.jpg")
	requireServiceError(t, err, http.StatusNotFound, "NoSuchKey")
	assert.Empty(t, f.srv.Keys(bucketName))
	for id, want := range map[string]string{v1: "first", v2: "second"} {
		body, _ := getBody(t, b, "a.jpg", oss.VersionId(id))
		assert.Equal(t, want, body)
	}

	// Deleting one version is not implemented: refused, not half-done.
	err = b.DeleteObject("a.jpg", oss.VersionId(v1))
	requireServiceError(t, err, http.StatusNotImplemented, "NotImplemented")
}

func TestVersionedMultipartAndNotifications(t *testing.T) {
	f := newFixture(t)
	f.srv.EnableVersioning(bucketName)
	rec := &recorder{}
	f.srv.OnObjectCreated(rec.record)
	b := bucket(t, f.internal, stsIdentity)

	put := putVersion(t, b, "multi.jpg", "small")
	imur, err := b.InitiateMultipartUpload("multi.jpg")
	require.NoError(t, err)
	p1, err := b.UploadPart(imur, bytes.NewReader(filled("a", minPart)), minPart, 1)
	require.NoError(t, err)
	p2, err := b.UploadPart(imur, strings.NewReader("end"), 3, 2)
	require.NoError(t, err)
	var h http.Header
	_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p1, p2}, oss.GetResponseHeader(&h))
	require.NoError(t, err)
	completed := oss.GetVersionId(h)
	require.NotEmpty(t, completed)
	assert.NotEqual(t, put, completed)
	notified := f.srv.PutObjectNotify(bucketName, "multi.jpg", []byte("demo"), "", nil)
	latest, ok := f.srv.Object(bucketName, "multi.jpg")
	require.True(t, ok)
	assert.Equal(t, notified, latest.ETag)

	mh, err := b.GetObjectDetailedMeta("multi.jpg", oss.VersionId(completed))
	require.NoError(t, err)
	assert.Equal(t, "Multipart", mh.Get("x-oss-object-type"))

	require.NoError(t, f.srv.Close())
	events := rec.all()
	require.Len(t, events, 3)
	assert.Equal(t, ossserver.EventPutObject, events[0].EventName)
	assert.Equal(t, put, events[0].VersionID)
	assert.Equal(t, ossserver.EventCompleteMultipartUpload, events[1].EventName)
	assert.Equal(t, completed, events[1].VersionID)
	assert.Equal(t, latest.VersionID, events[2].VersionID)
	for _, ev := range events {
		assert.Equal(t, ev.Size, ev.DeltaSize, "a versioned bucket keeps the previous version")
	}
}

// TestVersionIDNeedingEscape reads, header-signed and by signed URL, a
// version whose ID holds '+' or '/', which the query must carry escaped.
func TestVersionIDNeedingEscape(t *testing.T) {
	f := newFixture(t)
	f.srv.EnableVersioning(bucketName)
	var id string
	for i := 0; i < 2000 && id == ""; i++ {
		f.srv.PutObject(bucketName, "a.jpg", []byte("v"+strings.Repeat("x", i)), "", nil)
		obj, ok := f.srv.Object(bucketName, "a.jpg")
		require.True(t, ok)
		if strings.ContainsAny(obj.VersionID, "+/") {
			id = obj.VersionID
		}
	}
	require.NotEmpty(t, id, "no version ID with '+' or '/' in 2000 tries")
	f.srv.PutObject(bucketName, "a.jpg", []byte("newer"), "", nil)
	want, ok := f.srv.ObjectVersion(bucketName, "a.jpg", id)
	require.True(t, ok)

	b := bucket(t, f.internal, stsIdentity)
	body, h := getBody(t, b, "a.jpg", oss.VersionId(id))
	assert.Equal(t, string(want.Body), body)
	assert.Equal(t, id, oss.GetVersionId(h))

	signed, err := bucket(t, f.public, stsIdentity).SignURL("a.jpg", oss.HTTPGet, 60, oss.VersionId(id))
	require.NoError(t, err)
	resp := httpGet(t, signed)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(got))
	assert.Equal(t, string(want.Body), string(got))
	assert.Equal(t, id, lastRequest(t, f.srv).VersionID)
}
