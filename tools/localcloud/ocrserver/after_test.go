package ocrserver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAfterDelaysTheAnswer(t *testing.T) {
	const delay = 200 * time.Millisecond
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/k.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
	cases := []struct {
		name       string
		reply      Reply
		wantStatus int
	}{
		{name: "slow success", reply: Success().After(delay), wantStatus: 200},
		{name: "slow 504", reply: HTTPStatus(504).After(delay), wantStatus: 504},
		{name: "slow throttling", reply: Throttled().After(delay), wantStatus: 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{Decide: func(Request) Reply { return tc.reply }})

			start := time.Now()
			a := post(t, s, field("imgUrl", host.URL+"/b/k.jpg"))

			assert.GreaterOrEqual(t, time.Since(start), delay)
			assert.Equal(t, tc.wantStatus, a.status)
			assert.Equal(t, delay, s.Calls()[0].Reply.Delay())
		})
	}
}

func TestAfterStopsWhenTheClientGivesUp(t *testing.T) {
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/k.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
	s := startServer(t, Config{Decide: func(Request) Reply { return Success().After(time.Hour) }})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := postTo(t, ctx, s.URL(), "APPCODE "+testAppCode, field("imgUrl", host.URL+"/b/k.jpg"))

	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
	// The handler notices the closed connection shortly after the client.
	require.Eventually(t, func() bool { return len(s.Calls()) == 1 }, 5*time.Second, 10*time.Millisecond)
	call := s.Calls()[0]
	assert.Zero(t, call.Status, "nothing was answered")
	assert.Zero(t, host.hits.Load(), "the image is fetched after the wait, so never here")
	assert.Zero(t, s.Billed())
}

func TestCloseDoesNotWaitForSlowReplies(t *testing.T) {
	s := New(Config{AppCode: testAppCode, Decide: func(Request) Reply { return Success().After(time.Hour) }})
	require.NoError(t, s.Start())
	done := make(chan error, 1)
	go func() {
		_, err := postTo(t, context.Background(), s.URL(), "APPCODE "+testAppCode, field("imgUrl", "http://127.0.0.1:1/b/k.jpg"))
		done <- err
	}()
	require.Eventually(t, func() bool { return s.journal.attemptsFor("/b/k.jpg") == 1 }, 5*time.Second, 10*time.Millisecond)

	start := time.Now()
	require.NoError(t, s.Close())

	assert.Less(t, time.Since(start), 4*time.Second, "Close must not wait out the hour")
	require.Error(t, <-done, "the client gets no answer from a closed server")
	require.Len(t, s.Calls(), 1, "Close waits until the call is recorded")
	assert.Zero(t, s.Calls()[0].Status)
}
