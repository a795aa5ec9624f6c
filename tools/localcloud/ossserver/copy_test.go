package ossserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

func TestCopyObject(t *testing.T) {
	const src = "src/行驶证 a+b.jpg"
	for _, kind := range []struct {
		name string
		b    func(t *testing.T, f *fixture) *oss.Bucket
	}{
		{"signature V1", func(t *testing.T, f *fixture) *oss.Bucket { return bucketV1(t, f.internal, stsIdentity) }},
		{"signature V4", func(t *testing.T, f *fixture) *oss.Bucket { return bucket(t, f.internal, stsIdentity) }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.CreateBucket("other")
			etag := f.srv.PutObject(bucketName, src, []byte("jpeg"), "image/jpeg", map[string]string{"side": "front"})
			b := kind.b(t, f)
			var events []ossserver.ObjectCreated
			f.srv.OnObjectCreated(func(ev ossserver.ObjectCreated) { events = append(events, ev) })

			t.Run("metadata copied", func(t *testing.T) {
				res, err := b.CopyObject(src, "dst/copy.jpg")
				require.NoError(t, err)
				assert.Equal(t, etag, res.ETag)
				obj := requireStored(t, f, "dst/copy.jpg", []byte("jpeg"))
				assert.Equal(t, "image/jpeg", obj.ContentType)
				assert.Equal(t, map[string]string{"side": "front"}, obj.Meta)
				assert.Equal(t, "default", obj.ACL)
				assert.Equal(t, "CopyObject", lastRequest(t, f.srv).Operation)
			})
			t.Run("metadata replaced, ACL set", func(t *testing.T) {
				_, err := b.CopyObject(src, "dst/replaced.jpg", oss.MetadataDirective(oss.MetaReplace),
					oss.ContentType("image/png"), oss.Meta("side", "back"), oss.ObjectACL(oss.ACLPrivate))
				require.NoError(t, err)
				obj := requireStored(t, f, "dst/replaced.jpg", []byte("jpeg"))
				assert.Equal(t, "image/png", obj.ContentType)
				assert.Equal(t, map[string]string{"side": "back"}, obj.Meta)
				assert.Equal(t, "private", obj.ACL)
			})
			t.Run("to another bucket", func(t *testing.T) {
				_, err := b.CopyObjectTo("other", "copy.jpg", src)
				require.NoError(t, err)
				obj, ok := f.srv.Object("other", "copy.jpg")
				require.True(t, ok)
				assert.Equal(t, "jpeg", string(obj.Body))
			})
			t.Run("refused", func(t *testing.T) {
				_, err := b.CopyObject("missing.jpg", "dst/x.jpg")
				requireServiceError(t, err, http.StatusNotFound, "NoSuchKey")
				_, err = b.CopyObjectFrom("missing-bucket", src, "dst/x.jpg")
				requireServiceError(t, err, http.StatusNotFound, "NoSuchBucket")
				_, err = b.CopyObject(src, "dst/copy.jpg", oss.ForbidOverWrite(true))
				requireServiceError(t, err, http.StatusConflict, "FileAlreadyExists")
				_, err = b.CopyObject(src, "dst/x.jpg", oss.CopySourceIfMatch(etag))
				requireServiceError(t, err, http.StatusNotImplemented, "NotImplemented")
				_, ok := f.srv.Object(bucketName, "dst/x.jpg")
				assert.False(t, ok)
			})

			require.NoError(t, f.srv.WaitNotifications(context.Background()))
			require.Len(t, events, 3)
			for _, ev := range events {
				assert.Equal(t, ossserver.EventCopyObject, ev.EventName)
				assert.Equal(t, int64(4), ev.Size)
			}
		})
	}
}

func TestCopyObjectOfAVersion(t *testing.T) {
	f := newFixture(t)
	f.srv.EnableVersioning(bucketName)
	b := bucket(t, f.internal, stsIdentity)
	v1 := putVersion(t, b, "a.jpg", "first")
	putVersion(t, b, "a.jpg", "second")

	var h http.Header
	_, err := b.CopyObject("a.jpg", "b.jpg", oss.VersionId(v1), oss.GetResponseHeader(&h))
	require.NoError(t, err)
	assert.Equal(t, v1, h.Get("X-Oss-Copy-Source-Version-Id"))
	assert.NotEmpty(t, h.Get("X-Oss-Version-Id"))
	requireStored(t, f, "b.jpg", []byte("first"))
}

func TestPutObjectForbidOverwrite(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	require.NoError(t, b.PutObject("a.jpg", strings.NewReader("first"), oss.ForbidOverWrite(true)))
	err := b.PutObject("a.jpg", strings.NewReader("second"), oss.ForbidOverWrite(true))
	requireServiceError(t, err, http.StatusConflict, "FileAlreadyExists")
	requireStored(t, f, "a.jpg", []byte("first"))
	require.NoError(t, b.PutObject("a.jpg", strings.NewReader("third"), oss.ForbidOverWrite(false)))
	requireStored(t, f, "a.jpg", []byte("third"))
}

func TestDeleteMultipleObjects(t *testing.T) {
	keys := []string{"a b+c.jpg", "行驶证.jpg", "x&y<z.jpg"}
	for _, quiet := range []bool{false, true} {
		t.Run(map[bool]string{false: "verbose", true: "quiet"}[quiet], func(t *testing.T) {
			f := newFixture(t)
			for _, k := range append(keys, "kept.jpg") {
				f.srv.PutObject(bucketName, k, []byte("x"), "", nil)
			}
			b := bucketV1(t, f.internal, stsIdentity)
			res, err := b.DeleteObjects(append(keys, "missing.jpg"), oss.DeleteObjectsQuiet(quiet))
			require.NoError(t, err)
			if quiet {
				assert.Empty(t, res.DeletedObjects)
			} else {
				assert.Equal(t, append(keys, "missing.jpg"), res.DeletedObjects, "keys come back URL-decoded")
			}
			assert.Equal(t, []string{"kept.jpg"}, f.srv.Keys(bucketName))
			assert.Equal(t, "DeleteMultipleObjects", lastRequest(t, f.srv).Operation)
		})
	}
	t.Run("versions refused", func(t *testing.T) {
		f := newFixture(t)
		b := bucket(t, f.internal, stsIdentity)
		_, err := b.DeleteObjectVersions([]oss.DeleteObject{{Key: "a.jpg", VersionId: "v"}})
		requireServiceError(t, err, http.StatusNotImplemented, "NotImplemented")
	})
	t.Run("malformed body refused", func(t *testing.T) {
		f := newFixture(t)
		b := bucket(t, f.internal, stsIdentity)
		status, body := doRaw(t, b, http.MethodPost, "", map[string]any{"delete": nil}, nil, strings.NewReader("<Delete></Delete>"))
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, "<Code>MalformedXML</Code>")
	})
}
