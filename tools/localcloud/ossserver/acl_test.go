package ossserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

func TestGetObjectACLResponse(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	b := bucket(t, f.internal, stsIdentity)
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<AccessControlPolicy><Owner><ID>1000000000000000</ID><DisplayName>1000000000000000</DisplayName></Owner>` +
		`<AccessControlList><Grant>default</Grant></AccessControlList></AccessControlPolicy>`

	t.Run("GET ?acl", func(t *testing.T) {
		status, body := doRaw(t, b, http.MethodGet, "a.jpg", map[string]any{"acl": nil}, nil, nil)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, want, body)
		assert.Equal(t, "GetObjectAcl", lastRequest(t, f.srv).Operation)
	})
	t.Run("HEAD ?acl has the headers only", func(t *testing.T) {
		resp, err := b.Client.Conn.Do(http.MethodHead, bucketName, "a.jpg", map[string]any{"acl": nil}, nil, nil, 0, nil)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Empty(t, body)
		assert.Equal(t, "application/xml", resp.Headers.Get("Content-Type"))
		assert.Equal(t, "GetObjectAcl", lastRequest(t, f.srv).Operation)
	})
}

func TestObjectACLOfVersions(t *testing.T) {
	f := newFixture(t)
	f.srv.EnableVersioning(bucketName)
	b := bucket(t, f.internal, stsIdentity)
	v1 := putVersion(t, b, "a.jpg", "first")
	v2 := putVersion(t, b, "a.jpg", "second")

	require.NoError(t, b.SetObjectACL("a.jpg", oss.ACLPublicRead, oss.VersionId(v1)))
	for id, want := range map[string]oss.ACLType{v1: oss.ACLPublicRead, v2: "default"} {
		res, err := b.GetObjectACL("a.jpg", oss.VersionId(id))
		require.NoError(t, err)
		assert.Equal(t, string(want), res.ACL)
		body, _ := getBody(t, b, "a.jpg", oss.VersionId(id))
		assert.NotEmpty(t, body, "the version is still there")
	}
	latest, ok := f.srv.Object(bucketName, "a.jpg")
	require.True(t, ok)
	assert.Equal(t, "default", latest.ACL)
	assert.Equal(t, v2, latest.VersionID)
}

// A public-read object is readable without a signature, as on OSS;
// nothing else opens up.
func TestAnonymousReadsFollowTheObjectACL(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	require.NoError(t, b.PutObject("public.jpg", strings.NewReader("public"), oss.ObjectACL(oss.ACLPublicRead)))
	require.NoError(t, b.PutObject("open.jpg", strings.NewReader("open"), oss.ObjectACL(oss.ACLPublicReadWrite)))
	require.NoError(t, b.PutObject("private.jpg", strings.NewReader("private"), oss.ObjectACL(oss.ACLPrivate)))
	require.NoError(t, b.PutObject("default.jpg", strings.NewReader("default")))

	cases := []struct {
		name, method, path string
		wantStatus         int
	}{
		{"GET public-read", http.MethodGet, "/public.jpg", http.StatusOK},
		{"HEAD public-read", http.MethodHead, "/public.jpg", http.StatusOK},
		{"GetObjectMeta public-read", http.MethodHead, "/public.jpg?objectMeta", http.StatusOK},
		{"GET public-read-write", http.MethodGet, "/open.jpg", http.StatusOK},
		{"GET private", http.MethodGet, "/private.jpg", http.StatusForbidden},
		{"GET default (the bucket is private)", http.MethodGet, "/default.jpg", http.StatusForbidden},
		{"GET missing", http.MethodGet, "/missing.jpg", http.StatusForbidden},
		{"PUT over public-read-write", http.MethodPut, "/open.jpg", http.StatusForbidden},
		{"DELETE public-read-write", http.MethodDelete, "/open.jpg", http.StatusForbidden},
		{"GET ?acl of public-read", http.MethodGet, "/public.jpg?acl", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, f.internal+"/"+bucketName+tc.path, strings.NewReader(""))
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, tc.wantStatus, resp.StatusCode, string(body))
			got := lastRequest(t, f.srv)
			assert.Equal(t, ossserver.AuthAnonymous, got.Auth)
			if tc.wantStatus == http.StatusOK && tc.method == http.MethodGet {
				assert.Equal(t, strings.TrimSuffix(strings.TrimPrefix(tc.path, "/"), ".jpg"), string(body))
			}
		})
	}
	obj, ok := f.srv.Object(bucketName, "open.jpg")
	require.True(t, ok)
	assert.Equal(t, "open", string(obj.Body))
}

func TestMultipartObjectTakesTheACLOfItsInitiation(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	imur, err := b.InitiateMultipartUpload("m.jpg", oss.ObjectACL(oss.ACLPublicRead))
	require.NoError(t, err)
	part, err := b.UploadPart(imur, strings.NewReader("x"), 1, 1)
	require.NoError(t, err)
	_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{part})
	require.NoError(t, err)
	res, err := b.GetObjectACL("m.jpg")
	require.NoError(t, err)
	assert.Equal(t, "public-read", res.ACL)

	_, err = b.InitiateMultipartUpload("n.jpg", oss.ObjectACL("world-writable"))
	requireServiceError(t, err, http.StatusBadRequest, "InvalidArgument")
}
