package ossserver_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

const minPart = 100 * 1024 // OSS's minimum size of every part but the last

// multipartETag computes OSS's ETag of a multipart object independently:
// upper-case hex MD5 of the parts' binary MD5s, "-", the part count, quoted.
func multipartETag(parts ...[]byte) string {
	var digests []byte
	for _, p := range parts {
		sum := md5.Sum(p)
		digests = append(digests, sum[:]...)
	}
	sum := md5.Sum(digests)
	return `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + "-" + strconv.Itoa(len(parts)) + `"`
}

// filled returns n bytes of a repeating pattern that starts with seed.
func filled(seed string, n int) []byte {
	return bytes.Repeat([]byte(seed), n/len(seed)+1)[:n]
}

func TestMultipartUploadThroughSDK(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	parts := [][]byte{filled("part one ", minPart), filled("part two ", minPart+7), []byte("tail")}

	imur, err := b.InitiateMultipartUpload(trickyKey, oss.ContentType("image/png"), oss.Meta("card-side", "BACK"))
	require.NoError(t, err)
	assert.Equal(t, bucketName, imur.Bucket)
	assert.Equal(t, trickyKey, imur.Key)
	assert.Regexp(t, `^[0-9A-F]{32}$`, imur.UploadID)

	// Parts arrive out of order and concurrently, as the SDK's UploadFile
	// sends them.
	uploaded := make([]oss.UploadPart, len(parts))
	var wg sync.WaitGroup
	for i := len(parts) - 1; i >= 0; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := b.UploadPart(imur, bytes.NewReader(parts[i]), int64(len(parts[i])), i+1)
			assert.NoError(t, err)
			uploaded[i] = p
		}()
	}
	wg.Wait()
	for i, p := range uploaded {
		assert.Equal(t, md5ETag(parts[i]), p.ETag, "a part's ETag is its MD5, like PutObject's")
	}
	inProgress := f.srv.MultipartUploads(bucketName)
	require.Len(t, inProgress, 1)
	assert.Equal(t, ossserver.MultipartUpload{Key: trickyKey, UploadID: imur.UploadID, Initiated: inProgress[0].Initiated,
		PartNumbers: []int{1, 2, 3}}, inProgress[0])
	_, ok := f.srv.Object(bucketName, trickyKey)
	assert.False(t, ok, "nothing is visible before completion")

	var header http.Header
	result, err := b.CompleteMultipartUpload(imur, uploaded, oss.GetResponseHeader(&header))
	require.NoError(t, err)

	wantETag := multipartETag(parts...)
	assert.Equal(t, wantETag, result.ETag)
	assert.Equal(t, wantETag, header.Get("ETag"))
	assert.Equal(t, bucketName, result.Bucket)
	assert.Equal(t, trickyKey, result.Key)
	escapedKey := strings.ReplaceAll(strings.ReplaceAll(url.QueryEscape(trickyKey), "+", "%20"), "%2F", "/")
	assert.Equal(t, f.internal+"/"+bucketName+"/"+escapedKey, result.Location)
	assert.Empty(t, f.srv.MultipartUploads(bucketName))

	r, err := b.GetObject(trickyKey)
	require.NoError(t, err)
	body, err := io.ReadAll(r)
	require.NoError(t, r.Close())
	require.NoError(t, err)
	assert.Equal(t, bytes.Join(parts, nil), body)

	head, err := b.GetObjectDetailedMeta(trickyKey)
	require.NoError(t, err)
	assert.Equal(t, wantETag, head.Get("ETag"))
	assert.Equal(t, "image/png", head.Get("Content-Type"), "kept from the initiation")
	assert.Equal(t, "BACK", head.Get("X-Oss-Meta-Card-Side"), "kept from the initiation")
	assert.Equal(t, "Multipart", head.Get("X-Oss-Object-Type"))

	listed, err := b.ListObjectsV2(oss.Prefix(trickyKey))
	require.NoError(t, err)
	require.Len(t, listed.Objects, 1)
	assert.Equal(t, "Multipart", listed.Objects[0].Type)
	assert.Equal(t, int64(len(body)), listed.Objects[0].Size)

	var queries []string
	for _, req := range f.srv.Requests() {
		assert.Equal(t, ossserver.AuthHeaderV4, req.Auth, "every multipart request is V4-signed and verified")
		queries = append(queries, req.Method+" "+strings.Join(req.Query, "&"))
	}
	assert.Equal(t, []string{
		"POST uploads",
		"PUT partNumber&uploadId", "PUT partNumber&uploadId", "PUT partNumber&uploadId",
		"POST uploadId",
		"GET ", "HEAD ", "GET encoding-type&list-type&prefix",
	}, queries)
}

