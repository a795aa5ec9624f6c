package ossserver_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	oss2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// sdkClient is what the conformance tests ask of an official SDK, so that
// one table of cases runs against the Go SDK v1 and v2, each signing V1
// and V4, through their own typed calls.
type sdkClient interface {
	Put(key string, body []byte, acl string) error
	// Get sends Range: rangeHeader when not empty, and
	// x-oss-range-behavior: standard when standard.
	Get(key, rangeHeader string, standard bool) (getResult, error)
	Head(key string) (http.Header, error)
	Delete(key string) error
	ListV1(prefix, marker, delimiter string, maxKeys int) (listPage, error)
	ListV2(prefix, token, delimiter string, maxKeys int) (listPage, error)
	GetACL(key string) (string, error)
	PutACL(key, acl string) error
	// Multipart uploads parts as one object, listing the parts and the
	// uploads in progress before completing it.
	Multipart(key string, parts [][]byte) (multipartResult, error)
	PresignGet(key string, expires time.Duration) (string, error)
	ListBuckets() ([]string, error)
}

type getResult struct {
	status       int
	contentRange string
	body         []byte
}

type listPage struct {
	keys, prefixes []string
	next           string // NextMarker or NextContinuationToken
	truncated      bool
}

type multipartResult struct {
	initiatedKey string // the Key InitiateMultipartUpload answered
	listedParts  []int  // ListParts
	listedKey    string // the Key ListParts answered
	uploadKeys   []string
	completedKey string // the Key CompleteMultipartUpload answered; "" if the SDK does not show it
	etag         string
}

// sdkKind is one SDK in one signing mode.
type sdkKind struct {
	name       string
	open       func(t *testing.T, endpoint string, who identity) sdkClient
	headerKind ossserver.AuthKind // how its requests are signed
	urlKind    ossserver.AuthKind // how its presigned URLs are signed
}

var sdkKinds = []sdkKind{
	{"Go SDK v1, signature V1 (its default)", func(t *testing.T, endpoint string, who identity) sdkClient {
		return openSDKV1(t, endpoint, who, false)
	}, ossserver.AuthHeaderV1, ossserver.AuthURLV1},
	{"Go SDK v1, signature V4", func(t *testing.T, endpoint string, who identity) sdkClient {
		return openSDKV1(t, endpoint, who, true)
	}, ossserver.AuthHeaderV4, ossserver.AuthURLV4},
	{"Go SDK v2, signature V4 (its default)", func(t *testing.T, endpoint string, who identity) sdkClient {
		return openSDKV2(t, endpoint, who, false)
	}, ossserver.AuthHeaderV4, ossserver.AuthURLV4},
	{"Go SDK v2, signature V1", func(t *testing.T, endpoint string, who identity) sdkClient {
		return openSDKV2(t, endpoint, who, true)
	}, ossserver.AuthHeaderV1, ossserver.AuthURLV1},
}

// serviceErrorOf returns the HTTP status, code and message of an OSS error
// from either SDK, failing the test for any other error.
func serviceErrorOf(t *testing.T, err error) (status int, code, message string) {
	t.Helper()
	var v1 oss.ServiceError
	if errors.As(err, &v1) {
		assertNoSecrets(t, v1.RawMessage)
		return v1.StatusCode, v1.Code, v1.Message
	}
	var v2 *oss2.ServiceError
	if errors.As(err, &v2) {
		assertNoSecrets(t, string(v2.Snapshot))
		return v2.StatusCode, v2.Code, v2.Message
	}
	require.Fail(t, "not an OSS error", "%T: %v", err, err)
	return 0, "", ""
}

// sdkV1 is the Go SDK v1 (github.com/aliyun/aliyun-oss-go-sdk).
type sdkV1 struct {
	client *oss.Client
	b      *oss.Bucket
}

func openSDKV1(t *testing.T, endpoint string, who identity, v4 bool) sdkClient {
	t.Helper()
	var opts []oss.ClientOption
	if v4 {
		opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(region))
	}
	if who.token != "" {
		opts = append(opts, oss.SecurityToken(who.token))
	}
	client, err := oss.New(endpoint, who.id, who.secret, opts...)
	require.NoError(t, err)
	b, err := client.Bucket(bucketName)
	require.NoError(t, err)
	return sdkV1{client: client, b: b}
}

func (s sdkV1) Put(key string, body []byte, acl string) error {
	var opts []oss.Option
	if acl != "" {
		opts = append(opts, oss.ObjectACL(oss.ACLType(acl)))
	}
	return s.b.PutObject(key, bytes.NewReader(body), opts...)
}

func (s sdkV1) Get(key, rangeHeader string, standard bool) (getResult, error) {
	var opts []oss.Option
	if rangeHeader != "" {
		opts = append(opts, oss.NormalizedRange(strings.TrimPrefix(rangeHeader, "bytes=")))
	}
	if standard {
		opts = append(opts, oss.RangeBehavior("standard"))
	}
	res, err := s.b.DoGetObject(&oss.GetObjectRequest{ObjectKey: key}, opts)
	if err != nil {
		return getResult{}, err
	}
	defer func() { _ = res.Response.Close() }()
	body, err := io.ReadAll(res.Response.Body)
	return getResult{res.Response.StatusCode, res.Response.Headers.Get("Content-Range"), body}, err
}

