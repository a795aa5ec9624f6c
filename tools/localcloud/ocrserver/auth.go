package ocrserver

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Gateway answers to AppCode problems. Statuses follow the outcomes of
// docs/outcomes.md, where 401 and any 403 but throttling mean
// "misconfigured": no AppCode at all is 401 (like the gateway's "Empty
// Signature"), a wrong one is 403. The real gateway echoes the wrong code
// in backquotes; the stand-in keeps the shape but never the value, because
// an AppCode must not end up in anyone's logs.
var (
	replyEmptyAppCode   = GatewayError(http.StatusUnauthorized, "Empty AppCode")
	replyInvalidAppCode = GatewayError(http.StatusForbidden, "Invalid AppCode `***`")
)

// appCodeScheme is the Authorization scheme of Marketplace AppCode auth,
// upper case as the gateway requires.
const appCodeScheme = "APPCODE "

// checkAuth returns nil when the call authenticates as the gateway
// requires, else the gateway's refusal. An "Authorization: APPCODE" header
// means AppCode auth; otherwise X-Ca-Key or X-Ca-Signature means the
// AppKey/AppSecret signature (signature.go); a call with neither is
// answered like a missing AppCode.
func (s *Server) checkAuth(r *http.Request) *Reply {
	if !strings.HasPrefix(r.Header.Get("Authorization"), appCodeScheme) && signedCall(r) {
		return s.checkSignature(r)
	}
	return s.checkAppCode(r)
}

// checkAppCode returns nil when the call carries the configured AppCode,
// else the gateway's refusal.
func (s *Server) checkAppCode(r *http.Request) *Reply {
	code, ok := strings.CutPrefix(r.Header.Get("Authorization"), appCodeScheme)
	if !ok || code == "" {
		return ptr(replyEmptyAppCode)
	}
	// Constant time, so response timing does not reveal a prefix match.
	if subtle.ConstantTimeCompare([]byte(code), []byte(s.cfg.AppCode)) != 1 {
		return ptr(replyInvalidAppCode)
	}
	return nil
}