func TestUploadFileInParts(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, permanentIdentity)
	content := filled("行驶证 image bytes ", 3*minPart+1234)
	path := filepath.Join(t.TempDir(), "big.jpg")
	require.NoError(t, os.WriteFile(path, content, 0o600))

	require.NoError(t, b.UploadFile("cards/big.jpg", path, minPart, oss.Routines(3), oss.Meta("card-side", "FRONT")))

	obj, ok := f.srv.Object(bucketName, "cards/big.jpg")
	require.True(t, ok)
	assert.Equal(t, content, obj.Body)
	assert.Equal(t, multipartETag(content[:minPart], content[minPart:2*minPart], content[2*minPart:3*minPart], content[3*minPart:]), obj.ETag)
	assert.Equal(t, "image/jpeg", obj.ContentType, "the SDK derives it from the extension at initiation")
	assert.Equal(t, map[string]string{"card-side": "FRONT"}, obj.Meta)
	assert.Empty(t, f.srv.MultipartUploads(bucketName))
}

func TestUploadFileAbortsWhenAPartFails(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	path := filepath.Join(t.TempDir(), "big.jpg")
	require.NoError(t, os.WriteFile(path, filled("x", 2*minPart+1), 0o600))
	f.srv.SetFault(func(r ossserver.Request) *ossserver.Fault {
		if r.Method == http.MethodPut && len(r.Query) == 2 && r.Query[0] == "partNumber" {
			return &ossserver.Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"}
		}
		return nil
	})

	err := b.UploadFile("big.jpg", path, minPart)

	requireServiceError(t, err, http.StatusServiceUnavailable, "ServiceUnavailable")
	assert.Empty(t, f.srv.MultipartUploads(bucketName), "the SDK aborted the upload")
	assert.Empty(t, f.srv.Keys(bucketName))
	got := lastRequest(t, f.srv)
	assert.Equal(t, http.MethodDelete, got.Method)
	assert.Equal(t, []string{"uploadId"}, got.Query)
	assert.Equal(t, http.StatusNoContent, got.Status)
}

