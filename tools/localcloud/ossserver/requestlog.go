package ossserver

import (
	"slices"
	"sync"
	"time"
)

// AuthKind says how a request authenticated itself.
type AuthKind string

const (
	AuthAnonymous AuthKind = "anonymous" // neither an Authorization header nor signature parameters
	AuthHeaderV4  AuthKind = "header-v4" // Authorization: OSS4-HMAC-SHA256 ...
	AuthURLV4     AuthKind = "url-v4"    // query-signed URL, x-oss-signature-version=OSS4-HMAC-SHA256
	AuthHeaderV1  AuthKind = "header-v1" // Authorization: OSS <AccessKeyId>:<signature>
	AuthURLV1     AuthKind = "url-v1"    // query-signed URL with OSSAccessKeyId, Expires and Signature
	// AuthUnsupported covers signature V2, unknown schemes and requests
	// signed both ways at once; they are refused with InvalidArgument.
	AuthUnsupported AuthKind = "unsupported"
)

// Request is one entry of the request log. It deliberately holds no header
// or query values: those carry signatures and security tokens.
type Request struct {
	Listener string // the name given to Listen: which endpoint was used
	Method   string
	Bucket   string // "" for service-level requests
	Key      string // URL-decoded; "" for bucket-level requests
	// VirtualHosted tells that the bucket came from the Host header
	// (<bucket>.<endpoint>, as ali-oss sends it) rather than the path.
	VirtualHosted bool
	// Operation is OSS's name for what the request asked, e.g. "GetObject",
	// "ListObjects", "GetObjectAcl", whether or not the server implements
	// it; "" when it is none that OSS has under a name the server knows.
	Operation string
	Query     []string
	Auth      AuthKind
	// AccessKeyID is the identity the request claimed, "" when anonymous or
	// unparsable. It is recorded whether or not the signature was valid.
	AccessKeyID string
	RequestID   string // the x-oss-request-id sent back
	// Status is the HTTP status returned; 0 when no response was written
	// because the client left, or the server closed, during an injected delay.
	Status    int
	ErrorCode string    // the OSS error code for failures, "" on success
	Time      time.Time // arrival, by Config.Now
	// VersionID is the versionId parameter the request carried (whether or
	// not that version existed), else the version its response named in
	// x-oss-version-id: the one a PUT created, the latest a GET or HEAD
	// read. "" when neither, as always in a bucket never versioned.
	VersionID string
}

// requestLog keeps entries in the order requests completed.
type requestLog struct {
	mu      sync.Mutex
	entries []Request
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, r)
}

// Requests returns a copy of the log of every request received so far, on
// every listener, in the order the responses were completed.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := slices.Clone(s.log.entries)
	for i := range out {
		out[i].Query = slices.Clone(out[i].Query)
	}
	return out
}
