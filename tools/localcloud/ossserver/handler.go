package ossserver

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// listenerHandler serves one listener. It is not an http.ServeMux on
// purpose: ServeMux cleans paths and would rewrite keys such as "a//b".
type listenerHandler struct {
	s    *Server
	name string
}

// ServeHTTP records every request, whatever its outcome, and turns the
// *ossError of any step into an OSS error response.
func (h listenerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.s
	rec := Request{Listener: h.name, Method: r.Method, RequestID: newRequestID(), Time: s.now()}
	w.Header().Set("x-oss-request-id", rec.RequestID)
	w.Header().Set("Server", "AliyunOSS")
	rec.Bucket, rec.Key, rec.VirtualHosted = s.locate(r)
	params, queryOK := parseQuery(r.URL.RawQuery)
	rec.Query = paramNames(params)
	op := identify(r, rec.Bucket, rec.Key, params)
	rec.Operation = op.name
	rec.VersionID = paramValue(params, "versionId")
	rec.Auth = classifyAuth(r, params)

	status, err, aborted := 0, errClosing, false
	if s.enter() {
		defer s.leave()
		// Deferred so that it runs even if a step panics (an event held
		// for ever would stall every later one), yet before leave, so that
		// Close, once no handler runs, finds every event releasable.
		defer s.notify.release(rec.RequestID)
		status, err, aborted = s.serve(w, r, &rec, op, params, queryOK)
	}
	if err != nil {
		writeError(w, r, rec.RequestID, err)
		status, rec.ErrorCode = err.status, err.code
	}
	rec.Status = status
	s.log.add(rec) // before the response leaves: a client that has it finds it logged
	if s.notify.pending(rec.RequestID) {
		// The upload's ObjectCreated event goes out (deferred release) only
		// after the client has its response: OSS notifies once the write
		// is acknowledged.
		_ = http.NewResponseController(w).Flush()
	}
	if aborted {
		// Returning normally would make net/http send an empty 200, which a
		// client would take for success; this drops the connection instead.
		panic(http.ErrAbortHandler)
	}
}

// serve runs the steps in OSS's order: (injected fault), bucket,
// authentication, operation; a bucket's existence is not secret on OSS.
// An operation the server does not implement is refused before the
// bucket and the signature are checked, so that a client learns that
// rather than meet a signature error over a sub-resource it signs
// differently; a parameter the operation does not take is refused after
// them. aborted reports that an injected delay was cut short and that no
// response must be written.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rec *Request, op operation, params []queryParam, queryOK bool) (status int, err *ossError, aborted bool) {
	if !queryOK {
		return 0, invalidArgument("The query string is not validly percent-encoded."), false
	}
	if f := s.faultFor(*rec); f != nil {
		if !s.wait(r, f.Delay) {
			return 0, nil, true
		}
		if f.Status != 0 {
			return 0, f.err(), false
		}
	}
	if op.serve == nil {
		return 0, op.notImplementedError(), false
	}
	if rec.Bucket != "" && !s.store.hasBucket(rec.Bucket) {
		return 0, errNoSuchBucket, false
	}
	// An object whose ACL is public-read(-write) is readable without a
	// signature, as on OSS; everything else needs one.
	if !(rec.Auth == AuthAnonymous && op.anonymousRead && s.publicReadable(rec, params)) {
		if rec.AccessKeyID, err = s.authenticate(r, rec, params); err != nil {
			return 0, err, false
		}
	}
	if err := op.checkParams(params); err != nil {
		return 0, err, false
	}
	status, err = op.serve(s, w, r, rec, params)
	return status, err, false
}

// parseQuery decodes the raw query keeping every parameter in order, with
// its exact (possibly empty) value, as the signature needs it. url.ParseQuery
// is not used: it refuses ';' and merges repeated names into a map.
func parseQuery(raw string) ([]queryParam, bool) {
	var params []queryParam
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		params = append(params, queryParam{name: name, value: value})
	}
	return params, true
}

// paramValue returns the value of the named parameter's first occurrence,
// "" if absent.
func paramValue(params []queryParam, name string) string {
	for _, p := range params {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// paramNames lists the distinct parameter names, sorted.
func paramNames(params []queryParam) []string {
	names := make([]string, 0, len(params))
	for _, p := range params {
		names = append(names, p.name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// newRequestID returns 24 upper-case hex digits, the shape of OSS request IDs.
func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