func TestCompleteMultipartUploadRefused(t *testing.T) {
	small := []byte("small part")
	big := filled("big", minPart)

	cases := []struct {
		name string
		// parts are uploaded (number → body), then complete is called with list
		parts      map[int][]byte
		complete   func(t *testing.T, b *oss.Bucket, imur oss.InitiateMultipartUploadResult, etags map[int]string) (int, string)
		retry      []int // a correct list to complete with afterwards; nil: none is possible
		wantStatus int
		wantCode   string
	}{
		{name: "part never uploaded", parts: map[int][]byte{1: big},
			complete: completeWith([]int{1, 2}), wantStatus: http.StatusBadRequest, wantCode: "InvalidPart", retry: []int{1}},
		{name: "ETag does not match", parts: map[int][]byte{1: big, 2: small},
			complete: func(t *testing.T, b *oss.Bucket, imur oss.InitiateMultipartUploadResult, etags map[int]string) (int, string) {
				return completeRaw(t, b, imur, []int{1, 2}, map[int]string{1: etags[1], 2: md5ETag([]byte("other"))})
			}, wantStatus: http.StatusBadRequest, wantCode: "InvalidPart", retry: []int{1, 2}},
		{name: "descending part numbers", parts: map[int][]byte{1: big, 2: small},
			complete: completeWith([]int{2, 1}), wantStatus: http.StatusBadRequest, wantCode: "InvalidPartOrder", retry: []int{1, 2}},
		{name: "part listed twice", parts: map[int][]byte{1: big, 2: small},
			complete: completeWith([]int{1, 1, 2}), wantStatus: http.StatusBadRequest, wantCode: "InvalidPartOrder", retry: []int{1, 2}},
		{name: "part but the last under 100 KiB", parts: map[int][]byte{1: filled("x", minPart-1), 2: small},
			complete: completeWith([]int{1, 2}), wantStatus: http.StatusBadRequest, wantCode: "EntityTooSmall"},
		{name: "no parts", parts: map[int][]byte{1: big},
			complete: completeWith(nil), wantStatus: http.StatusBadRequest, wantCode: "MalformedXML", retry: []int{1}},
		{name: "not XML", parts: map[int][]byte{1: big},
			complete: func(t *testing.T, b *oss.Bucket, imur oss.InitiateMultipartUploadResult, _ map[int]string) (int, string) {
				return doRaw(t, b, http.MethodPost, imur.Key, map[string]any{"uploadId": imur.UploadID}, nil, strings.NewReader("<Complete"))
			}, wantStatus: http.StatusBadRequest, wantCode: "MalformedXML", retry: []int{1}},
		{name: "unknown upload ID", parts: map[int][]byte{1: big},
			complete: func(t *testing.T, b *oss.Bucket, imur oss.InitiateMultipartUploadResult, etags map[int]string) (int, string) {
				imur.UploadID = strings.Repeat("0", 32)
				return completeRaw(t, b, imur, []int{1}, etags)
			}, wantStatus: http.StatusNotFound, wantCode: "NoSuchUpload", retry: []int{1}},
		{name: "upload ID of another key", parts: map[int][]byte{1: big},
			complete: func(t *testing.T, b *oss.Bucket, imur oss.InitiateMultipartUploadResult, etags map[int]string) (int, string) {
				imur.Key = "other.jpg"
				return completeRaw(t, b, imur, []int{1}, etags)
			}, wantStatus: http.StatusNotFound, wantCode: "NoSuchUpload", retry: []int{1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			b := bucket(t, f.internal, stsIdentity)
			imur, err := b.InitiateMultipartUpload("a.jpg")
			require.NoError(t, err)
			etags := make(map[int]string)
			for n, body := range tc.parts {
				p, err := b.UploadPart(imur, bytes.NewReader(body), int64(len(body)), n)
				require.NoError(t, err)
				etags[n] = p.ETag
			}

			status, body := tc.complete(t, b, imur, etags)

			assert.Equal(t, tc.wantStatus, status)
			assert.Contains(t, body, "<Code>"+tc.wantCode+"</Code>")
			assert.Equal(t, tc.wantCode, lastRequest(t, f.srv).ErrorCode)
			assert.Empty(t, f.srv.Keys(bucketName), "nothing was written")
			require.Len(t, f.srv.MultipartUploads(bucketName), 1, "a refused completion leaves the upload, as on OSS")

			if tc.retry != nil {
				status, body = completeRaw(t, b, imur, tc.retry, etags)
				assert.Equal(t, http.StatusOK, status, body)
				assert.Equal(t, []string{"a.jpg"}, f.srv.Keys(bucketName), "the client can still complete it")
			}
		})
	}
}

// completeWith completes with the uploaded ETags of the listed numbers, in
// the order given (the SDK's CompleteMultipartUpload would sort them).
func completeWith(numbers []int) func(*testing.T, *oss.Bucket, oss.InitiateMultipartUploadResult, map[int]string) (int, string) {
	return func(t *testing.T, b *oss.Bucket, imur oss.InitiateMultipartUploadResult, etags map[int]string) (int, string) {
		return completeRaw(t, b, imur, numbers, etags)
	}
}

func completeRaw(t *testing.T, b *oss.Bucket, imur oss.InitiateMultipartUploadResult, numbers []int, etags map[int]string) (int, string) {
	t.Helper()
	var doc strings.Builder
	doc.WriteString("<CompleteMultipartUpload>")
	for _, n := range numbers {
		fmt.Fprintf(&doc, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, etags[n])
	}
	doc.WriteString("</CompleteMultipartUpload>")
	return doRaw(t, b, http.MethodPost, imur.Key, map[string]any{"uploadId": imur.UploadID}, nil, strings.NewReader(doc.String()))
}