func (s sdkV1) Head(key string) (http.Header, error) { return s.b.GetObjectDetailedMeta(key) }

func (s sdkV1) Delete(key string) error { return s.b.DeleteObject(key) }

func (s sdkV1) ListV1(prefix, marker, delimiter string, maxKeys int) (listPage, error) {
	res, err := s.b.ListObjects(oss.Prefix(prefix), oss.Marker(marker), oss.Delimiter(delimiter), oss.MaxKeys(maxKeys))
	page := listPage{prefixes: res.CommonPrefixes, next: res.NextMarker, truncated: res.IsTruncated}
	for _, o := range res.Objects {
		page.keys = append(page.keys, o.Key)
	}
	return page, err
}

func (s sdkV1) ListV2(prefix, token, delimiter string, maxKeys int) (listPage, error) {
	res, err := s.b.ListObjectsV2(oss.Prefix(prefix), oss.ContinuationToken(token), oss.Delimiter(delimiter), oss.MaxKeys(maxKeys))
	page := listPage{prefixes: res.CommonPrefixes, next: res.NextContinuationToken, truncated: res.IsTruncated}
	for _, o := range res.Objects {
		page.keys = append(page.keys, o.Key)
	}
	return page, err
}

func (s sdkV1) GetACL(key string) (string, error) {
	res, err := s.b.GetObjectACL(key)
	return res.ACL, err
}

func (s sdkV1) PutACL(key, acl string) error { return s.b.SetObjectACL(key, oss.ACLType(acl)) }

func (s sdkV1) Multipart(key string, parts [][]byte) (multipartResult, error) {
	var out multipartResult
	imur, err := s.b.InitiateMultipartUpload(key)
	if err != nil {
		return out, err
	}
	out.initiatedKey = imur.Key
	var uploaded []oss.UploadPart
	for i, p := range parts {
		part, err := s.b.UploadPart(imur, bytes.NewReader(p), int64(len(p)), i+1)
		if err != nil {
			return out, err
		}
		uploaded = append(uploaded, part)
	}
	lp, err := s.b.ListUploadedParts(imur)
	if err != nil {
		return out, err
	}
	out.listedKey = lp.Key
	for _, p := range lp.UploadedParts {
		out.listedParts = append(out.listedParts, p.PartNumber)
	}
	lmu, err := s.b.ListMultipartUploads(oss.Prefix(key))
	if err != nil {
		return out, err
	}
	for _, u := range lmu.Uploads {
		out.uploadKeys = append(out.uploadKeys, u.Key)
	}
	res, err := s.b.CompleteMultipartUpload(imur, uploaded)
	out.completedKey, out.etag = res.Key, res.ETag
	return out, err
}

func (s sdkV1) PresignGet(key string, expires time.Duration) (string, error) {
	return s.b.SignURL(key, oss.HTTPGet, int64(expires/time.Second))
}

func (s sdkV1) ListBuckets() ([]string, error) {
	res, err := s.client.ListBuckets()
	var names []string
	for _, b := range res.Buckets {
		names = append(names, b.Name)
	}
	return names, err
}

// sdkV2 is the Go SDK v2 (github.com/aliyun/alibabacloud-oss-go-sdk-v2).
type sdkV2 struct {
	c *oss2.Client
}

func openSDKV2(t *testing.T, endpoint string, who identity, v1 bool) sdkClient {
	t.Helper()
	cfg := oss2.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(who.id, who.secret, who.token)).
		WithRegion(region).
		WithEndpoint(endpoint).
		WithRetryMaxAttempts(1)
	if v1 {
		cfg = cfg.WithSignatureVersion(oss2.SignatureVersionV1)
	}
	return sdkV2{c: oss2.NewClient(cfg)}
}

// sdkCtx is the context of every v2 SDK call.
var sdkCtx = context.Background()

func (s sdkV2) Put(key string, body []byte, acl string) error {
	_, err := s.c.PutObject(sdkCtx, &oss2.PutObjectRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key),
		Body: bytes.NewReader(body), Acl: oss2.ObjectACLType(acl)})
	return err
}

func (s sdkV2) Get(key, rangeHeader string, standard bool) (getResult, error) {
	req := &oss2.GetObjectRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key)}
	if rangeHeader != "" {
		req.Range = oss2.Ptr(rangeHeader)
	}
	if standard {
		req.RangeBehavior = oss2.Ptr("standard")
	}
	res, err := s.c.GetObject(sdkCtx, req)
	if err != nil {
		return getResult{}, err
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	return getResult{res.StatusCode, oss2.ToString(res.ContentRange), body}, err
}

func (s sdkV2) Head(key string) (http.Header, error) {
	res, err := s.c.HeadObject(sdkCtx, &oss2.HeadObjectRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key)})
	if err != nil {
		return nil, err
	}
	return res.Headers, nil
}

