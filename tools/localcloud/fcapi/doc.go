// Package fcapi serves the InvokeFunction operation of Function Compute 3.0's
// OpenAPI (version 2023-03-30) on a local listener, in front of functions run
// by fcemulator, so that a client built on the official SDK
// (github.com/alibabacloud-go/fc-20230330/v4, InvokeFunctionWithOptions) works
// against the local cloud unchanged: point its openapi.Config at the
// listener's host:port with Protocol "http".
//
// # The operation
//
// As "InvokeFunction" of the FC 3.0 API reference describes it:
//
//	POST /2023-03-30/functions/{functionName}/invocations[?qualifier=LATEST]
//	x-fc-invocation-type: Sync (default) | Async
//	x-fc-async-task-id:   optional, asynchronous invocations of a function whose
//	                      asynchronous task feature is on
//	x-fc-log-type:        None (default) | Tail (accepted; no log is returned)
//	body:                 the event, handed to the function as is
//
// A synchronous invocation answers 200 with the function's response as the
// body; when the function fails, still 200, with x-fc-error-type:
// UnhandledInvocationError and the error's JSON ({"errorMessage", "errorType",
// "stackTrace"}) as the body ("Error handling"). An asynchronous one is queued
// with the Invoker's InvokeAsync, which applies the function's retries and
// failure destination, and answers 202 at once with x-fc-request-id and, for
// a task, x-fc-async-task-id. Payloads over 32 MB (synchronous) or 128 KB
// (asynchronous) are refused with 400 EntityTooLarge ("What do I do if the
// EntityTooLarge: payload size exceeds maximum allowed size error message is
// reported?"). Only the LATEST qualifier exists locally.
//
// # Task ids
//
// "InvokeFunction" gives the rule for x-fc-async-task-id: it starts with a
// letter or an underscore and holds letters, digits, underscores and hyphens,
// 128 characters at most; a task id requires the function's asynchronous task
// feature (fc3's asyncInvokeConfig.asyncTask). "Task deduplication" says that
// a task id already submitted is refused with 409, whatever became of the
// task: the server keeps every id it accepted until Close. What FC answers
// for a task id sent to a function without the feature, or with a
// synchronous invocation, is not documented: the server refuses both with
// 400 InvalidArgument, naming the setting. With the feature on and no task
// id, the request id becomes the task id, as "Task deduplication" says.
//
// # Signatures
//
// Every request must be signed with ACS3-HMAC-SHA256 as "Request syntax and
// signature method V3" describes: Authorization names the AccessKey, the
// signed headers and the signature over the canonical request (method,
// percent-encoded path, sorted percent-encoded query, the signed headers'
// trimmed values, the list of signed headers, x-acs-content-sha256). host,
// x-acs-date, x-acs-content-sha256 and every x-acs-* header sent must be
// signed; x-acs-content-sha256 must be the hex SHA-256 of the body;
// x-acs-date must be within 15 minutes of the server's clock; an STS
// AccessKey needs its x-acs-security-token, and a permanent one must not
// carry any. Failures get FC's error shape ("Error" of the FC 3.0 API
// reference): the HTTP status and a JSON body {"Code", "Message",
// "RequestId"}, with the codes of FC's error code list (MissingRequiredHeader,
// InvalidArgument, InvalidAccessKeyID, SignatureNotMatch, AccessDenied,
// FunctionNotFound, PathNotSupported, EntityTooLarge). FC's list names no code
// for a stale x-acs-date or a security token that does not fit the AccessKey:
// those get 403 AccessDenied. Messages never quote a secret, a token or a
// signature. Signature nonces are not remembered: a replayed request within
// the 15 minutes is accepted.
package fcapi
