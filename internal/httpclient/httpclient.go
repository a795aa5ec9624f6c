// Package httpclient builds the HTTP clients the function keeps for the
// life of an instance: connections stay alive across invocations, the pool
// is sized to the record concurrency, and redirects are never followed.
package httpclient

import (
	"net"
	"net/http"
	"time"
)

// New returns a client keeping up to maxConns idle connections per host.
// timeout bounds a whole request when positive; callers that pass
// contexts with deadlines may leave it 0.
//
// Redirects are returned, not followed: neither OSS nor the recognition API
// redirects a correct endpoint, and following one would turn the
// recognition POST into a GET and lose its form.
func New(maxConns int, timeout time.Duration) *http.Client {
	if maxConns < 1 {
		maxConns = 1
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			MaxIdleConns:          maxConns,
			MaxIdleConnsPerHost:   maxConns,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: timeout,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
