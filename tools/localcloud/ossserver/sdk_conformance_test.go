package ossserver_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// The same cases against each official Go SDK in each signing mode (see
// sdkKinds): what a user of either SDK, with its default settings or not,
// gets from the server.

func TestSDKObjectRoundTrip(t *testing.T) {
	for _, kind := range sdkKinds {
		for _, who := range []identity{permanentIdentity, stsIdentity} {
			t.Run(kind.name+", "+who.id, func(t *testing.T) {
				f := newFixture(t)
				c := kind.open(t, f.internal, who)
				body := []byte("image bytes")

				require.NoError(t, c.Put(trickyKey, body, ""))
				got, err := c.Get(trickyKey, "", false)
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, got.status)
				assert.Equal(t, body, got.body)
				head, err := c.Head(trickyKey)
				require.NoError(t, err)
				assert.Equal(t, strconv.Itoa(len(body)), head.Get("Content-Length"))
				assert.Equal(t, md5ETag(body), head.Get("ETag"))
				assert.Equal(t, "bytes", head.Get("Accept-Ranges"))
				require.NoError(t, c.Delete(trickyKey))
				_, err = c.Get(trickyKey, "", false)
				status, code, _ := serviceErrorOf(t, err)
				assert.Equal(t, http.StatusNotFound, status)
				assert.Equal(t, "NoSuchKey", code)

				var ops []string
				for _, r := range f.srv.Requests() {
					assert.Equal(t, kind.headerKind, r.Auth)
					assert.Equal(t, who.id, r.AccessKeyID)
					assert.Equal(t, trickyKey, r.Key)
					ops = append(ops, fmt.Sprintf("%s %d", r.Operation, r.Status))
				}
				assert.Equal(t, []string{"PutObject 200", "GetObject 200", "HeadObject 200", "DeleteObject 204", "GetObject 404"}, ops)
			})
		}
	}
}

func TestSDKRangedGet(t *testing.T) {
	const body = "0123456789abcdefghij" // 20 bytes
	cases := []struct {
		name         string
		rangeHeader  string
		standard     bool
		wantStatus   int
		wantRange    string
		wantBody     string
		wantErrorFor int // the status of an OSS error, instead of a body
	}{
		{name: "first and last byte", rangeHeader: "bytes=2-5", wantStatus: 206, wantRange: "bytes 2-5/20", wantBody: "2345"},
		{name: "one byte", rangeHeader: "bytes=0-0", wantStatus: 206, wantRange: "bytes 0-0/20", wantBody: "0"},
		{name: "open range to the end", rangeHeader: "bytes=17-", wantStatus: 206, wantRange: "bytes 17-19/20", wantBody: "hij"},
		{name: "suffix range", rangeHeader: "bytes=-4", wantStatus: 206, wantRange: "bytes 16-19/20", wantBody: "ghij"},
		{name: "whole object as a range", rangeHeader: "bytes=0-19", wantStatus: 206, wantRange: "bytes 0-19/20", wantBody: body},
		{name: "last byte past the end: whole object", rangeHeader: "bytes=10-25", wantStatus: 200, wantBody: body},
		{name: "first byte past the end: whole object", rangeHeader: "bytes=20-", wantStatus: 200, wantBody: body},
		{name: "suffix longer than the object: whole object", rangeHeader: "bytes=-30", wantStatus: 200, wantBody: body},
		{name: "reversed range is invalid: whole object", rangeHeader: "bytes=5-2", wantStatus: 200, wantBody: body},
		{name: "several ranges: the first", rangeHeader: "bytes=0-1,4-5", wantStatus: 206, wantRange: "bytes 0-1/20", wantBody: "01"},
		{name: "standard, last byte past the end: clamped", rangeHeader: "bytes=10-25", standard: true,
			wantStatus: 206, wantRange: "bytes 10-19/20", wantBody: "abcdefghij"},
		{name: "standard, suffix longer than the object: all of it", rangeHeader: "bytes=-30", standard: true,
			wantStatus: 206, wantRange: "bytes 0-19/20", wantBody: body},
		{name: "standard, first byte past the end: 416", rangeHeader: "bytes=20-", standard: true, wantErrorFor: 416},
		{name: "standard, several ranges: 416", rangeHeader: "bytes=0-1,4-5", standard: true, wantErrorFor: 416},
		{name: "standard, reversed range is still ignored", rangeHeader: "bytes=5-2", standard: true, wantStatus: 200, wantBody: body},
	}
	for _, kind := range sdkKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, trickyKey, []byte(body), "", nil)
			c := kind.open(t, f.internal, stsIdentity)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					got, err := c.Get(trickyKey, tc.rangeHeader, tc.standard)
					if tc.wantErrorFor != 0 {
						status, code, _ := serviceErrorOf(t, err)
						assert.Equal(t, tc.wantErrorFor, status)
						assert.Equal(t, "InvalidRange", code)
						return
					}
					require.NoError(t, err)
					assert.Equal(t, tc.wantStatus, got.status)
					assert.Equal(t, tc.wantRange, got.contentRange)
					assert.Equal(t, tc.wantBody, string(got.body))
				})
			}
		})
	}
}

