// Package recognition calls the 行驶证 recognition API sold on the Alibaba
// Cloud Marketplace: one multipart POST with imgUrl and cardSide, the answer
// sorted into outcomes (docs/outcomes.md), transient failures retried.
package recognition

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// Answer is one HTTP answer of the API, classified: Outcome is
// Succeeded, Rejected, Transient or Misconfigured.
type Answer struct {
	Outcome    outcome.Outcome
	HTTPStatus int
	// Body is the vendor's JSON verbatim when it is the documented object
	// (nothing dropped, unknown fields kept); nil otherwise.
	Body json.RawMessage
	// Status, Code, Message come from the body when it has them.
	Status  int
	Code    int
	Message string
	// Reason explains a transient or misconfigured answer for logs and the
	// invocation error; it names the setting to check where there is one.
	Reason string
	// Preview holds the first bytes of a body that was not the documented
	// JSON, for the log line.
	Preview string
}

// vendorBody is the part of the documented response that classification
// reads; everything else stays in Answer.Body untouched.
type vendorBody struct {
	Status  *int   `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

const previewBytes = 200

// credentialSettings names what to check when the gateway refuses the
// caller: whichever of the two authentications is configured.
const credentialSettings = "OCR_APPCODE (or OCR_APP_KEY and OCR_APP_SECRET)"

// throttled reports the API gateway's flow-control refusal, which is the one
// 403 worth retrying.
func throttled(gatewayMessage string) bool {
	return strings.Contains(gatewayMessage, "Throttled") || strings.Contains(gatewayMessage, "Flow Control")
}

// Classify sorts one HTTP answer. It never panics, whatever the body.
func Classify(httpStatus int, header http.Header, body []byte) Answer {
	a := Answer{HTTPStatus: httpStatus}
	gatewayMessage := header.Get("X-Ca-Error-Message")
	doc, parsed := parseVendorBody(body)
	if parsed {
		a.Body = json.RawMessage(body)
		a.Status = *doc.Status
		a.Code = doc.Code
		a.Message = doc.Message
	}

	switch {
	case httpStatus == http.StatusOK:
		if !parsed {
			a.Outcome = outcome.Transient
			a.Reason = "HTTP 200 with a body that is not the documented JSON"
			a.Preview = preview(body)
			return a
		}
		// The gateway says 200 but the vendor's own status decides.
		a.Outcome, a.Reason = classifyStatus(a.Status, "body status")
		if a.Status == http.StatusBadRequest {
			refusedDownload(&a)
		}
		return a

	case httpStatus == http.StatusForbidden && throttled(gatewayMessage):
		a.Outcome = outcome.Transient
		a.Reason = "throttled by the API gateway: " + gatewayMessage
		return a

	case gatewayMessage != "" && httpStatus >= 400 && httpStatus < 500 && httpStatus != http.StatusRequestEntityTooLarge:
		// The gateway refused the call before the vendor saw it: AppCode,
		// signature, timestamp or URL problems.
		a.Outcome = outcome.Misconfigured
		a.Reason = fmt.Sprintf("the API gateway refused the call (HTTP %d: %s): check %s and OCR_ENDPOINT", httpStatus, gatewayMessage, credentialSettings)
		return a

	case httpStatus == http.StatusBadRequest:
		if !parsed {
			a.Outcome = outcome.Transient
			a.Reason = "HTTP 400 with a body that is not the documented JSON"
			a.Preview = preview(body)
			return a
		}
		a.Outcome = outcome.Rejected
		refusedDownload(&a)
		return a

	case httpStatus == http.StatusRequestEntityTooLarge:
		a.Outcome = outcome.Rejected
		if !parsed {
			a.Message = "request larger than the API accepts (HTTP 413)"
		}
		return a
	}

	a.Outcome, a.Reason = classifyStatus(httpStatus, "HTTP")
	if !parsed && a.Outcome == outcome.Transient {
		a.Preview = preview(body)
	}
	return a
}

// refusedDownload turns a business refusal that says the image could not be
// downloaded into a misconfiguration: retried, and never a final result.
func refusedDownload(a *Answer) {
	if isDownloadFailure(a.Message) {
		a.Outcome = outcome.Misconfigured
		a.Reason = fmt.Sprintf("%s (HTTP %d, status %d, code %d: %s)", downloadFailureReason, a.HTTPStatus, a.Status, a.Code, a.Message)
	}
}

// classifyStatus maps a status, from HTTP or from the body, to its class
// per the vendor's error table.
func classifyStatus(status int, where string) (outcome.Outcome, string) {
	switch {
	case status == 200:
		return outcome.Succeeded, ""
	case status == 400 || status == 413:
		return outcome.Rejected, ""
	case status == 401:
		return outcome.Misconfigured, fmt.Sprintf("%s 401: authentication failed: check %s", where, credentialSettings)
	case status == 402:
		return outcome.Misconfigured, fmt.Sprintf("%s 402: the product is not subscribed or has no calls left: check the Marketplace subscription of %s", where, credentialSettings)
	case status == 403:
		return outcome.Misconfigured, fmt.Sprintf("%s 403: permission denied: check %s and its subscription", where, credentialSettings)
	case status == 404:
		return outcome.Misconfigured, fmt.Sprintf("%s 404: no such API path: check OCR_ENDPOINT", where)
	case status == 429 || status >= 500:
		return outcome.Transient, fmt.Sprintf("%s %d from the recognition API", where, status)
	case status >= 300 && status < 400:
		return outcome.Misconfigured, fmt.Sprintf("%s %d redirect: check OCR_ENDPOINT (scheme and path)", where, status)
	}
	return outcome.Transient, fmt.Sprintf("%s %d is not in the API's documented answers", where, status)
}

// parseVendorBody accepts only the documented shape: a JSON object whose
// status is a number. Invalid UTF-8 is refused too: encoding/json would
// accept it, and the body is stored verbatim in a document people and
// strict parsers read.
func parseVendorBody(body []byte) (vendorBody, bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || !utf8.Valid(trimmed) || !json.Valid(trimmed) {
		return vendorBody{}, false
	}
	var v vendorBody
	if err := json.Unmarshal(trimmed, &v); err != nil || v.Status == nil {
		return vendorBody{}, false
	}
	return v, true
}

// preview returns the first bytes of a body as valid UTF-8 for a log line.
func preview(body []byte) string {
	if len(body) > previewBytes {
		body = body[:previewBytes]
	}
	return strings.ToValidUTF8(string(body), string(utf8.RuneError))
}
