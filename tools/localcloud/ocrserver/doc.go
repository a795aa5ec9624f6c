// Package ocrserver is an in-process stand-in for the 行驶证 (vehicle
// licence) recognition API that the function calls through the Alibaba Cloud
// Marketplace API Gateway. It speaks the vendor's documented contract
// (docs/vendor-api.md) over real HTTP, so the
// handler's tests, the local demo and the benchmarks exercise the same
// client code that talks to the cloud.
//
// What one call goes through, in the order the real service applies it:
//
//  1. Gateway: POST to the configured path, else 400 "Invalid Url". Then the
//     caller: with an AppCode configured, a missing or malformed
//     "Authorization: APPCODE <code>" is answered 401 "Empty AppCode", a
//     wrong code 403 "Invalid AppCode"; with an AppKey/AppSecret configured,
//     an X-Ca-Signature call is verified like the gateway does (signature.go:
//     string to sign, 15-minute timestamp window, nonce replay). Gateway
//     answers carry X-Ca-Error-Message and an empty body.
//  2. Vendor: the multipart/form-data body (at most 2 MB, else 413) must name
//     an image (imgUrl, file or imgBase64; imgUrl wins, imgBase64 loses) and
//     a valid cardSide (FRONT by default), else business error 1009.
//  3. Config.Decide picks a Reply for the call (Success by default). Scripted
//     replies let tests produce every outcome of docs/outcomes.md.
//  4. For Success the stand-in fetches imgUrl with a plain GET, as the vendor
//     does from the internet: a refused fetch (for example an expired or
//     tampered OSS signature) or bytes that are not JPEG, PNG or BMP turn
//     into a business error, so a bad signed URL fails exactly as in the
//     cloud. Recognised data is synthetic and derived from the image bytes.
//
// Scripting: Decide sees a Request (image path, side, attempt number) and
// returns a Reply built with Success, BusinessError, HTTPStatus, Throttled,
// GatewayError, BodyStatus, Raw or Disconnect, optionally delayed with
// After. Script gives per-image sequences ("502, then success");
// localcloud.Rules steers the demo by file name. Recognize tells a test
// which data a given image will produce.
//
// Every response carries X-Ca-Request-Id, as the gateway adds one to all of
// them. Every call is recorded (Calls) and HTTP 200 answers are counted as
// billed (Billed), because the gateway bills only those.
//
// The AppCode and the AppSecret are secrets: the stand-in never echoes
// them, neither the configured ones nor wrong ones a client sent, and it
// logs nothing.
package ocrserver
