package fcapi

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error codes the server answers with. All but CodeTaskAlreadyExists are in
// FC's error code list ("Error codes"); see the package documentation.
const (
	CodeMissingRequiredHeader = "MissingRequiredHeader"
	CodeInvalidArgument       = "InvalidArgument"
	CodePathNotSupported      = "PathNotSupported"
	CodeEntityTooLarge        = "EntityTooLarge"
	CodeAccessDenied          = "AccessDenied"
	CodeSignatureNotMatch     = "SignatureNotMatch"
	CodeInvalidAccessKeyID    = "InvalidAccessKeyID"
	CodeFunctionNotFound      = "FunctionNotFound"
	CodeAliasNotFound         = "AliasNotFound"
	CodeVersionNotFound       = "VersionNotFound"
	CodeInternalServerError   = "InternalServerError"
	CodeClientClosedRequest   = "ClientClosedRequest"
	// CodeTaskAlreadyExists answers a task id that was already submitted
	// (409, "Task deduplication"). FC documents the status but no code for
	// it in the 2023-03-30 API: this is FC 2.0's
	// StatefulAsyncInvocationAlreadyExists renamed after FC 3.0's AsyncTask.
	// Clients should test the status, 409.
	CodeTaskAlreadyExists = "AsyncTaskAlreadyExists"
)

// ErrorBody is the JSON body of an error response, the "Error" structure of
// the FC 3.0 API reference.
type ErrorBody struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestID string `json:"RequestId"`
}

// apiError is one error answer.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func missingHeader(name string) *apiError {
	return errorf(http.StatusBadRequest, CodeMissingRequiredHeader, "required HTTP header %s was not specified", name)
}

func invalidArgument(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, CodeInvalidArgument, format, args...)
}

// errSignature is FC's message for a signature that does not verify.
var errSignature = &apiError{http.StatusForbidden, CodeSignatureNotMatch,
	"The request signature we calculated does not match the signature you provided. Check your access key and signing method"}

func writeError(w http.ResponseWriter, requestID string, e *apiError) {
	body, _ := json.Marshal(ErrorBody{Code: e.code, Message: e.message, RequestID: requestID})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}
