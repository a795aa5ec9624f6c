// Package ossserver is an in-process, OSS-compatible HTTP server for tests,
// the local demo and benchmarks. The official Go SDK
// (github.com/aliyun/aliyun-oss-go-sdk/oss) talks to it over real HTTP and
// cannot tell it from OSS for the operations the function uses.
//
// What it speaks:
//   - path-style addressing only: /<bucket>/<key>. The SDK picks path style
//     by itself when the endpoint is an IP:port, which every listener is;
//   - PutObject, GetObject, HeadObject (also GetObjectMeta) and DeleteObject,
//     with ETag (quoted upper-case hex MD5), Content-Type, x-oss-meta-* and
//     x-oss-hash-crc64ecma, so the SDK's own CRC checks run too;
//   - ListObjectsV2 (GET /<bucket>/?list-type=2) with prefix, delimiter,
//     max-keys (default 100, at most 1000), continuation-token, start-after,
//     encoding-type=url and fetch-owner: keys in byte order, OSS's XML, and
//     continuation tokens of OSS's shape;
//   - multipart upload: InitiateMultipartUpload, UploadPart,
//     CompleteMultipartUpload and AbortMultipartUpload, with OSS's checks
//     (NoSuchUpload, InvalidPart, InvalidPartOrder, EntityTooSmall for a part
//     but the last under 100 KB) and its "<hex>-<parts>" ETag; Content-Type
//     and x-oss-meta-* come from the initiation;
//   - signature V4 (OSS4-HMAC-SHA256), both in the Authorization header and
//     in query-signed URLs, with or without a security token, verified the
//     way OSS does: unknown keys, wrong secrets, tampered requests, wrong or
//     missing tokens, skewed clocks and expired URLs are refused with OSS's
//     error codes;
//   - bucket versioning, once EnableVersioning turns it on for a bucket:
//     every PutObject and CompleteMultipartUpload creates a new version
//     whose opaque ID ("CAEQ...") it answers in x-oss-version-id; GET and
//     HEAD return the latest version, or with ?versionId=<id> that version
//     (404 NoSuchVersion if there is none), both with x-oss-version-id.
//     versionId is signed like any query parameter, in the Authorization
//     header's canonical query and in signed URLs alike. Objects stored
//     before versioning was enabled are version "null". DeleteObject without
//     versionId hides the key (GET, HEAD and listings answer as if it were
//     gone) but keeps its versions readable by ID, as behind OSS's delete
//     marker, though no delete marker is created or reported
//     (no x-oss-delete-marker); DeleteObject with versionId, ListObjectVersions
//     and Get/PutBucketVersioning are refused. Buckets never versioned send no
//     x-oss-version-id, and only accept versionId=null;
//   - OSS-style XML errors; HEAD errors carry the same XML base64-encoded in
//     the x-oss-err header, as OSS does, so the SDK still sees the code.
//
// Anything else (ListObjects V1, ListParts, ListMultipartUploads,
// UploadPartCopy, PostObject, CopyObject, AppendObject, ACLs, signature
// V1/V2, ...) is refused with NotImplemented, MethodNotAllowed or
// InvalidArgument rather than half-done, so a test never passes against
// behaviour OSS would not have.
// Range and conditional (If-*) headers are ignored and the whole object is
// returned, which HTTP allows for Range; an x-oss-content-sha256 other than
// UNSIGNED-PAYLOAD (the SDK's value) is covered by the signature but not
// compared with the body. Content-MD5, when sent, is checked.
//
// One Server holds one store and can serve it on several listeners at once,
// typically "internal" (where the function reads and writes) and "public"
// (the host of the URLs handed to a third party). Every request is recorded
// with the name of the listener that served it; see Server.Requests.
// Fault injection (SetFault) and the log cover every operation alike.
//
// Uploads can notify, so that a local FC emulator can deliver OSS trigger
// events: OnObjectCreated sets a callback that receives an ObjectCreated for
// every PutObject and CompleteMultipartUpload served by a listener (and for
// PutObjectNotify), after the response, on a goroutine of the server, in the
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
package ossserver