func TestMultipartUploadLifecycle(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)
	part := filled("p", minPart)

	t.Run("a part uploaded again replaces the first", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("replaced.jpg")
		require.NoError(t, err)
		_, err = b.UploadPart(imur, bytes.NewReader([]byte("first")), 5, 1)
		require.NoError(t, err)
		second, err := b.UploadPart(imur, bytes.NewReader([]byte("second")), 6, 1)
		require.NoError(t, err)
		_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{second})
		require.NoError(t, err)
		obj, ok := f.srv.Object(bucketName, "replaced.jpg")
		require.True(t, ok)
		assert.Equal(t, "second", string(obj.Body))
		assert.Equal(t, multipartETag([]byte("second")), obj.ETag)
	})

	t.Run("parts left out of the list are dropped", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("subset.jpg")
		require.NoError(t, err)
		p1, err := b.UploadPart(imur, bytes.NewReader(part), int64(len(part)), 1)
		require.NoError(t, err)
		_, err = b.UploadPart(imur, bytes.NewReader([]byte("dropped")), 7, 2)
		require.NoError(t, err)
		p3, err := b.UploadPart(imur, bytes.NewReader([]byte("end")), 3, 3)
		require.NoError(t, err)
		_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p1, p3})
		require.NoError(t, err)
		obj, ok := f.srv.Object(bucketName, "subset.jpg")
		require.True(t, ok)
		assert.Equal(t, string(part)+"end", string(obj.Body))
	})

	t.Run("completed, the upload is gone", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("done.jpg")
		require.NoError(t, err)
		p, err := b.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 1)
		require.NoError(t, err)
		_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p})
		require.NoError(t, err)

		_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p})
		requireServiceError(t, err, http.StatusNotFound, "NoSuchUpload")
		_, err = b.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 2)
		requireServiceError(t, err, http.StatusNotFound, "NoSuchUpload")
		requireServiceError(t, b.AbortMultipartUpload(imur), http.StatusNotFound, "NoSuchUpload")
	})

	t.Run("aborted, the upload is gone and nothing is written", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("aborted.jpg")
		require.NoError(t, err)
		p, err := b.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 1)
		require.NoError(t, err)
		require.NoError(t, b.AbortMultipartUpload(imur))
		assert.Equal(t, http.StatusNoContent, lastRequest(t, f.srv).Status)

		_, err = b.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 2)
		requireServiceError(t, err, http.StatusNotFound, "NoSuchUpload")
		_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p})
		requireServiceError(t, err, http.StatusNotFound, "NoSuchUpload")
		requireServiceError(t, b.AbortMultipartUpload(imur), http.StatusNotFound, "NoSuchUpload")
		_, ok := f.srv.Object(bucketName, "aborted.jpg")
		assert.False(t, ok)
	})

	t.Run("part numbers run from 1 to 10000", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("numbers.jpg")
		require.NoError(t, err)
		for _, n := range []int{0, 10001} {
			_, err = b.UploadPart(imur, bytes.NewReader([]byte("x")), 1, n)
			requireServiceError(t, err, http.StatusBadRequest, "InvalidArgument")
		}
		_, err = b.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 10000)
		require.NoError(t, err)
		require.NoError(t, b.AbortMultipartUpload(imur))
	})

	t.Run("a wrong Content-MD5 is refused", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("md5.jpg")
		require.NoError(t, err)
		_, err = b.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 1, oss.ContentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="))
		requireServiceError(t, err, http.StatusBadRequest, "InvalidDigest")
		require.NoError(t, b.AbortMultipartUpload(imur))
	})

	t.Run("signatures are verified", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("signed.jpg")
		require.NoError(t, err)
		wrong := bucket(t, f.internal, identity{id: stsID, secret: "wrong", token: stsToken})
		_, err = wrong.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 1)
		requireServiceError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")
		_, err = wrong.InitiateMultipartUpload("signed.jpg")
		requireServiceError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")
		requireServiceError(t, wrong.AbortMultipartUpload(imur), http.StatusForbidden, "SignatureDoesNotMatch")
		tampered := bucket(t, f.internal, stsIdentity, oss.HTTPClient(&http.Client{Transport: tamper(func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "partNumber=1", "partNumber=2", 1)
		})}))
		_, err = tampered.UploadPart(imur, bytes.NewReader([]byte("x")), 1, 1)
		requireServiceError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")
		assert.Empty(t, f.srv.MultipartUploads(bucketName)[0].PartNumbers, "no part was stored")
		require.NoError(t, b.AbortMultipartUpload(imur))
	})

	t.Run("UploadPartCopy is refused", func(t *testing.T) {
		imur, err := b.InitiateMultipartUpload("refused.jpg")
		require.NoError(t, err)
		_, err = b.UploadPartCopy(imur, bucketName, "replaced.jpg", 0, 1, 1)
		se := requireServiceError(t, err, http.StatusNotImplemented, "NotImplemented")
		assert.Contains(t, se.Message, "UploadPartCopy")
		require.NoError(t, b.AbortMultipartUpload(imur))
	})

	assert.Empty(t, f.srv.MultipartUploads(bucketName))
}
