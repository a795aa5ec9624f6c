package ossserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	oss2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every operation the server does not implement is answered 501
// NotImplemented with a message naming it, and never as a neighbouring
// operation that would return or change data.
func TestUnimplementedOperationsAreNamed(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		key     string
		params  map[string]any
		headers map[string]string
		want    string // in the message
	}{
		{"object tagging is not the object", http.MethodGet, "a.jpg", map[string]any{"tagging": nil}, nil,
			"does not implement GetObjectTagging (GET ?tagging on an object)"},
		{"PutObjectTagging", http.MethodPut, "a.jpg", map[string]any{"tagging": nil}, nil, "PutObjectTagging"},
		{"PutSymlink", http.MethodPut, "link.jpg", map[string]any{"symlink": nil}, map[string]string{"x-oss-symlink-target": "a.jpg"}, "PutSymlink"},
		{"GetSymlink", http.MethodGet, "a.jpg", map[string]any{"symlink": nil}, nil, "GetSymlink"},
		{"AppendObject", http.MethodPost, "a.jpg", map[string]any{"append": nil, "position": "0"}, nil, "AppendObject"},
		{"RestoreObject", http.MethodPost, "a.jpg", map[string]any{"restore": nil}, nil, "RestoreObject"},
		{"image processing", http.MethodGet, "a.jpg", map[string]any{"x-oss-process": "image/resize,w_10"}, nil,
			"GetObject with x-oss-process"},
		{"SelectObject", http.MethodPost, "a.jpg", map[string]any{"x-oss-process": "csv/select"}, nil, "SelectObject"},
		{"DeleteObject of a version", http.MethodDelete, "a.jpg", map[string]any{"versionId": "null"}, nil,
			"DeleteObject (DELETE ?versionId on an object)"},
		{"UploadPartCopy", http.MethodPut, "b.jpg", map[string]any{"partNumber": "1", "uploadId": "X"},
			map[string]string{"x-oss-copy-source": "/images/a.jpg"}, "UploadPartCopy"},
		{"POST without a sub-resource", http.MethodPost, "a.jpg", nil, nil, "this operation (POST on an object)"},
		{"GetBucketLifecycle", http.MethodGet, "", map[string]any{"lifecycle": nil}, nil,
			"does not implement GetBucketLifecycle (GET ?lifecycle on a bucket)"},
		{"PutBucketCors", http.MethodPut, "", map[string]any{"cors": nil}, nil, "PutBucketCors"},
		{"GetBucketAcl", http.MethodGet, "", map[string]any{"acl": nil}, nil, "GetBucketAcl"},
		{"GetBucketInfo", http.MethodGet, "", map[string]any{"bucketInfo": nil}, nil, "GetBucketInfo"},
		{"ListObjectVersions", http.MethodGet, "", map[string]any{"versions": nil}, nil, "ListObjectVersions"},
		{"GetBucketTags", http.MethodGet, "", map[string]any{"tagging": nil}, nil, "GetBucketTags"},
		{"PutBucket", http.MethodPut, "", nil, nil, "PutBucket (PUT on a bucket)"},
		{"DeleteBucket", http.MethodDelete, "", nil, nil, "DeleteBucket"},
		{"PostObject", http.MethodPost, "", nil, nil, "PostObject"},
		{"unknown GetObject parameter", http.MethodGet, "a.jpg", map[string]any{"foo": "1"}, nil,
			"the parameter foo of GetObject (GET on an object)"},
	}
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("secret body"), "", nil)
	for _, kind := range []struct {
		name string
		b    *oss.Bucket
	}{
		{"signature V1", bucketV1(t, f.internal, stsIdentity)},
		{"signature V4", bucket(t, f.internal, stsIdentity)},
	} {
		t.Run(kind.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					status, body := doRaw(t, kind.b, tc.method, tc.key, tc.params, tc.headers, strings.NewReader(""))
					assert.Equal(t, http.StatusNotImplemented, status, body)
					assert.Contains(t, body, "<Code>NotImplemented</Code>")
					assert.Contains(t, body, "the local OSS server does not implement ")
					assert.Contains(t, body, tc.want)
					assert.NotContains(t, body, "secret body")
					assert.Equal(t, "NotImplemented", lastRequest(t, f.srv).ErrorCode)
				})
			}
		})
	}
	assert.Equal(t, []string{"a.jpg"}, f.srv.Keys(bucketName), "nothing was written or deleted")
	obj, ok := f.srv.Object(bucketName, "a.jpg")
	require.True(t, ok)
	assert.Equal(t, "secret body", string(obj.Body))
	assert.Equal(t, "default", obj.ACL)
}

// Through the SDKs' own calls, as a user meets it, in both signatures.
func TestUnimplementedOperationThroughSDKs(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	v2 := func(v1 bool) *oss2.Client {
		return openSDKV2(t, f.internal, stsIdentity, v1).(sdkV2).c
	}
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"Go SDK v1, V1: AppendObject", func() error {
			_, err := bucketV1(t, f.internal, stsIdentity).AppendObject("a.jpg", strings.NewReader("more"), 1)
			return err
		}, "the local OSS server does not implement AppendObject (POST ?append on an object)"},
		{"Go SDK v1, V1: GetBucketLifecycle", func() error {
			_, err := bucketV1(t, f.internal, stsIdentity).Client.GetBucketLifecycle(bucketName)
			return err
		}, "the local OSS server does not implement GetBucketLifecycle (GET ?lifecycle on a bucket)"},
		{"Go SDK v1, V4: GetObjectTagging", func() error {
			_, err := bucket(t, f.internal, stsIdentity).GetObjectTagging("a.jpg")
			return err
		}, "the local OSS server does not implement GetObjectTagging (GET ?tagging on an object)"},
		{"Go SDK v2, V4: GetObjectTagging", func() error {
			_, err := v2(false).GetObjectTagging(context.Background(), &oss2.GetObjectTaggingRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr("a.jpg")})
			return err
		}, "the local OSS server does not implement GetObjectTagging (GET ?tagging on an object)"},
		{"Go SDK v2, V1: GetBucketLifecycle", func() error {
			_, err := v2(true).GetBucketLifecycle(context.Background(), &oss2.GetBucketLifecycleRequest{Bucket: oss2.Ptr(bucketName)})
			return err
		}, "the local OSS server does not implement GetBucketLifecycle (GET ?lifecycle on a bucket)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, code, message := serviceErrorOf(t, tc.call())
			assert.Equal(t, http.StatusNotImplemented, status)
			assert.Equal(t, "NotImplemented", code)
			assert.Equal(t, tc.want, message)
		})
	}
	obj, ok := f.srv.Object(bucketName, "a.jpg")
	require.True(t, ok)
	assert.Equal(t, "x", string(obj.Body))
}
