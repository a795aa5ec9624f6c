package ossserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// The function writes through the internal endpoint and hands a URL signed
// against the public one to a third party: both must see one store, and the
// log must tell them apart.
func TestListenersShareOneStore(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, bucket(t, f.internal, stsIdentity).PutObject(trickyKey, strings.NewReader("jpeg")))
	signed, err := bucket(t, f.public, stsIdentity).SignURL(trickyKey, oss.HTTPGet, 300)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(signed, f.public+"/"), signed)

	resp := httpGet(t, signed)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "jpeg", string(body))

	type served struct {
		Listener, Method string
		Auth             ossserver.AuthKind
	}
	var got []served
	for _, r := range f.srv.Requests() {
		got = append(got, served{r.Listener, r.Method, r.Auth})
	}
	assert.Equal(t, []served{
		{"internal", http.MethodPut, ossserver.AuthHeaderV4},
		{"public", http.MethodGet, ossserver.AuthURLV4},
	}, got)
}

func TestListenAndClose(t *testing.T) {
	cases := []struct {
		name    string
		listen  func(srv *ossserver.Server) error
		wantErr string
	}{
		{"duplicate name", func(srv *ossserver.Server) error {
			if _, err := srv.Listen("internal", "127.0.0.1:0"); err != nil {
				return err
			}
			_, err := srv.Listen("internal", "127.0.0.1:0")
			return err
		}, `listener named "internal" already exists`},
		{"bad address", func(srv *ossserver.Server) error {
			_, err := srv.Listen("internal", "not-an-address")
			return err
		}, "listen"},
		{"after Close", func(srv *ossserver.Server) error {
			require.NoError(t, srv.Close())
			_, err := srv.Listen("internal", "127.0.0.1:0")
			return err
		}, "after Close"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := ossserver.New(ossserver.Config{})
			defer func() { assert.NoError(t, srv.Close()) }()
			err := tc.listen(srv)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}

	t.Run("Close stops every listener and keeps the store", func(t *testing.T) {
		srv := ossserver.New(ossserver.Config{})
		endpoint, err := srv.Listen("internal", "127.0.0.1:0")
		require.NoError(t, err)
		srv.CreateBucket(bucketName)
		srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)

		require.NoError(t, srv.Close())
		require.NoError(t, srv.Close(), "Close is idempotent")

		_, err = http.Get(endpoint + "/" + bucketName + "/a.jpg")
		assert.Error(t, err)
		_, ok := srv.Object(bucketName, "a.jpg")
		assert.True(t, ok)
	})
}
