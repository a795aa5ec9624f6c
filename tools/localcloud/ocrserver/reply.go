package ocrserver

import (
	"fmt"
	"net/http"
	"time"
)

// kind says which party answers and how; the zero kind is success so that
// a zero Reply means Success.
type kind int

const (
	kindSuccess    kind = iota // vendor: 200 with data, after fetching the image
	kindBusiness               // vendor: 400 business error JSON
	kindVendorHTTP             // vendor: JSON with an HTTP error status
	kindBodyStatus             // vendor: HTTP 200, body status not 200
	kindGateway                // gateway: X-Ca-Error-Message, empty body
	kindRaw                    // anything, verbatim
	kindDisconnect             // the connection drops without an answer
)

// Reply is what the stand-in answers to one call. Build it with the
// constructors below; the zero Reply is Success. Replies are values:
// comparing two with assert.Equal compares what goes on the wire.
type Reply struct {
	kind        kind
	httpStatus  int
	bodyStatus  int
	code        int
	message     string
	contentType string
	body        []byte
	delay       time.Duration
}

// Success answers HTTP 200 with the documented success JSON and synthetic
// data for the image. The image is fetched first: if that fails the answer
// is the business error the vendor would give instead (see CodeDownloadFailed).
func Success() Reply { return Reply{} }

// BusinessError answers the vendor's own refusal: HTTP 400 and a JSON body
// with status 400, the code and message, and no data.
func BusinessError(code int, msg string) Reply {
	return Reply{kind: kindBusiness, httpStatus: http.StatusBadRequest, bodyStatus: http.StatusBadRequest, code: code, message: msg}
}

// HTTPStatus answers status as the vendor itself does: a JSON body with
// status and code equal to the HTTP status and the meaning the contract's
// error table gives it (401 身份验证失败, 402 未开通产品权限, 403 权限不足,
// 404 请求路径不存在, 413 超过2MB限制, 500 系统内部异常, 502 网关异常; 503 and
// 504 are the stand-in's own wording). For a vendor 400 use BusinessError.
func HTTPStatus(status int) Reply {
	return Reply{kind: kindVendorHTTP, httpStatus: status, bodyStatus: status, code: status, message: vendorMessage(status)}
}

// Throttled answers as the gateway does when the caller exceeds its flow
// control: 403 with X-Ca-Error-Message "Throttled by USER Flow Control".
// It is the one 403 a client should retry.
func Throttled() Reply {
	return GatewayError(http.StatusForbidden, "Throttled by USER Flow Control")
}

// GatewayError answers as the API gateway does, before the vendor sees the
// call: status, X-Ca-Error-Message msg and an empty body. Examples from the
// gateway's error table: 400 "Invalid Url", 400 "Invalid AppKey",
// 403 "Quota Exhausted", 504 "Backend Timeout".
func GatewayError(status int, msg string) Reply {
	return Reply{kind: kindGateway, httpStatus: status, message: msg}
}

// BodyStatus answers HTTP 200 with a vendor JSON body whose status, code and
// message are given, and no data: the case where only the body says the
// call failed. The gateway bills it, as it bills every HTTP 200.
func BodyStatus(status, code int, msg string) Reply {
	return Reply{kind: kindBodyStatus, httpStatus: http.StatusOK, bodyStatus: status, code: code, message: msg}
}

// Raw answers exactly status, contentType (no Content-Type header when
// empty) and body: an HTML error page, truncated JSON, anything.
func Raw(status int, contentType string, body []byte) Reply {
	return Reply{kind: kindRaw, httpStatus: status, contentType: contentType, body: append([]byte(nil), body...)}
}

// Disconnect closes the connection without answering, which a client sees
// as a connection error (transient).
func Disconnect() Reply { return Reply{kind: kindDisconnect} }

// After returns r answered only after d. If the client gives up first (or
// the server closes) nothing is answered and the call is recorded with
// Status 0. The wait happens before the image is fetched, as a queue in
// front of the vendor would, so a slow answer can also outlive a signed
// URL's lifetime.
func (r Reply) After(d time.Duration) Reply {
	r.delay = d
	return r
}

// Delay is the wait set by After.
func (r Reply) Delay() time.Duration { return r.delay }

// Status is the HTTP status this reply is answered with; 0 for Disconnect.
// Success may still become a 400 if fetching the image fails.
func (r Reply) Status() int {
	switch r.kind {
	case kindSuccess:
		return http.StatusOK
	case kindDisconnect:
		return 0
	}
	return r.httpStatus
}

// String describes the reply the way it is built, for test failures and
// demo output.
func (r Reply) String() string {
	var s string
	switch r.kind {
	case kindSuccess:
		s = "Success()"
	case kindBusiness:
		s = fmt.Sprintf("BusinessError(%d, %q)", r.code, r.message)
	case kindVendorHTTP:
		s = fmt.Sprintf("HTTPStatus(%d)", r.httpStatus)
	case kindBodyStatus:
		s = fmt.Sprintf("BodyStatus(%d, %d, %q)", r.bodyStatus, r.code, r.message)
	case kindGateway:
		s = fmt.Sprintf("GatewayError(%d, %q)", r.httpStatus, r.message)
	case kindRaw:
		s = fmt.Sprintf("Raw(%d, %q, %d bytes)", r.httpStatus, r.contentType, len(r.body))
	case kindDisconnect:
		s = "Disconnect()"
	}
	if r.delay > 0 {
		s += fmt.Sprintf(".After(%s)", r.delay)
	}
	return s
}

// vendorMessage gives the vendor's wording for an HTTP error status, from
// the contract's 通用的ERROR_MESSAGE table where it has one.
func vendorMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "业务异常"
	case http.StatusUnauthorized:
		return "身份验证失败（token过期或非法账号）"
	case http.StatusPaymentRequired:
		return "未开通产品权限；或者产品次数不足"
	case http.StatusForbidden:
		return "权限不足"
	case http.StatusNotFound:
		return "请求路径不存在"
	case http.StatusRequestEntityTooLarge:
		return "客户发送的请求大小超过了2MB限制。"
	case http.StatusInternalServerError:
		return "系统内部异常"
	case http.StatusBadGateway:
		return "网关异常"
	case http.StatusServiceUnavailable: // not in the contract
		return "服务暂不可用"
	case http.StatusGatewayTimeout: // not in the contract
		return "网关超时"
	}
	return http.StatusText(status)
}
