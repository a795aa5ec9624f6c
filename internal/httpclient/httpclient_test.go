package httpclient

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeepsConnectionsAndDoesNotFollowRedirects(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := New(2, 0)

	for range 5 {
		resp, err := c.Get(srv.URL + "/a")
		require.NoError(t, err)
		resp.Body.Close()
	}
	resp, err := c.Get(srv.URL + "/moved")
	require.NoError(t, err)
	resp.Body.Close()

	assert.Equal(t, int32(1), conns.Load(), "sequential requests reuse one connection")
	assert.Equal(t, http.StatusFound, resp.StatusCode, "the redirect is returned, not followed")
}
