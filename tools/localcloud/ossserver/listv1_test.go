package ossserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The exact bytes of a ListObjects (V1) answer: element order, Owner on
// every object, and with encoding-type=url every key-like string encoded,
// NextMarker included.
func TestListObjectsV1ResponseXML(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "dir/a b+c.jpg", []byte("12345"), "", nil)
	f.srv.PutObject(bucketName, "dir/sub/x.jpg", []byte("x"), "", nil)
	f.srv.PutObject(bucketName, "dir/z.jpg", []byte("z"), "", nil)
	obj, ok := f.srv.Object(bucketName, "dir/a b+c.jpg")
	require.True(t, ok)
	b := bucket(t, f.internal, stsIdentity)
	lastModified := obj.LastModified.UTC().Format("2006-01-02T15:04:05.000Z")
	owner := `<Owner><ID>1000000000000000</ID><DisplayName>1000000000000000</DisplayName></Owner>`

	cases := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"encoded, truncated", map[string]any{"prefix": "dir/", "delimiter": "/", "max-keys": "2", "marker": "dir/a", "encoding-type": "url"},
			`<ListBucketResult><Name>images</Name><Prefix>dir/</Prefix><Marker>dir/a</Marker><MaxKeys>2</MaxKeys>` +
				`<Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>` +
				`<NextMarker>dir/sub/</NextMarker>` +
				`<Contents><Key>dir/a%20b%2Bc.jpg</Key><LastModified>` + lastModified + `</LastModified>` +
				`<ETag>` + obj.ETag + `</ETag><Type>Normal</Type><Size>5</Size><StorageClass>Standard</StorageClass>` + owner + `</Contents>` +
				`<CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes></ListBucketResult>`},
		{"not encoded, last page", map[string]any{"prefix": "dir/a "},
			`<ListBucketResult><Name>images</Name><Prefix>dir/a </Prefix><Marker></Marker><MaxKeys>100</MaxKeys>` +
				`<Delimiter></Delimiter><IsTruncated>false</IsTruncated>` +
				`<Contents><Key>dir/a b+c.jpg</Key><LastModified>` + lastModified + `</LastModified>` +
				`<ETag>` + obj.ETag + `</ETag><Type>Normal</Type><Size>5</Size><StorageClass>Standard</StorageClass>` + owner + `</Contents>` +
				`</ListBucketResult>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := doRaw(t, b, http.MethodGet, "", tc.params, nil, nil)
			require.Equal(t, http.StatusOK, status, body)
			assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+tc.want, body)
			assert.Equal(t, "ListObjects", lastRequest(t, f.srv).Operation)
		})
	}
}

func TestListObjectsV1Refused(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	cases := []struct {
		name       string
		opts       []oss.Option
		wantStatus int
		wantCode   string
	}{
		{"max-keys 0", []oss.Option{oss.MaxKeys(0)}, http.StatusBadRequest, "InvalidArgument"},
		{"max-keys 1001", []oss.Option{oss.MaxKeys(1001)}, http.StatusBadRequest, "InvalidArgument"},
		{"marker of 1024 bytes", []oss.Option{oss.Marker(strings.Repeat("m", 1024))}, http.StatusBadRequest, "InvalidArgument"},
		{"a V2 parameter", []oss.Option{oss.StartAfter("a")}, http.StatusNotImplemented, "NotImplemented"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.ListObjects(tc.opts...)
			requireServiceError(t, err, tc.wantStatus, tc.wantCode)
		})
	}
	missing, err := b.Client.Bucket("missing")
	require.NoError(t, err)
	_, err = missing.ListObjects()
	requireServiceError(t, err, http.StatusNotFound, "NoSuchBucket")
}
