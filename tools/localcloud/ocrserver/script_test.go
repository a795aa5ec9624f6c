package ocrserver

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScriptRepliesInSequencePerImage(t *testing.T) {
	img := testJPEG(t, 1)
	host := newImageHost(t, map[string]http.HandlerFunc{
		"/bucket/flaky.jpg":     serveBytes("image/jpeg", img),
		"/bucket/throttled.jpg": serveBytes("image/jpeg", img),
		"/bucket/plain.jpg":     serveBytes("image/jpeg", img),
		"/bucket/行驶证/a+b 1.jpg": serveBytes("image/jpeg", img),
	})
	s := startServer(t, Config{Decide: Script{
		"/bucket/flaky.jpg":     {HTTPStatus(502), Success()},
		"/bucket/throttled.jpg": {Throttled()},
		"/bucket/行驶证/a+b 1.jpg": {HTTPStatus(500), BusinessError(1009, "存在非法参数")},
	}.Decide})

	cases := []struct {
		name        string
		imgURL      string // each call signs the URL anew: only the path keys the script
		wantStatus  int
		wantAttempt int
	}{
		{name: "flaky first call fails", imgURL: host.URL + "/bucket/flaky.jpg?Signature=1", wantStatus: 502, wantAttempt: 1},
		{name: "flaky second call succeeds", imgURL: host.URL + "/bucket/flaky.jpg?Signature=2", wantStatus: 200, wantAttempt: 2},
		{name: "flaky past the end repeats the last reply", imgURL: host.URL + "/bucket/flaky.jpg?Signature=3", wantStatus: 200, wantAttempt: 3},
		{name: "throttled once", imgURL: host.URL + "/bucket/throttled.jpg", wantStatus: 403, wantAttempt: 1},
		{name: "throttled for ever", imgURL: host.URL + "/bucket/throttled.jpg", wantStatus: 403, wantAttempt: 2},
		{name: "unscripted image succeeds", imgURL: host.URL + "/bucket/plain.jpg", wantStatus: 200, wantAttempt: 1},
		{name: "escaped key matches its decoded path", imgURL: host.URL + "/bucket/%E8%A1%8C%E9%A9%B6%E8%AF%81/a%2Bb%201.jpg?Expires=9", wantStatus: 500, wantAttempt: 1},
		{name: "escaped key second call", imgURL: host.URL + "/bucket/%E8%A1%8C%E9%A9%B6%E8%AF%81/a%2Bb%201.jpg?Expires=10", wantStatus: 400, wantAttempt: 2},
	}
	for _, tc := range cases { // sequential subtests: the order is the point
		t.Run(tc.name, func(t *testing.T) {
			a := post(t, s, field("imgUrl", tc.imgURL))

			calls := s.Calls()
			last := calls[len(calls)-1]
			assert.Equal(t, tc.wantStatus, a.status)
			assert.Equal(t, tc.wantAttempt, last.Attempt)
		})
	}
	assert.Equal(t, "/bucket/行驶证/a+b 1.jpg", s.Calls()[len(cases)-1].ImagePath)
}

func TestBilledCountsOnlyHTTP200(t *testing.T) {
	img := testJPEG(t, 1)
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/k.jpg": serveBytes("image/jpeg", img)})
	replies := []Reply{
		Success(), // billed
		BusinessError(1009, "存在非法参数"),      // vendor 400: not billed
		BodyStatus(500, 2001, "识别失败"),      // HTTP 200: billed although it failed
		HTTPStatus(502),                    // not billed
		Throttled(),                        // not billed
		Raw(200, "text/html", []byte("x")), // HTTP 200: billed
	}
	s := startServer(t, Config{Decide: func(r Request) Reply { return replies[r.Attempt-1] }})

	for range replies {
		post(t, s, field("imgUrl", host.URL+"/b/k.jpg"))
	}
	_, err := postTo(t, t.Context(), s.URL(), "", field("imgUrl", host.URL+"/b/k.jpg")) // refused AppCode: not billed
	require.NoError(t, err)

	assert.Equal(t, 3, s.Billed())
	assert.Len(t, s.Calls(), len(replies)+1)
}

func TestConcurrentCallsAreAllRecordedWithDistinctAttempts(t *testing.T) {
	const n = 20
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/k.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
	s := startServer(t, Config{})

	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			a, err := postTo(t, t.Context(), s.URL(), "APPCODE "+testAppCode, field("imgUrl", host.URL+"/b/k.jpg"))
			assert.NoError(t, err)
			assert.Equal(t, http.StatusOK, a.status)
		})
	}
	wg.Wait()

	calls := s.Calls()
	require.Len(t, calls, n)
	seen := map[int]bool{}
	for _, c := range calls {
		seen[c.Attempt] = true
	}
	assert.Len(t, seen, n, "each call got its own attempt number")
	assert.Equal(t, n, s.Billed())
}
