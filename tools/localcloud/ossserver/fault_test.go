package ossserver_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

func TestFaultInjection(t *testing.T) {
	onGet := func(f *ossserver.Fault) ossserver.FaultFunc {
		return func(r ossserver.Request) *ossserver.Fault {
			if r.Method == http.MethodGet {
				return f
			}
			return nil
		}
	}
	cases := []struct {
		name       string
		fault      ossserver.FaultFunc
		endpoint   func(f *fixture) string
		wantStatus int // 0: the request succeeds
		wantCode   string
		wantMsg    string
	}{
		{name: "503 with code and message", fault: onGet(&ossserver.Fault{Status: 503, Code: "ServiceUnavailable", Message: "Please reduce your request rate."}),
			endpoint: internalEndpoint, wantStatus: 503, wantCode: "ServiceUnavailable", wantMsg: "Please reduce your request rate."},
		{name: "500 without a code defaults to InternalError", fault: onGet(&ossserver.Fault{Status: 500}),
			endpoint: internalEndpoint, wantStatus: 500, wantCode: "InternalError"},
		{name: "403 from the fault, before authentication", fault: onGet(&ossserver.Fault{Status: 403, Code: "AccessDenied"}),
			endpoint: internalEndpoint, wantStatus: 403, wantCode: "AccessDenied"},
		{name: "delay only, then normal handling", fault: onGet(&ossserver.Fault{Delay: 50 * time.Millisecond}),
			endpoint: internalEndpoint},
		{name: "fault on the public listener spares the internal one",
			fault: func(r ossserver.Request) *ossserver.Fault {
				if r.Listener == "public" {
					return &ossserver.Fault{Status: 500}
				}
				return nil
			},
			endpoint: internalEndpoint},
		{name: "fault on the public listener hits it",
			fault: func(r ossserver.Request) *ossserver.Fault {
				if r.Listener == "public" {
					return &ossserver.Fault{Status: 500}
				}
				return nil
			},
			endpoint: func(f *fixture) string { return f.public }, wantStatus: 500, wantCode: "InternalError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
			f.srv.SetFault(tc.fault)
			b := bucket(t, tc.endpoint(f), stsIdentity)

			start := time.Now()
			r, err := b.GetObject("a.jpg")

			if tc.wantStatus == 0 {
				require.NoError(t, err)
				require.NoError(t, r.Close())
				assert.Equal(t, http.StatusOK, lastRequest(t, f.srv).Status)
				return
			}
			se := requireServiceError(t, err, tc.wantStatus, tc.wantCode)
			assert.Equal(t, tc.wantMsg, se.Message)
			got := lastRequest(t, f.srv)
			assert.Equal(t, tc.wantStatus, got.Status)
			assert.Equal(t, tc.wantCode, got.ErrorCode)
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
}

func TestFaultDelayHoldsTheResponse(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	const delay = 100 * time.Millisecond
	f.srv.SetFault(func(ossserver.Request) *ossserver.Fault { return &ossserver.Fault{Delay: delay} })

	start := time.Now()
	_, err := bucket(t, f.internal, stsIdentity).GetObjectDetailedMeta("a.jpg")

	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), delay)
}

func TestFaultSeesTheRequest(t *testing.T) {
	f := newFixture(t)
	seen := make(chan ossserver.Request, 1)
	f.srv.SetFault(func(r ossserver.Request) *ossserver.Fault { seen <- r; return nil })

	require.NoError(t, bucket(t, f.internal, stsIdentity).PutObject(trickyKey, strings.NewReader("x")))

	got := <-seen
	assert.Equal(t, "internal", got.Listener)
	assert.Equal(t, http.MethodPut, got.Method)
	assert.Equal(t, bucketName, got.Bucket)
	assert.Equal(t, trickyKey, got.Key)
	assert.Equal(t, ossserver.AuthHeaderV4, got.Auth)
	assert.NotEmpty(t, got.RequestID)

	f.srv.SetFault(nil)
	require.NoError(t, bucket(t, f.internal, stsIdentity).PutObject("b.jpg", strings.NewReader("x")))
}

func TestCloseEndsAnInjectedDelay(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	entered := make(chan struct{})
	f.srv.SetFault(func(ossserver.Request) *ossserver.Fault {
		close(entered)
		return &ossserver.Fault{Delay: time.Hour}
	})
	b := bucket(t, f.internal, stsIdentity, oss.Timeout(5, 60))
	done := make(chan error, 1)
	go func() { _, err := b.GetObject("a.jpg"); done <- err }()
	<-entered

	start := time.Now()
	require.NoError(t, f.srv.Close())

	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Error(t, <-done, "the client sees the connection closed")
	got := lastRequest(t, f.srv)
	assert.Equal(t, 0, got.Status, "no response was written")
}
