package ocrserver

import (
	"net/http"
	"sync"
	"time"
)

// Call is what the stand-in received and answered, recorded for tests.
type Call struct {
	// At is when the call arrived.
	At time.Time
	// ImgURL, ImagePath, CardSide, Source and Attempt are as in Request;
	// they are filled as far as the call got (ImgURL is kept even when the
	// AppCode was refused, if the body could be read). Attempt is 0 when
	// the call never reached Decide.
	ImgURL    string
	ImagePath string
	CardSide  string
	Source    string
	Attempt   int
	// AuthOK reports whether the caller was accepted (AppCode or signature).
	AuthOK bool
	// FetchStatus is the HTTP status imgUrl answered, 0 when it was not
	// fetched or the fetch failed before a status (see FetchError).
	FetchStatus int
	// FetchError describes a fetch that failed, "" otherwise.
	FetchError string
	// FetchedBytes is how many image bytes were read from imgUrl.
	FetchedBytes int
	// Reply is what was answered: Decide's choice, or the stand-in's own
	// answer when the gateway refused the call, the form was invalid or the
	// image could not be used (e.g. BusinessError(CodeDownloadFailed, …)).
	Reply Reply
	// Status is the HTTP status written, 0 when nothing was (the client
	// went away during a delay, or Disconnect).
	Status int
}

// Billed reports whether the gateway would bill the call: it bills every
// HTTP 200 answer, whatever the body says.
func (c Call) Billed() bool { return c.Status == http.StatusOK }

// journal records calls and counts attempts per image; it is shared by
// concurrent handlers.
type journal struct {
	mu       sync.Mutex
	calls    []Call
	attempts map[string]int
}

func (j *journal) add(c Call) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.calls = append(j.calls, c)
}

// nextAttempt counts one more call for imagePath and returns the count.
func (j *journal) nextAttempt(imagePath string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.attempts == nil {
		j.attempts = make(map[string]int)
	}
	j.attempts[imagePath]++
	return j.attempts[imagePath]
}

func (j *journal) snapshot() []Call {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Call(nil), j.calls...)
}

func (j *journal) billed() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for _, c := range j.calls {
		if c.Billed() {
			n++
		}
	}
	return n
}