func (s sdkV2) Delete(key string) error {
	_, err := s.c.DeleteObject(sdkCtx, &oss2.DeleteObjectRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key)})
	return err
}

func (s sdkV2) ListV1(prefix, marker, delimiter string, maxKeys int) (listPage, error) {
	res, err := s.c.ListObjects(sdkCtx, &oss2.ListObjectsRequest{Bucket: oss2.Ptr(bucketName), Prefix: oss2.Ptr(prefix),
		Marker: oss2.Ptr(marker), Delimiter: oss2.Ptr(delimiter), MaxKeys: int32(maxKeys)})
	if err != nil {
		return listPage{}, err
	}
	page := listPage{next: oss2.ToString(res.NextMarker), truncated: res.IsTruncated}
	for _, o := range res.Contents {
		page.keys = append(page.keys, oss2.ToString(o.Key))
	}
	for _, p := range res.CommonPrefixes {
		page.prefixes = append(page.prefixes, oss2.ToString(p.Prefix))
	}
	return page, nil
}

func (s sdkV2) ListV2(prefix, token, delimiter string, maxKeys int) (listPage, error) {
	req := &oss2.ListObjectsV2Request{Bucket: oss2.Ptr(bucketName), Prefix: oss2.Ptr(prefix),
		Delimiter: oss2.Ptr(delimiter), MaxKeys: int32(maxKeys)}
	if token != "" {
		req.ContinuationToken = oss2.Ptr(token)
	}
	res, err := s.c.ListObjectsV2(sdkCtx, req)
	if err != nil {
		return listPage{}, err
	}
	page := listPage{next: oss2.ToString(res.NextContinuationToken), truncated: res.IsTruncated}
	for _, o := range res.Contents {
		page.keys = append(page.keys, oss2.ToString(o.Key))
	}
	for _, p := range res.CommonPrefixes {
		page.prefixes = append(page.prefixes, oss2.ToString(p.Prefix))
	}
	return page, nil
}

func (s sdkV2) GetACL(key string) (string, error) {
	res, err := s.c.GetObjectAcl(sdkCtx, &oss2.GetObjectAclRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key)})
	if err != nil {
		return "", err
	}
	return oss2.ToString(res.ACL), nil
}

func (s sdkV2) PutACL(key, acl string) error {
	_, err := s.c.PutObjectAcl(sdkCtx, &oss2.PutObjectAclRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key),
		Acl: oss2.ObjectACLType(acl)})
	return err
}

func (s sdkV2) Multipart(key string, parts [][]byte) (multipartResult, error) {
	var out multipartResult
	init, err := s.c.InitiateMultipartUpload(sdkCtx, &oss2.InitiateMultipartUploadRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key)})
	if err != nil {
		return out, err
	}
	out.initiatedKey = oss2.ToString(init.Key)
	var uploaded []oss2.UploadPart
	for i, p := range parts {
		res, err := s.c.UploadPart(sdkCtx, &oss2.UploadPartRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key),
			UploadId: init.UploadId, PartNumber: int32(i + 1), Body: bytes.NewReader(p)})
		if err != nil {
			return out, err
		}
		uploaded = append(uploaded, oss2.UploadPart{PartNumber: int32(i + 1), ETag: res.ETag})
	}
	lp, err := s.c.ListParts(sdkCtx, &oss2.ListPartsRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key), UploadId: init.UploadId})
	if err != nil {
		return out, err
	}
	out.listedKey = oss2.ToString(lp.Key)
	for _, p := range lp.Parts {
		out.listedParts = append(out.listedParts, int(p.PartNumber))
	}
	lmu, err := s.c.ListMultipartUploads(sdkCtx, &oss2.ListMultipartUploadsRequest{Bucket: oss2.Ptr(bucketName), Prefix: oss2.Ptr(key)})
	if err != nil {
		return out, err
	}
	for _, u := range lmu.Uploads {
		out.uploadKeys = append(out.uploadKeys, oss2.ToString(u.Key))
	}
	res, err := s.c.CompleteMultipartUpload(sdkCtx, &oss2.CompleteMultipartUploadRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key),
		UploadId: init.UploadId, CompleteMultipartUpload: &oss2.CompleteMultipartUpload{Parts: uploaded}})
	if err != nil {
		return out, err
	}
	out.completedKey, out.etag = oss2.ToString(res.Key), oss2.ToString(res.ETag)
	return out, nil
}

func (s sdkV2) PresignGet(key string, expires time.Duration) (string, error) {
	res, err := s.c.Presign(sdkCtx, &oss2.GetObjectRequest{Bucket: oss2.Ptr(bucketName), Key: oss2.Ptr(key)},
		oss2.PresignExpires(expires))
	if err != nil {
		return "", err
	}
	return res.URL, nil
}

func (s sdkV2) ListBuckets() ([]string, error) {
	res, err := s.c.ListBuckets(sdkCtx, &oss2.ListBucketsRequest{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, b := range res.Buckets {
		names = append(names, oss2.ToString(b.Name))
	}
	return names, nil
}
