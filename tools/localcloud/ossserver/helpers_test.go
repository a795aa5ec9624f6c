package ossserver_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

const (
	region     = "cn-hangzhou"
	bucketName = "images"

	permanentID     = "LTAI5tPermanentKey"
	permanentSecret = "permanent-secret-0123456789"
	stsID           = "STS.NTemporaryKey"
	stsSecret       = "sts-secret-0123456789"
	stsToken        = "CAIS-sts-token-0123456789"

	// trickyKey holds everything the SDK must escape: Chinese, a space, '+',
	// '%', '#' and '/'.
	trickyKey = "行驶证/车 1+2%3#4.jpg"
)

var (
	permanent = ossserver.Credentials{AccessKeyID: permanentID, AccessKeySecret: permanentSecret}
	sts       = ossserver.Credentials{AccessKeyID: stsID, AccessKeySecret: stsSecret, SecurityToken: stsToken}
	// secrets must never show up in what the server sends back.
	secrets = []string{permanentSecret, stsSecret, stsToken}
)

// testClock is the server's injectable clock: real time plus an offset, so
// that tests can expire URLs and credentials without sleeping.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// fixture is a server with an "internal" and a "public" listener, both test
// identities allowed and the bucket created.
type fixture struct {
	srv      *ossserver.Server
	clock    *testClock
	internal string // endpoint of the "internal" listener
	public   string // endpoint of the "public" listener
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := &testClock{}
	srv := ossserver.New(ossserver.Config{Region: region, Now: clock.Now})
	t.Cleanup(func() { assert.NoError(t, srv.Close()) })
	internal, err := srv.Listen("internal", "127.0.0.1:0")
	require.NoError(t, err)
	public, err := srv.Listen("public", "127.0.0.1:0")
	require.NoError(t, err)
	srv.AllowCredentials(permanent)
	srv.AllowCredentials(sts)
	srv.CreateBucket(bucketName)
	return &fixture{srv: srv, clock: clock, internal: internal, public: public}
}

// identity is what a client signs with.
type identity struct {
	id, secret, token string
	region            string // "" means the server's region
}

var (
	permanentIdentity = identity{id: permanentID, secret: permanentSecret}
	stsIdentity       = identity{id: stsID, secret: stsSecret, token: stsToken}
)

// bucket returns an official SDK client for bucketName on endpoint, signing
// with V4 as the function does.
func bucket(t *testing.T, endpoint string, who identity, extra ...oss.ClientOption) *oss.Bucket {
	t.Helper()
	r := who.region
	if r == "" {
		r = region
	}
	return sdkBucket(t, endpoint, who, append([]oss.ClientOption{oss.AuthVersion(oss.AuthV4), oss.Region(r)}, extra...)...)
}

// bucketV1 returns a Go SDK v1 client signing with its default, V1.
func bucketV1(t *testing.T, endpoint string, who identity, extra ...oss.ClientOption) *oss.Bucket {
	t.Helper()
	return sdkBucket(t, endpoint, who, extra...)
}

func sdkBucket(t *testing.T, endpoint string, who identity, opts ...oss.ClientOption) *oss.Bucket {
	t.Helper()
	if who.token != "" {
		opts = append(opts, oss.SecurityToken(who.token))
	}
	client, err := oss.New(endpoint, who.id, who.secret, opts...)
	require.NoError(t, err)
	b, err := client.Bucket(bucketName)
	require.NoError(t, err)
	return b
}

// tamperURL changes a signed URL's query (change) and the rest of it
// (changeURL), and then the server (prepare): each may be nil.
func tamperURL(t *testing.T, f *fixture, signed string, change func(url.Values), changeURL func(*url.URL), prepare func(*fixture)) string {
	t.Helper()
	u := mustParseURL(t, signed)
	if change != nil {
		q := u.Query()
		change(q)
		u.RawQuery = q.Encode()
	}
	if changeURL != nil {
		changeURL(u)
	}
	if prepare != nil {
		prepare(f)
	}
	return u.String()
}

// requireServiceError asserts err is an OSS error with the given status and
// code, and that it carries no secret.
func requireServiceError(t *testing.T, err error, status int, code string) oss.ServiceError {
	t.Helper()
	var se oss.ServiceError
	require.True(t, errors.As(err, &se), "want oss.ServiceError, got %T: %v", err, err)
	assert.Equal(t, status, se.StatusCode)
	assert.Equal(t, code, se.Code)
	assert.NotEmpty(t, se.RequestID)
	assertNoSecrets(t, se.RawMessage, se.Error())
	return se
}

func assertNoSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, secret := range secrets {
			assert.NotContains(t, text, secret)
		}
	}
}

// lastRequest is the most recent entry of the server's request log.
func lastRequest(t *testing.T, srv *ossserver.Server) ossserver.Request {
	t.Helper()
	log := srv.Requests()
	require.NotEmpty(t, log)
	return log[len(log)-1]
}

// httpGet fetches url with a plain net/http client, as a third party does.
func httpGet(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// flipLast changes the last hex digit of a signature.
func flipLast(s string) string {
	if strings.HasSuffix(s, "0") {
		return s[:len(s)-1] + "1"
	}
	return s[:len(s)-1] + "0"
}

func internalEndpoint(f *fixture) string { return f.internal }