// keys with every character a listing must carry back intact: space, '+',
// '%', '&', '<', Chinese, a control character XML cannot hold.
var listKeys = []string{
	"list/a b+c.jpg", "list/x%y&z<.jpg", "list/行驶证.jpg", "list/ctl\x01.jpg",
	"list/sub/1.jpg", "list/sub/2.jpg", "list/zzz/1.jpg", "other.jpg",
}

func TestSDKListObjectsV1(t *testing.T) {
	for _, kind := range sdkKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			for _, k := range listKeys {
				f.srv.PutObject(bucketName, k, []byte(k), "", nil)
			}
			c := kind.open(t, f.internal, stsIdentity)

			t.Run("delimiter, one page", func(t *testing.T) {
				page, err := c.ListV1("list/", "", "/", 100)
				require.NoError(t, err)
				assert.Equal(t, []string{"list/a b+c.jpg", "list/ctl\x01.jpg", "list/x%y&z<.jpg", "list/行驶证.jpg"}, page.keys)
				assert.Equal(t, []string{"list/sub/", "list/zzz/"}, page.prefixes)
				assert.False(t, page.truncated)
			})
			t.Run("marker pages of two", func(t *testing.T) {
				keys, prefixes, _ := followPages(t, func(marker string) (listPage, error) { return c.ListV1("list/", marker, "/", 2) })
				assert.Equal(t, []string{"list/a b+c.jpg", "list/ctl\x01.jpg", "list/x%y&z<.jpg", "list/行驶证.jpg"}, keys)
				assert.Equal(t, []string{"list/sub/", "list/zzz/"}, prefixes)
			})
			t.Run("marker is exclusive and need not exist", func(t *testing.T) {
				page, err := c.ListV1("", "list/sub/1.jpg", "", 100)
				require.NoError(t, err)
				assert.Equal(t, []string{"list/sub/2.jpg", "list/x%y&z<.jpg", "list/zzz/1.jpg", "list/行驶证.jpg", "other.jpg"}, page.keys)
				page, err = c.ListV1("", "list/t", "", 100)
				require.NoError(t, err)
				assert.Equal(t, []string{"list/x%y&z<.jpg", "list/zzz/1.jpg", "list/行驶证.jpg", "other.jpg"}, page.keys)
			})
		})
	}
}

func TestSDKListObjectsV2(t *testing.T) {
	for _, kind := range sdkKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			for _, k := range listKeys {
				f.srv.PutObject(bucketName, k, []byte(k), "", nil)
			}
			c := kind.open(t, f.internal, stsIdentity)
			keys, prefixes, _ := followPages(t, func(token string) (listPage, error) { return c.ListV2("list/", token, "/", 2) })
			assert.Equal(t, []string{"list/a b+c.jpg", "list/ctl\x01.jpg", "list/x%y&z<.jpg", "list/行驶证.jpg"}, keys)
			assert.Equal(t, []string{"list/sub/", "list/zzz/"}, prefixes)
		})
	}
}

