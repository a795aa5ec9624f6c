package ossserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// aliOSSResult is what testdata/alioss-check.mjs prints.
type aliOSSResult struct {
	Put struct {
		Status int
		ETag   string
	}
	Get struct {
		Status int
		Body   string
	}
	Range, SuffixRange struct {
		Status       int
		ContentRange string
		Body         string
	}
	Head struct {
		Status        int
		ContentLength string
		ETag          string
	}
	ACL       string
	List      []string
	ListV2    []string
	Multipart struct {
		Status int
		Name   string
	}
	SignedGet, AnonymousGet struct {
		Status int
		Body   string
	}
	Delete struct{ Status int }
}

// aliOSSCheck runs testdata/alioss-check.mjs with node and the ali-oss in
// $ALIOSS_NODE_MODULES (the Node.js SDK, as tools/bench/node pins it),
// with env added to the environment, and decodes what it prints into out.
// It skips the test when ALIOSS_NODE_MODULES is not set.
func aliOSSCheck(t *testing.T, env []string, out any) {
	t.Helper()
	modules := os.Getenv("ALIOSS_NODE_MODULES")
	if modules == "" {
		t.Skip("set ALIOSS_NODE_MODULES to a node_modules directory holding ali-oss to run this test")
	}
	_, err := os.Stat(filepath.Join(modules, "ali-oss", "package.json"))
	require.NoError(t, err, "ALIOSS_NODE_MODULES must hold ali-oss")
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node must be on PATH when ALIOSS_NODE_MODULES is set")
	script, err := filepath.Abs(filepath.Join("testdata", "alioss-check.mjs"))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(append(os.Environ(), "ALIOSS_NODE_MODULES="+modules), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, "node alioss-check.mjs: %s", stderr.String())
	require.NoError(t, json.Unmarshal(stdout, out), string(stdout))
}

// TestAliOSS drives the server with ali-oss, in its default signature V1
// and in V4.
func TestAliOSS(t *testing.T) {
	const key = "node/行驶证 a+b.txt"
	cases := []struct {
		name     string
		sign     string
		who      identity
		wantAuth ossserver.AuthKind
	}{
		{"signature V1, permanent key", "v1", permanentIdentity, ossserver.AuthHeaderV1},
		{"signature V1, STS token", "v1", stsIdentity, ossserver.AuthHeaderV1},
		{"signature V4, STS token", "v4", stsIdentity, ossserver.AuthHeaderV4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, "node/other.txt", []byte("x"), "", nil)
			f.srv.PutObject(bucketName, "node/sub/deeper.txt", []byte("x"), "", nil)

			var got aliOSSResult
			aliOSSCheck(t, []string{
				"OSS_ENDPOINT=" + f.internal,
				"OSS_REGION=oss-" + region,
				"OSS_BUCKET=" + bucketName,
				"OSS_ACCESS_KEY_ID=" + tc.who.id,
				"OSS_ACCESS_KEY_SECRET=" + tc.who.secret,
				"OSS_STS_TOKEN=" + tc.who.token,
				"OSS_SIGN=" + tc.sign,
				"OSS_KEY=" + key,
			}, &got)

			body := "0123456789abcdefghij"
			assert.Equal(t, 200, got.Put.Status)
			assert.Equal(t, md5ETag([]byte(body)), got.Put.ETag)
			assert.Equal(t, 200, got.Get.Status)
			assert.Equal(t, body, got.Get.Body)
			assert.Equal(t, 206, got.Range.Status)
			assert.Equal(t, "bytes 2-5/20", got.Range.ContentRange)
			assert.Equal(t, "2345", got.Range.Body)
			assert.Equal(t, 206, got.SuffixRange.Status)
			assert.Equal(t, "bytes 17-19/20", got.SuffixRange.ContentRange)
			assert.Equal(t, "hij", got.SuffixRange.Body)
			assert.Equal(t, 200, got.Head.Status)
			assert.Equal(t, "20", got.Head.ContentLength)
			assert.Equal(t, "public-read", got.ACL)
			assert.Equal(t, []string{"node/other.txt", key}, got.List, "ListObjects with a delimiter, keys URL-decoded")
			assert.Equal(t, []string{"node/other.txt", "node/sub/deeper.txt", key}, got.ListV2)
			assert.Equal(t, 200, got.Multipart.Status)
			multipart := requireStored(t, f, key+".multipart", bytes.Repeat([]byte("x"), 250*1024))
			assert.Regexp(t, `-3"$`, multipart.ETag)
			assert.Equal(t, 200, got.SignedGet.Status, got.SignedGet.Body)
			assert.Equal(t, body, got.SignedGet.Body)
			assert.Equal(t, 200, got.AnonymousGet.Status, got.AnonymousGet.Body)
			assert.Equal(t, body, got.AnonymousGet.Body)
			assert.Equal(t, 204, got.Delete.Status)
			_, ok := f.srv.Object(bucketName, key)
			assert.False(t, ok)

			signedURL := ossserver.AuthURLV1
			if tc.sign == "v4" {
				signedURL = ossserver.AuthURLV4
			}
			var auths []ossserver.AuthKind
			for _, r := range f.srv.Requests() {
				assert.Empty(t, r.ErrorCode, "%s %s", r.Method, r.Operation)
				auths = append(auths, r.Auth)
				if r.Auth == tc.wantAuth {
					assert.True(t, r.VirtualHosted, "ali-oss addresses the bucket by Host for an IP endpoint")
				}
			}
			n := len(auths)
			require.Greater(t, n, 2)
			assert.Equal(t, []ossserver.AuthKind{signedURL, ossserver.AuthAnonymous, tc.wantAuth}, auths[n-3:],
				"the signed URL, the anonymous GET, then the DELETE")
		})
	}
}

