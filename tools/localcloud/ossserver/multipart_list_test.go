package ossserver_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With encoding-type=url every multipart answer that names the key
// encodes it and says so; without it the key is plain XML text.
func TestMultipartResponsesEncodeKeys(t *testing.T) {
	const key = "multi/a b+c%.jpg"
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	uploadID := regexp.MustCompile(`<UploadId>([0-9A-F]+)</UploadId>`)

	for _, tc := range []struct {
		name    string
		encode  map[string]any // added to every request's parameters
		wantKey string
	}{
		{"encoding-type=url", map[string]any{"encoding-type": "url"}, "multi/a%20b%2Bc%25.jpg"},
		{"no encoding-type", map[string]any{}, key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			with := func(params map[string]any) map[string]any {
				for k, v := range tc.encode {
					params[k] = v
				}
				return params
			}
			encoded := len(tc.encode) > 0

			status, body := doRaw(t, b, http.MethodPost, key, with(map[string]any{"uploads": nil}), nil, nil)
			require.Equal(t, http.StatusOK, status, body)
			assert.Contains(t, body, "<Key>"+tc.wantKey+"</Key>")
			assert.Equal(t, encoded, strings.Contains(body, "<EncodingType>url</EncodingType>"))
			id := uploadID.FindStringSubmatch(body)[1]

			status, _ = doRaw(t, b, http.MethodPut, key, map[string]any{"partNumber": "1", "uploadId": id}, nil, bytes.NewReader([]byte("part")))
			require.Equal(t, http.StatusOK, status)

			status, body = doRaw(t, b, http.MethodGet, key, with(map[string]any{"uploadId": id}), nil, nil)
			require.Equal(t, http.StatusOK, status, body)
			assert.Contains(t, body, "<Key>"+tc.wantKey+"</Key>")
			assert.Contains(t, body, "<PartNumber>1</PartNumber>")
			assert.Contains(t, body, "<Size>4</Size>")

			status, body = doRaw(t, b, http.MethodGet, "", with(map[string]any{"uploads": nil, "prefix": "multi/a b"}), nil, nil)
			require.Equal(t, http.StatusOK, status, body)
			assert.Contains(t, body, "<Key>"+tc.wantKey+"</Key>")
			assert.Contains(t, body, "<UploadId>"+id+"</UploadId>")

			complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + md5ETag([]byte("part")) + `</ETag></Part></CompleteMultipartUpload>`
			status, body = doRaw(t, b, http.MethodPost, key, with(map[string]any{"uploadId": id}), nil, bytes.NewReader([]byte(complete)))
			require.Equal(t, http.StatusOK, status, body)
			assert.Contains(t, body, "<Key>"+tc.wantKey+"</Key>")
			assert.Equal(t, encoded, strings.Contains(body, "<EncodingType>url</EncodingType>"))
			requireStored(t, f, key, []byte("part"))
		})
	}
}

func TestListMultipartUploadsPages(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	keys := []string{"a/1.jpg", "a/1.jpg", "a/2.jpg", "b/x/1.jpg", "b/y/1.jpg", "c.jpg"}
	ids := map[string][]string{}
	for _, k := range keys {
		imur, err := b.InitiateMultipartUpload(k)
		require.NoError(t, err)
		ids[k] = append(ids[k], imur.UploadID)
	}
	all := f.srv.MultipartUploads(bucketName) // the server's order: key, initiation, ID

	t.Run("every upload, in pages of two", func(t *testing.T) {
		var got []string
		keyMarker, idMarker := "", ""
		for range 10 {
			res, err := b.ListMultipartUploads(oss.MaxUploads(2), oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker))
			require.NoError(t, err)
			for _, u := range res.Uploads {
				got = append(got, u.Key+" "+u.UploadID)
			}
			if !res.IsTruncated {
				break
			}
			keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
		}
		var want []string
		for _, u := range all {
			want = append(want, u.Key+" "+u.UploadID)
		}
		assert.Equal(t, want, got)
	})
	t.Run("delimiter and prefix", func(t *testing.T) {
		res, err := b.ListMultipartUploads(oss.Delimiter("/"), oss.Prefix("b/"))
		require.NoError(t, err)
		assert.Empty(t, res.Uploads)
		assert.Equal(t, []string{"b/x/", "b/y/"}, res.CommonPrefixes)
		res, err = b.ListMultipartUploads(oss.Delimiter("/"))
		require.NoError(t, err)
		assert.Equal(t, []string{"a/", "b/"}, res.CommonPrefixes)
		require.Len(t, res.Uploads, 1)
		assert.Equal(t, "c.jpg", res.Uploads[0].Key)
	})
	t.Run("key-marker alone skips the whole key", func(t *testing.T) {
		res, err := b.ListMultipartUploads(oss.KeyMarker("a/1.jpg"))
		require.NoError(t, err)
		require.NotEmpty(t, res.Uploads)
		assert.Equal(t, "a/2.jpg", res.Uploads[0].Key)
	})
	t.Run("ListParts pages", func(t *testing.T) {
		imur := oss.InitiateMultipartUploadResult{Bucket: bucketName, Key: "c.jpg", UploadID: ids["c.jpg"][0]}
		for n := 1; n <= 3; n++ {
			_, err := b.UploadPart(imur, bytes.NewReader([]byte{byte(n)}), 1, n)
			require.NoError(t, err)
		}
		res, err := b.ListUploadedParts(imur, oss.MaxParts(2))
		require.NoError(t, err)
		assert.True(t, res.IsTruncated)
		require.Len(t, res.UploadedParts, 2)
		assert.Equal(t, "2", res.NextPartNumberMarker)
		res, err = b.ListUploadedParts(imur, oss.MaxParts(2), oss.PartNumberMarker(2))
		require.NoError(t, err)
		assert.False(t, res.IsTruncated)
		require.Len(t, res.UploadedParts, 1)
		assert.Equal(t, 3, res.UploadedParts[0].PartNumber)
		assert.Equal(t, 1, res.UploadedParts[0].Size)
		_, err = b.ListUploadedParts(oss.InitiateMultipartUploadResult{Bucket: bucketName, Key: "a/2.jpg", UploadID: ids["c.jpg"][0]})
		requireServiceError(t, err, http.StatusNotFound, "NoSuchUpload")
	})
}