func TestSDKObjectACL(t *testing.T) {
	for _, kind := range sdkKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			c := kind.open(t, f.internal, stsIdentity)

			require.NoError(t, c.Put("plain.jpg", []byte("x"), ""))
			acl, err := c.GetACL("plain.jpg")
			require.NoError(t, err)
			assert.Equal(t, "default", acl, "an object's ACL until one is set")

			require.NoError(t, c.Put(trickyKey, []byte("x"), "public-read"))
			acl, err = c.GetACL(trickyKey)
			require.NoError(t, err)
			assert.Equal(t, "public-read", acl, "x-oss-object-acl on PutObject")

			for _, want := range []string{"private", "public-read-write", "default"} {
				require.NoError(t, c.PutACL(trickyKey, want))
				acl, err = c.GetACL(trickyKey)
				require.NoError(t, err)
				assert.Equal(t, want, acl)
			}
			stored, ok := f.srv.Object(bucketName, trickyKey)
			require.True(t, ok)
			assert.Equal(t, "default", stored.ACL)
			assert.Equal(t, []byte("x"), stored.Body, "PutObjectAcl keeps the object")

			status, code, _ := serviceErrorOf(t, c.PutACL(trickyKey, "authenticated-read"))
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "InvalidArgument", code)
			status, code, _ = serviceErrorOf(t, c.Put("refused.jpg", []byte("x"), "everyone"))
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "InvalidArgument", code)
			_, ok = f.srv.Object(bucketName, "refused.jpg")
			assert.False(t, ok)
			_, err = c.GetACL("missing.jpg")
			status, code, _ = serviceErrorOf(t, err)
			assert.Equal(t, http.StatusNotFound, status)
			assert.Equal(t, "NoSuchKey", code)
		})
	}
}

func TestSDKMultipartWithEncodedKeys(t *testing.T) {
	// '+', space, '%' and Chinese: a key the SDKs only get back intact if
	// encoding-type=url is honoured where they ask for it.
	const key = "multi/行驶证 1+1%.jpg"
	first := bytes.Repeat([]byte("a"), 100*1024)
	last := []byte("the end")
	for _, kind := range sdkKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			c := kind.open(t, f.internal, stsIdentity)

			got, err := c.Multipart(key, [][]byte{first, last})
			require.NoError(t, err)
			assert.Equal(t, key, got.initiatedKey)
			assert.Equal(t, key, got.listedKey)
			assert.Equal(t, []int{1, 2}, got.listedParts)
			assert.Equal(t, []string{key}, got.uploadKeys)
			if got.completedKey != "" {
				assert.Equal(t, key, got.completedKey)
			}
			assert.Regexp(t, `^"[0-9A-F]{32}-2"$`, got.etag)
			requireStored(t, f, key, append(slices.Clone(first), last...))
			assert.Empty(t, f.srv.MultipartUploads(bucketName))
		})
	}
}

func TestSDKPresignedURL(t *testing.T) {
	for _, kind := range sdkKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, trickyKey, []byte("jpeg"), "image/jpeg", nil)
			c := kind.open(t, f.public, stsIdentity)
			signed, err := c.PresignGet(trickyKey, time.Minute)
			require.NoError(t, err)

			resp := httpGet(t, signed)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Equal(t, "jpeg", string(body))
			got := lastRequest(t, f.srv)
			assert.Equal(t, kind.urlKind, got.Auth)
			assert.Equal(t, stsID, got.AccessKeyID)

			tampered := mustParseURL(t, signed)
			q := tampered.Query()
			sig := "Signature"
			if kind.urlKind == ossserver.AuthURLV4 {
				sig = "x-oss-signature"
			}
			q.Set(sig, flipSignature(q.Get(sig)))
			tampered.RawQuery = q.Encode()
			resp = httpGet(t, tampered.String())
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			assert.Equal(t, "SignatureDoesNotMatch", lastRequest(t, f.srv).ErrorCode)

			f.clock.Advance(2 * time.Minute)
			resp = httpGet(t, signed)
			body, err = io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			assert.Contains(t, string(body), "<Code>AccessDenied</Code>")
			assert.Contains(t, string(body), "<Message>Request has expired.</Message>")
		})
	}
}

// flipSignature changes the first character of a hex (V4) or base64 (V1)
// signature to another digit, which no case folding can undo.
func flipSignature(s string) string {
	if s[0] == '0' {
		return "1" + s[1:]
	}
	return "0" + s[1:]
}

func TestSDKListBuckets(t *testing.T) {
	for _, kind := range sdkKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.CreateBucket("zeta")
			f.srv.CreateBucket("alpha")
			c := kind.open(t, f.internal, permanentIdentity)
			names, err := c.ListBuckets()
			require.NoError(t, err)
			assert.Equal(t, []string{"alpha", bucketName, "zeta"}, names)
			got := lastRequest(t, f.srv)
			assert.Equal(t, "ListBuckets", got.Operation)
			assert.Empty(t, got.Bucket)
			assert.Equal(t, kind.headerKind, got.Auth)
		})
	}
}
