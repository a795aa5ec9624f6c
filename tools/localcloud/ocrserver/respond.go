package ocrserver

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/google/uuid"
)

// Headers the Alibaba Cloud API gateway sets. X-Ca-Error-Message is how a
// client tells a gateway refusal from the vendor's own answer.
const (
	HeaderErrorMessage = "X-Ca-Error-Message"
	HeaderRequestID    = "X-Ca-Request-Id"
)

// jsonContentType is what the vendor's (Java) service sends.
const jsonContentType = "application/json;charset=UTF-8"

// envelope is the vendor's JSON answer. Data is nil on every failure, so
// "data" is absent, as the contract says.
type envelope struct {
	Status   int    `json:"status"`
	Code     int    `json:"code"`
	Message  string `json:"message"`
	ReqID    string `json:"reqId"`
	SerialNo string `json:"serialNo"`
	Data     *Data  `json:"data,omitempty"`
}

// write puts reply on the wire, with data only for Success.
func write(w http.ResponseWriter, reply Reply, data *Data) {
	switch reply.kind {
	case kindDisconnect:
		hangUp(w)
		return
	case kindGateway:
		w.Header().Set(HeaderErrorMessage, reply.message)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(reply.httpStatus)
		return
	case kindRaw:
		if reply.contentType != "" {
			w.Header().Set("Content-Type", reply.contentType)
		} else {
			w.Header()["Content-Type"] = nil // stop net/http from sniffing one
		}
		writeBody(w, reply.httpStatus, reply.body)
		return
	}

	env := envelope{
		Status:   reply.bodyStatus,
		Code:     reply.code,
		Message:  reply.message,
		ReqID:    uuid.NewString(),
		SerialNo: newSerialNo(),
	}
	if reply.kind == kindSuccess {
		env.Status, env.Code, env.Message, env.Data = http.StatusOK, 0, "success", data
	}
	body, err := json.Marshal(env)
	if err != nil {
		panic(err) // strings and integers always marshal
	}
	w.Header().Set("Content-Type", jsonContentType)
	writeBody(w, reply.Status(), body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// hangUp closes the connection without a response. Over HTTP/2, where the
// connection cannot be taken over, panicking with ErrAbortHandler makes
// net/http reset the stream instead.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
