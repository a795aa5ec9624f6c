package ocrserver

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Gateway answers to AppCode problems. Statuses follow DESIGN.md's
// "Outcomes" table, where 401 and any 403 but throttling mean
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
