// Package objectstore is the function's access to OSS: HEAD and PUT through
// the internal endpoint, and GET URLs signed for the public endpoint, all
// with the aliyun-oss-go-sdk and signature V4.
package objectstore

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/vlicense/fc-vehicle-license/internal/httpclient"
)

// Config says where OSS is and how to reach it.
type Config struct {
	// Endpoint serves HEAD and PUT (the -internal endpoint in FC).
	Endpoint string
	// PublicEndpoint is the host of signed URLs, fetched by the vendor.
	PublicEndpoint string
	// Region is the V4 signing region.
	Region string
	// MaxConns sizes the connection pool; set it to the record concurrency
	// so that every worker keeps a warm connection between invocations.
	MaxConns int
	// Timeout bounds one OSS request that has no earlier context deadline.
	Timeout time.Duration
	// Credentials are used until SetCredentials replaces them (the
	// ALIBABA_CLOUD_* variables at start, for example).
	Credentials Credentials
}

// Store is safe for concurrent use. Build one per instance.
type Store struct {
	internal *oss.Client // talks to OSS
	public   *oss.Client // only signs: never sends a request
	creds    *credentialsBox
}

// ObjectInfo is what a HEAD tells about an object.
type ObjectInfo struct {
	// ETag without quotes, upper-case hex as OSS writes it.
	ETag string
	// VersionID is set when the bucket has versioning: it names exactly
	// this content, for as long as the version is kept.
	VersionID   string
	Size        int64
	ContentType string
	// Meta holds user metadata, keys lower-case without "x-oss-meta-".
	Meta map[string]string
}

// ErrNotFound is returned (wrapped) when the object or bucket does not exist.
var ErrNotFound = errors.New("object not found")

// Error is an OSS failure with what a caller needs to classify it. It
// deliberately keeps only OSS's status, code and request id: OSS error
// bodies can echo the string that was signed.
type Error struct {
	Op        string
	Status    int    // HTTP status; 0 when no answer arrived
	Code      string // OSS error code, such as AccessDenied
	RequestID string
	Err       error // the transport error when no answer arrived
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("oss %s: %v", e.Op, e.Err)
	}
	s := fmt.Sprintf("oss %s: HTTP %d", e.Op, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

func (e *Error) Unwrap() error {
	// A missing bucket is a configuration problem, not a missing object.
	if e.Status == http.StatusNotFound && e.Code != "NoSuchBucket" {
		return ErrNotFound
	}
	return e.Err
}

// New builds the OSS clients once for the life of the instance.
func New(cfg Config) (*Store, error) {
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	box := &credentialsBox{}
	box.set(cfg.Credentials)

	common := []oss.ClientOption{
		oss.AuthVersion(oss.AuthV4),
		oss.Region(cfg.Region),
		oss.SetCredentialsProvider(box),
	}
	// The SDK's CRC64 check hashes every body it sends; Put already sends
	// Content-MD5 and checks the ETag OSS answers, so it would only cost CPU.
	internal, err := oss.New(cfg.Endpoint, "", "", append(common, oss.HTTPClient(httpclient.New(cfg.MaxConns, cfg.Timeout)), oss.EnableCRC(false))...)
	if err != nil {
		return nil, fmt.Errorf("oss endpoint %q: %w", cfg.Endpoint, err)
	}
	public, err := oss.New(cfg.PublicEndpoint, "", "", common...)
	if err != nil {
		return nil, fmt.Errorf("oss public endpoint %q: %w", cfg.PublicEndpoint, err)
	}
	return &Store{internal: internal, public: public, creds: box}, nil
}

// SetCredentials makes c the credentials of every later request and
// signature. FC delivers new STS credentials with each invocation; the go1
// runtime runs one invocation per instance at a time, so one current set is
// all an instance needs.
func (s *Store) SetCredentials(c Credentials) { s.creds.set(c) }

// Head reads an object's ETag, size, type and user metadata.
func (s *Store) Head(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	b, err := s.internal.Bucket(bucket)
	if err != nil {
		return ObjectInfo{}, &Error{Op: "HEAD", Err: err}
	}
	h, err := b.GetObjectDetailedMeta(key, oss.WithContext(ctx))
	if err != nil {
		return ObjectInfo{}, wrap("HEAD", err)
	}
	size, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	info := ObjectInfo{
		ETag:        NormalizeETag(h.Get("ETag")),
		Size:        size,
		ContentType: h.Get("Content-Type"),
		VersionID:   h.Get("X-Oss-Version-Id"),
		Meta:        map[string]string{},
	}
	for name, values := range h {
		lower := strings.ToLower(name)
		if rest, ok := strings.CutPrefix(lower, "x-oss-meta-"); ok && len(values) > 0 {
			info.Meta[rest] = values[0]
		}
	}
	return info, nil
}

// maxGetBytes bounds what Get reads: result documents are kilobytes.
const maxGetBytes = 16 << 20

// Get reads a small object whole (a result document), at most 16 MiB.
func (s *Store) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	b, err := s.internal.Bucket(bucket)
	if err != nil {
		return nil, &Error{Op: "GET", Err: err}
	}
	body, err := b.GetObject(key, oss.WithContext(ctx))
	if err != nil {
		return nil, wrap("GET", err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxGetBytes+1))
	if err != nil {
		return nil, &Error{Op: "GET", Err: err}
	}
	if len(data) > maxGetBytes {
		return nil, &Error{Op: "GET", Err: fmt.Errorf("%s is larger than %d bytes: not a result document", key, maxGetBytes)}
	}
	return data, nil
}

