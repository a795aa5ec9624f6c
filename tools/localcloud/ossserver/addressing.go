package ossserver

import (
	"net"
	"net/http"
	"strings"
)

// OSS addresses a bucket in one of two ways, and clients pointed at an IP
// endpoint use both:
//
//   - path style, /<bucket>/<key>: the Go SDKs (v1 and v2) and ossutil
//     choose it by themselves for an IP endpoint;
//   - virtual-hosted style, Host: <bucket>.<endpoint> and path /<key>:
//     ali-oss (Node.js) keeps it for an IP endpoint, connecting to the IP
//     but sending Host: <bucket>.oss-<region>.aliyuncs.com.
//
// The signatures cover /<bucket>/<key> either way, so only the parsing
// differs.
//
// ali-oss sends that Host for an IP endpoint even with sldEnable, which
// puts /<bucket>/ in front of the key in the path as well. As on OSS, the
// Host wins: the request addresses the key "<bucket>/<key>", and its
// signature, over /<bucket>/<key>, does not match (SignatureDoesNotMatch).
// A client of an IP endpoint leaves sldEnable off for its requests (see
// tools/bench/node/index.js and TestAliOSSAsTheFunction).

// locate maps a request to its bucket and key (both decoded). virtual
// reports that the bucket came from the Host header.
//
// A host is taken as virtual-hosted when it is a name, not an IP address,
// and its first label is an existing bucket, or it is an OSS endpoint
// (*.aliyuncs.com) whose first label is not the endpoint's own "oss-…"
// label, which also lets an unknown bucket be answered NoSuchBucket by its
// name. Anything else (IP addresses, "localhost") is path style.
func (s *Server) locate(r *http.Request) (bucket, key string, virtual bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if label, rest, found := strings.Cut(host, "."); found && label != "" && net.ParseIP(host) == nil && rest != "" {
		if s.store.hasBucket(label) ||
			strings.HasSuffix(rest, "aliyuncs.com") && !strings.HasPrefix(label, "oss-") {
			return label, strings.TrimPrefix(r.URL.Path, "/"), true
		}
	}
	bucket, key = splitPath(r.URL.Path)
	return bucket, key, false
}

// splitPath maps the decoded path of a path-style request to bucket and key:
// "/b/k/x" → ("b", "k/x"), "/b/" and "/b" → ("b", ""), "/" → ("", "").
func splitPath(p string) (bucket, key string) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return bucket, key
}
