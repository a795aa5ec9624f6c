package ocrserver

import (
	"net/http"
	"strings"
	"time"
)

// Script scripts replies per image: the key is the image's path as in
// Request.ImagePath ("/bucket/key", decoded, without the query), the value
// the replies to its 1st, 2nd, … call. Past the end the last reply repeats,
// so {HTTPStatus(502), Success()} fails once and then succeeds, and
// {Throttled()} throttles for ever. Images without an entry get Success.
// Use it as Config.Decide: Decide: ocrserver.Script{…}.Decide. The map is
// only read, so it must not be changed while the server runs.
type Script map[string][]Reply

// Decide picks the reply for req.Attempt of req.ImagePath.
func (s Script) Decide(req Request) Reply {
	replies := s[req.ImagePath]
	if len(replies) == 0 {
		return Success()
	}
	return replies[min(req.Attempt, len(replies))-1]
}

// SlowDelay is how long ByName makes "slow" images wait: long enough to see
// in a demo, short enough to stay under the default OCR_TIMEOUT (10s).
const SlowDelay = 3 * time.Second

// ByName decides from the image's file name (Request.Name, case-insensitive),
// for demos where uploading a file is the only way to steer the outcome:
//
//   - "reject": the vendor refuses it: BusinessError(1009, 存在非法参数)
//   - "flaky":  the first call gets 502, later calls succeed
//   - "slow":   Success after SlowDelay
//
// The rules are tried in this order; any other name succeeds.
func ByName(req Request) Reply {
	name := strings.ToLower(req.Name())
	switch {
	case strings.Contains(name, "reject"):
		return BusinessError(CodeIllegalParam, MsgIllegalParam)
	case strings.Contains(name, "flaky") && req.Attempt == 1:
		return HTTPStatus(http.StatusBadGateway)
	case strings.Contains(name, "slow"):
		return Success().After(SlowDelay)
	}
	return Success()
}