// Object is what Put writes.
type Object struct {
	Body        []byte
	ContentType string
	// Meta is user metadata, keys without "x-oss-meta-".
	Meta map[string]string
	// ACL is the object's own ACL (x-oss-object-acl), such as "private";
	// empty inherits the bucket's.
	ACL string
	// Encryption is the server-side encryption (x-oss-server-side-encryption):
	// "" (the bucket's default), AES256 or KMS with KMSKeyID.
	Encryption, KMSKeyID string
}

// Put writes obj as key. Content-MD5 makes OSS refuse a body damaged on the
// way, and the ETag of the answer is checked against the body: Put returns
// nil only when OSS holds exactly these bytes.
func (s *Store) Put(ctx context.Context, bucket, key string, obj Object) error {
	b, err := s.internal.Bucket(bucket)
	if err != nil {
		return &Error{Op: "PUT", Err: err}
	}
	sum := md5.Sum(obj.Body)
	var answer http.Header
	opts := []oss.Option{
		oss.WithContext(ctx),
		oss.ContentType(obj.ContentType),
		oss.ContentMD5(base64.StdEncoding.EncodeToString(sum[:])),
		oss.GetResponseHeader(&answer),
	}
	for k, v := range obj.Meta {
		opts = append(opts, oss.Meta(k, v))
	}
	if obj.ACL != "" {
		opts = append(opts, oss.ObjectACL(oss.ACLType(obj.ACL)))
	}
	if obj.Encryption != "" {
		opts = append(opts, oss.ServerSideEncryption(obj.Encryption))
	}
	if obj.KMSKeyID != "" {
		opts = append(opts, oss.ServerSideEncryptionKeyID(obj.KMSKeyID))
	}
	if err := b.PutObject(key, bytes.NewReader(obj.Body), opts...); err != nil {
		return wrap("PUT", err)
	}
	if got, want := NormalizeETag(answer.Get("ETag")), strings.ToUpper(hex.EncodeToString(sum[:])); got != want {
		return &Error{Op: "PUT", Err: fmt.Errorf("OSS answered ETag %q for a body whose MD5 is %s: the write is not trusted", got, want)}
	}
	return nil
}

// SignGetURL returns a V4 query-signed GET URL for the public endpoint,
// valid for ttl, carrying the STS token when the credentials have one.
// With a versionID (versioned buckets) the URL fetches that version and no
// other, even if the key is overwritten meanwhile. The URL is a bearer
// secret until it expires: log it only through RedactURL.
func (s *Store) SignGetURL(bucket, key, versionID string, ttl time.Duration) (string, error) {
	if _, err := s.creds.GetCredentialsE(); err != nil {
		return "", &Error{Op: "sign", Err: err}
	}
	b, err := s.public.Bucket(bucket)
	if err != nil {
		return "", &Error{Op: "sign", Err: err}
	}
	secs := int64(ttl / time.Second)
	if secs < 1 {
		secs = 1
	}
	var opts []oss.Option
	if versionID != "" {
		opts = append(opts, oss.VersionId(versionID))
	}
	u, err := b.SignURL(key, oss.HTTPGet, secs, opts...)
	if err != nil {
		return "", &Error{Op: "sign", Err: err}
	}
	return u, nil
}

// NormalizeETag drops the quotes OSS puts around an ETag and upper-cases it,
// so that the event's eTag, HEAD's ETag and stored metadata compare equal.
func NormalizeETag(s string) string {
	return strings.ToUpper(strings.Trim(strings.TrimSpace(s), `"`))
}

func wrap(op string, err error) error {
	var se oss.ServiceError
	if errors.As(err, &se) {
		return &Error{Op: op, Status: se.StatusCode, Code: se.Code, RequestID: se.RequestID}
	}
	return &Error{Op: op, Err: err}
}

// CodeOf returns the OSS error code of err (such as AccessDenied), or ""
// when OSS gave none (HEAD answers have no body).
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// StatusOf returns the HTTP status of an OSS error, or 0 if OSS never
// answered (network failure, timeout, missing credentials).
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// secretParams are the query parameters that make a signed URL usable by
// whoever holds it.
var secretParams = []string{"x-oss-signature", "x-oss-security-token", "Signature", "security-token"}

// RedactURL returns a signed URL fit for a log line: the signature and the
// STS token are replaced, the rest (host, key, expiry) kept for debugging.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	q := u.Query()
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
