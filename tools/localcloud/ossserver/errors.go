package ossserver

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// ossError is one OSS error response: the HTTP status and the Code/Message
// pair that clients (and the SDK's oss.ServiceError) switch on. Messages are
// fixed texts or name parameters; they never quote a secret, a token or a
// signature.
type ossError struct {
	status  int
	code    string
	message string
}

func (e *ossError) Error() string { return e.code + ": " + e.message }

// The errors below use OSS's own codes, statuses and, where known, messages.
var (
	errNoSuchBucket  = &ossError{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist."}
	errNoSuchKey     = &ossError{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
	errNoSuchVersion = &ossError{http.StatusNotFound, "NoSuchVersion", "The specified version does not exist."}

	errAnonymous = &ossError{http.StatusForbidden, "AccessDenied",
		"You have no right to access this object because of bucket acl."}
	errExpired   = &ossError{http.StatusForbidden, "AccessDenied", "Request has expired."}
	errNoDate    = &ossError{http.StatusForbidden, "AccessDenied", "OSS authentication requires a valid Date."}
	errUnknownAK = &ossError{http.StatusForbidden, "InvalidAccessKeyId",
		"The OSS Access Key Id you provided does not exist in our records."}
	errSignature = &ossError{http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	errBadToken     = &ossError{http.StatusForbidden, "InvalidSecurityToken", "The security token you provided is invalid."}
	errMissingToken = &ossError{http.StatusForbidden, "InvalidSecurityToken",
		"The AccessKeyId is a temporary one and the request carries no security token."}
	errTokenExpired = &ossError{http.StatusForbidden, "SecurityTokenExpired", "The security token you provided has expired."}
	errTimeSkewed   = &ossError{http.StatusForbidden, "RequestTimeTooSkewed",
		"The difference between the request time and the current time is too large."}

	errMethodNotAllowed = &ossError{http.StatusMethodNotAllowed, "MethodNotAllowed",
		"The specified method is not allowed against this resource."}
	errInvalidDigest = &ossError{http.StatusBadRequest, "InvalidDigest",
		"The Content-MD5 you specified did not match what we received."}
	errIncompleteBody = &ossError{http.StatusBadRequest, "IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header."}
	errClosing = &ossError{http.StatusServiceUnavailable, "ServiceUnavailable", "The server is shutting down."}

	errNoSuchUpload = &ossError{http.StatusNotFound, "NoSuchUpload",
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	errInvalidPart = &ossError{http.StatusBadRequest, "InvalidPart",
		"One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag."}
	errInvalidPartOrder = &ossError{http.StatusBadRequest, "InvalidPartOrder",
		"The list of parts was not in ascending order. Parts list must be specified in order by part number."}
	errEntityTooSmall = &ossError{http.StatusBadRequest, "EntityTooSmall",
		"Your proposed upload is smaller than the minimum allowed size."}
	errFileAlreadyExists = &ossError{http.StatusConflict, "FileAlreadyExists",
		"The object you specified already exists and can not be overwritten."}
	errMalformedXML = &ossError{http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema."}
)

func invalidArgument(format string, args ...any) *ossError {
	return &ossError{http.StatusBadRequest, "InvalidArgument", fmt.Sprintf(format, args...)}
}

// notImplemented refuses what the server deliberately does not emulate, so
// a caller relying on it fails loudly instead of getting a wrong answer.
// Messages start "the local OSS server does not implement" and name the
// operation, or the parameter or header, refused.
func notImplemented(format string, args ...any) *ossError {
	return &ossError{http.StatusNotImplemented, "NotImplemented", fmt.Sprintf(format, args...)}
}

// errorDocument is the XML body of an OSS error response.
type errorDocument struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// writeError answers with e as OSS does. HEAD responses cannot carry a body,
// so OSS puts the same XML, base64-encoded, in x-oss-err; the SDK decodes it
// and still reports the error code.
func writeError(w http.ResponseWriter, r *http.Request, requestID string, e *ossError) {
	doc, err := xml.Marshal(errorDocument{Code: e.code, Message: e.message, RequestID: requestID, HostID: r.Host})
	if err != nil { // cannot happen for a struct of strings; keep the status anyway
		w.WriteHeader(e.status)
		return
	}
	body := append([]byte(xml.Header), doc...)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		h.Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
		w.WriteHeader(e.status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	_, _ = w.Write(body) // the client may be gone; nothing left to do then
}