// aliOSSFunctionResult is what testdata/alioss-check.mjs prints with
// OSS_CHECK=function.
type aliOSSFunctionResult struct {
	PutImage, PutResult struct {
		Status int
		ETag   string
	}
	HeadImage, HeadAgain, HeadResult aliOSSHead

	SignedGet struct {
		Status int
		Body   string
	}
	BadDigest, HeadMissing aliOSSFailure
	PathAndHost            struct{ Head, Put aliOSSFailure }
}

type aliOSSHead struct {
	Status        int
	ETag          string
	ContentLength string
	Meta          map[string]string // ali-oss's r.meta: x-oss-meta-* without the prefix
}

// aliOSSFailure is the status and code a call failed with; code "" if it
// did not fail.
type aliOSSFailure struct {
	Status int
	Code   string
}

// TestAliOSSAsTheFunction makes the calls of tools/bench/node/index.js
// with its clients on the IP endpoints the bench gives it, signing with
// V4 and an STS token: HEAD of the image and of the missing result, a V4
// signed URL on the public endpoint, PUTs with x-oss-meta-*, Content-MD5 and
// x-oss-object-acl. For an IP endpoint ali-oss sends
// Host: <bucket>.oss-<region>.aliyuncs.com itself; with sldEnable as well
// (what index.js did) the path also starts with /<bucket>/, which OSS reads
// as part of the key, so the signature over /<bucket>/<key> must not match.
func TestAliOSSAsTheFunction(t *testing.T) {
	const key = "uploads/行驶证 a+b.jpg"
	const resultKey = key + ".json"
	f := newFixture(t)
	var got aliOSSFunctionResult
	aliOSSCheck(t, []string{
		"OSS_CHECK=function",
		"OSS_ENDPOINT=" + f.internal,
		"OSS_PUBLIC_ENDPOINT=" + f.public,
		"OSS_REGION=oss-" + region,
		"OSS_BUCKET=" + bucketName,
		"OSS_ACCESS_KEY_ID=" + stsID,
		"OSS_ACCESS_KEY_SECRET=" + stsSecret,
		"OSS_STS_TOKEN=" + stsToken,
		"OSS_SIGN=v4",
		"OSS_KEY=" + key,
	}, &got)

	image := []byte("not really a JPEG")
	assert.Equal(t, 200, got.PutImage.Status)
	assert.Equal(t, md5ETag(image), got.PutImage.ETag)
	stored := requireStored(t, f, key, image)
	assert.Equal(t, "private", stored.ACL)
	assert.Equal(t, map[string]string{"card-side": "back"}, stored.Meta)
	assert.Equal(t, aliOSSFailure{400, "InvalidDigest"}, got.BadDigest, "Content-MD5 is signed and checked")

	for name, h := range map[string]aliOSSHead{"first HEAD": got.HeadImage, "second HEAD": got.HeadAgain} {
		assert.Equal(t, 200, h.Status, name)
		assert.Equal(t, md5ETag(image), h.ETag, name)
		assert.Equal(t, strconv.Itoa(len(image)), h.ContentLength, name)
		assert.Equal(t, map[string]string{"card-side": "back"}, h.Meta, name)
	}
	assert.Equal(t, aliOSSFailure{404, "NoSuchKey"}, got.HeadMissing)
	assert.Equal(t, 200, got.SignedGet.Status, got.SignedGet.Body)
	assert.Equal(t, string(image), got.SignedGet.Body)

	assert.Equal(t, 200, got.PutResult.Status)
	result, ok := f.srv.Object(bucketName, resultKey)
	require.True(t, ok)
	assert.Equal(t, "application/json; charset=utf-8", result.ContentType)
	wantMeta := map[string]string{
		"source-etag":   strings.Trim(md5ETag(image), `"`),
		"result-status": "succeeded",
		"outcome":       "succeeded",
	}
	assert.Equal(t, wantMeta, result.Meta)
	assert.Equal(t, 200, got.HeadResult.Status)
	assert.Equal(t, wantMeta, got.HeadResult.Meta)

	assert.Equal(t, aliOSSFailure{403, "SignatureDoesNotMatch"}, got.PathAndHost.Head)
	assert.Equal(t, aliOSSFailure{403, "SignatureDoesNotMatch"}, got.PathAndHost.Put)
	assert.NotContains(t, f.srv.Keys(bucketName), bucketName+"/"+resultKey)

	// Every request: the function's addressed by Host with the key as
	// the path, the signed URL by path on the public listener, and the
	// sldEnable ones read as the key <bucket>/<key>.
	var signedURLs, refused int
	for _, r := range f.srv.Requests() {
		what := r.Method + " " + r.Operation + " " + r.Key
		assert.Equal(t, bucketName, r.Bucket, what)
		switch {
		case r.Listener == "public":
			signedURLs++
			assert.Equal(t, ossserver.AuthURLV4, r.Auth, what)
			assert.False(t, r.VirtualHosted, what)
			assert.Equal(t, key, r.Key, what)
			assert.Empty(t, r.ErrorCode, what)
		case strings.HasPrefix(r.Key, bucketName+"/"):
			assert.Equal(t, ossserver.AuthHeaderV4, r.Auth, what)
			assert.True(t, r.VirtualHosted, what)
			assert.Equal(t, "SignatureDoesNotMatch", r.ErrorCode, what)
			refused++
		default:
			assert.Equal(t, ossserver.AuthHeaderV4, r.Auth, what)
			assert.True(t, r.VirtualHosted, what)
			assert.Contains(t, []string{key, key + ".bad", resultKey}, r.Key, what)
			assert.Contains(t, []string{"", "InvalidDigest", "NoSuchKey"}, r.ErrorCode, what)
		}
	}
	assert.Equal(t, 1, signedURLs)
	assert.Equal(t, 2, refused, "the sldEnable HEAD and PUT")
	assert.Equal(t, 1, countLogged(f.srv, "HeadObject", 404))
}
