// Package ossserver is an in-process, OSS-compatible HTTP server for tests,
// the local demo and benchmarks. The official clients a user already has
// talk to it over real HTTP with their usual settings and cannot tell it
// from OSS for the operations below: the Go SDK v1
// (github.com/aliyun/aliyun-oss-go-sdk/oss) and v2
// (github.com/aliyun/alibabacloud-oss-go-sdk-v2), each signing V1 or V4,
// ossutil 1.7 (V1 by default, or --sign-version v4) and the Node.js SDK
// ali-oss (V1 by default, or authorizationV4).
//
// What it speaks:
//   - both addressing styles (addressing.go): path style, /<bucket>/<key>,
//     which the Go SDKs and ossutil choose by themselves for an IP:port
//     endpoint, as every listener is; and virtual-hosted style,
//     Host: <bucket>.<endpoint> with path /<key>, which ali-oss keeps for
//     an IP endpoint (it sends Host: <bucket>.oss-<region>.aliyuncs.com)
//     and every client uses with an OSS hostname as endpoint;
//   - signature V1 (sigv1.go: "Authorization: OSS <AccessKeyId>:<sig>",
//     HMAC-SHA1, and URLs with OSSAccessKeyId, Expires, Signature and
//     security-token) and signature V4 (sigv4.go, auth.go: OSS4-HMAC-SHA256
//     in the Authorization header or the query), with or without a
//     security token, verified the way OSS does: unknown keys, wrong
//     secrets, tampered requests, wrong or missing tokens, skewed clocks
//     and expired URLs are refused with OSS's codes (InvalidAccessKeyId,
//     SignatureDoesNotMatch, InvalidSecurityToken, SecurityTokenExpired,
//     RequestTimeTooSkewed, AccessDenied "Request has expired."). V1 signs
//     the sub-resources every client signs (the union of their lists); V2
//     (OSS2) is refused with InvalidArgument;
//   - PutObject, GetObject, HeadObject, GetObjectMeta (HEAD ?objectMeta)
//     and DeleteObject (objects.go), with ETag (quoted upper-case hex MD5),
//     Content-Type, x-oss-meta-*, x-oss-hash-crc64ecma (so the SDKs' CRC
//     checks run), the response-* overrides, x-oss-forbid-overwrite and a
//     checked Content-MD5; CopyObject (copy.go, x-oss-copy-source, within
//     or across buckets, metadata COPY or REPLACE) and DeleteMultipleObjects
//     (delete.go, POST ?delete);
//   - Range on GetObject (range.go) as OSS documents it: 206 with
//     Content-Range for a valid range, "bytes=N-" and "bytes=-N" included;
//     by default a range outside the object or of invalid syntax is
//     ignored (200, whole object); with x-oss-range-behavior: standard an
//     end past the object is clamped and a start past it is 416
//     InvalidRange. HEAD ignores Range;
//   - object ACLs (acl.go): x-oss-object-acl on PutObject, CopyObject and
//     InitiateMultipartUpload, PutObjectAcl and GetObjectAcl (GET or HEAD
//     ?acl, "default" until set); default, private, public-read and
//     public-read-write, anything else InvalidArgument. A public-read(-write)
//     object can be read without a signature; buckets are private;
//   - ListBuckets (service.go, GET /), ListObjects V1 (listv1.go: prefix,
//     marker, delimiter, max-keys, encoding-type) and ListObjectsV2
//     (list.go: also continuation-token, start-after, fetch-owner): keys in
//     byte order, OSS's XML, continuation tokens of OSS's shape, and with
//     encoding-type=url every key-like string percent-encoded ('+' as %2B,
//     space as %20, '/' kept);
//   - multipart upload (multipart.go, multipart_list.go):
//     InitiateMultipartUpload, UploadPart, CompleteMultipartUpload,
//     AbortMultipartUpload, ListParts and ListMultipartUploads, with OSS's
//     checks (NoSuchUpload, InvalidPart, InvalidPartOrder, EntityTooSmall
//     for a part but the last under 100 KB), its "<hex>-<parts>" ETag and
//     encoding-type=url on the answers that name keys; Content-Type,
//     x-oss-meta-* and the ACL come from the initiation;
//   - bucket versioning, once EnableVersioning turns it on for a bucket:
//     every PutObject, CompleteMultipartUpload and CopyObject creates a new
//     version whose opaque ID ("CAEQ...") it answers in x-oss-version-id;
//     GET, HEAD, ?acl and a copy source return the latest version, or with
//     versionId that version (404 NoSuchVersion if there is none).
//     versionId is signed like any query parameter. Objects stored before
//     versioning was enabled are version "null". DeleteObject without
//     versionId hides the key (GET, HEAD and listings answer as if it were
//     gone) but keeps its versions readable by ID, as behind OSS's delete
//     marker, though no delete marker is created or reported
//     (no x-oss-delete-marker); DeleteObject with versionId,
//     ListObjectVersions and Get/PutBucketVersioning are refused. Buckets
//     never versioned send no x-oss-version-id, and only accept
//     versionId=null;
//   - OSS-style XML errors; HEAD errors carry the same XML base64-encoded in
//     the x-oss-err header, as OSS does, so the SDKs still see the code.
//
// Which operation a request asks for is decided first (router.go), from
// its method, level and sub-resource parameters, as OSS does. Anything
// recognised but not implemented (unimplemented.go: tagging, symlinks,
// AppendObject, PostObject, UploadPartCopy, RestoreObject, x-oss-process,
// bucket configuration such as ?lifecycle, ?cors, ?acl, PutBucket, ...)
// is refused with 501 NotImplemented and a message naming it, e.g. "the
// local OSS server does not implement GetBucketLifecycle (GET ?lifecycle
// on a bucket)", and so is a parameter an implemented operation does not
// take: GET /b/k?tagging is never answered with the object. Conditional
// headers (If-Match, If-None-Match, If-Modified-Since, ...) on GetObject
// are ignored and the object returned; those of CopyObject are refused.
// An x-oss-content-sha256 other than UNSIGNED-PAYLOAD is covered by the
// signature but not compared with the body. Request.Operation logs OSS's
// name for every request, implemented or not.
//
// One Server holds one store and can serve it on several listeners at once,
// typically "internal" (where the function reads and writes) and "public"
// (the host of the URLs handed to a third party). Every request is recorded
// with the name of the listener that served it; see Server.Requests.
// Fault injection (SetFault) and the log cover every operation alike.
//
// Uploads can notify, so that a local FC emulator can deliver OSS trigger
// events: OnObjectCreated sets a callback that receives an ObjectCreated for
// every PutObject, CompleteMultipartUpload and CopyObject served by a
// listener (and for PutObjectNotify), after the response, on a goroutine of the server, in the
// order of the writes; EventPayload turns one into the JSON FC hands the
// function. Seeding with the PutObject method does not notify.
//
// Typical use in a test:
//
//	srv := ossserver.New(ossserver.Config{Region: "cn-hangzhou"})
//	t.Cleanup(func() { _ = srv.Close() })
//	internal, err := srv.Listen("internal", "127.0.0.1:0")
//	public, err := srv.Listen("public", "127.0.0.1:0")
//	srv.AllowCredentials(ossserver.Credentials{AccessKeyID: "STS.id", AccessKeySecret: "secret", SecurityToken: "token"})
//	srv.CreateBucket("images")
//	client, err := oss.New(internal, "STS.id", "secret", oss.SecurityToken("token"),
//		oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou"))
//
// Secrets (AccessKey secrets, security tokens, signatures) never appear in
// the server's error messages or in its request log.
//
// The tests run the real clients: the Go SDKs always, and, when the
// environment names them, ossutil (OSSUTIL, the path of an ossutil 1.7
// binary) and ali-oss (ALIOSS_NODE_MODULES, a node_modules directory
// holding ali-oss, run by node with testdata/alioss-check.mjs). Neither is
// a dependency of this module; outside the repository:
//
//	mkdir -p /tmp/ossutil && cd /tmp/ossutil && go mod init scratch &&
//	  go get github.com/aliyun/ossutil@v1.7.19 &&
//	  GOFLAGS=-mod=mod go build -o /tmp/ossutil/ossutil github.com/aliyun/ossutil
//	mkdir -p /tmp/alioss && cp tools/bench/node/package.json tools/bench/node/package-lock.json /tmp/alioss/ &&
//	  (cd /tmp/alioss && npm ci --no-audit --no-fund)
//	OSSUTIL=/tmp/ossutil/ossutil ALIOSS_NODE_MODULES=/tmp/alioss/node_modules \
//	  go test ./tools/localcloud/ossserver/
package ossserver
