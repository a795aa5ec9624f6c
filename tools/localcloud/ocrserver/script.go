package ocrserver

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
