package objectstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

var creds = ossserver.Credentials{AccessKeyID: "STS.id", AccessKeySecret: "secret-5d6e", SecurityToken: "token-7f8a"}

func newStore(t *testing.T) (*objectstore.Store, *ossserver.Server, string) {
	t.Helper()
	srv := ossserver.New(ossserver.Config{Region: "cn-hangzhou"})
	t.Cleanup(func() { _ = srv.Close() })
	internal, err := srv.Listen("internal", "127.0.0.1:0")
	require.NoError(t, err)
	public, err := srv.Listen("public", "127.0.0.1:0")
	require.NoError(t, err)
	srv.AllowCredentials(creds)
	srv.CreateBucket("bkt")
	s, err := objectstore.New(objectstore.Config{
		Endpoint: internal, PublicEndpoint: public, Region: "cn-hangzhou",
		Credentials: objectstore.Credentials{AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret, SecurityToken: creds.SecurityToken},
	})
	require.NoError(t, err)
	return s, srv, public
}

func TestPutThenHead(t *testing.T) {
	s, srv, _ := newStore(t)
	ctx := context.Background()

	require.NoError(t, s.Put(ctx, "bkt", "行驶证/a b.jpg.json", objectstore.Object{Body: []byte(`{"a":1}`), ContentType: "application/json; charset=utf-8", Meta: map[string]string{"source-etag": "ABC", "result-status": "succeeded"}}))
	info, err := s.Head(ctx, "bkt", "行驶证/a b.jpg.json")

	require.NoError(t, err)
	obj, ok := srv.Object("bkt", "行驶证/a b.jpg.json")
	require.True(t, ok)
	assert.Equal(t, strings.Trim(obj.ETag, `"`), info.ETag, "ETag without quotes")
	assert.Equal(t, int64(7), info.Size)
	assert.Equal(t, "application/json; charset=utf-8", info.ContentType)
	assert.Equal(t, map[string]string{"source-etag": "ABC", "result-status": "succeeded"}, info.Meta)
}

func TestHeadErrors(t *testing.T) {
	s, srv, _ := newStore(t)
	ctx := context.Background()

	_, err := s.Head(ctx, "bkt", "missing.jpg")
	assert.ErrorIs(t, err, objectstore.ErrNotFound)
	assert.Equal(t, http.StatusNotFound, objectstore.StatusOf(err))

	_, err = s.Head(ctx, "no-such-bucket", "a.jpg")
	assert.NotErrorIs(t, err, objectstore.ErrNotFound, "a missing bucket is not a missing object")
	assert.Equal(t, http.StatusNotFound, objectstore.StatusOf(err))

	srv.RevokeCredentials(creds.AccessKeyID)
	_, err = s.Head(ctx, "bkt", "a.jpg")
	assert.Equal(t, http.StatusForbidden, objectstore.StatusOf(err))
	assert.NotContains(t, err.Error(), creds.AccessKeySecret)
	assert.NotContains(t, err.Error(), creds.SecurityToken)
}

func TestNoCredentials(t *testing.T) {
	s, _, _ := newStore(t)
	s.SetCredentials(objectstore.Credentials{})

	_, err := s.Head(context.Background(), "bkt", "a.jpg")
	assert.ErrorIs(t, err, objectstore.ErrNoCredentials)
	_, err = s.SignGetURL("bkt", "a.jpg", "", time.Minute)
	assert.ErrorIs(t, err, objectstore.ErrNoCredentials)
}

func TestSignGetURLIsFetchableFromThePublicEndpoint(t *testing.T) {
	s, srv, public := newStore(t)
	srv.PutObject("bkt", "uploads/京A 1+2#3.jpg", []byte("jpeg bytes"), "image/jpeg", nil)

	u, err := s.SignGetURL("bkt", "uploads/京A 1+2#3.jpg", "", time.Minute)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u, public+"/bkt/"), u)

	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestRedactURL(t *testing.T) {
	s, _, _ := newStore(t)
	u, err := s.SignGetURL("bkt", "a.jpg", "", time.Minute)
	require.NoError(t, err)

	red := objectstore.RedactURL(u)

	assert.NotContains(t, red, creds.SecurityToken)
	assert.Contains(t, red, "x-oss-signature=REDACTED")
	assert.Contains(t, red, "x-oss-security-token=REDACTED")
	assert.Contains(t, red, "/bkt/a.jpg", "the object stays visible for debugging")
	assert.Contains(t, red, "x-oss-expires=")
	assert.Equal(t, "(unparsable URL)", objectstore.RedactURL("http://[::1"))
}

func TestCredentialsNeverFormatTheirSecrets(t *testing.T) {
	c := objectstore.Credentials{AccessKeyID: "id", AccessKeySecret: "s3cr3t", SecurityToken: "t0k3n"}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c)} {
		assert.NotContains(t, s, "s3cr3t")
		assert.NotContains(t, s, "t0k3n")
	}
}

func TestNormalizeETag(t *testing.T) {
	assert.Equal(t, "7D73E105ABCD", objectstore.NormalizeETag(`"7d73e105abcd"`))
	assert.Equal(t, "A1B2-3", objectstore.NormalizeETag(` "a1b2-3" `), "multipart ETags keep their part count")
}

func TestErrorsUnwrapToTheirCause(t *testing.T) {
	s, srv, _ := newStore(t)
	srv.SetFault(func(ossserver.Request) *ossserver.Fault {
		return &ossserver.Fault{Status: 503, Code: "ServiceUnavailable"}
	})

	err := s.Put(context.Background(), "bkt", "a.json", objectstore.Object{Body: []byte("{}"), ContentType: "application/json"})

	var oe *objectstore.Error
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, "PUT", oe.Op)
	assert.Equal(t, 503, oe.Status)
	assert.Equal(t, "ServiceUnavailable", oe.Code)
	assert.Contains(t, err.Error(), "oss PUT: HTTP 503 ServiceUnavailable")
}

func TestListPagesThroughAPrefix(t *testing.T) {
	s, srv, _ := newStore(t)
	want := []string{}
	for i := range 25 {
		key := fmt.Sprintf("uploads/京A %02d+.jpg", i)
		srv.PutObject("bkt", key, []byte{byte(i)}, "image/jpeg", nil)
		want = append(want, key)
	}
	srv.PutObject("bkt", "other/x.jpg", []byte("x"), "image/jpeg", nil)

	var got []string
	token, pages := "", 0
	for {
		page, err := s.List(context.Background(), "bkt", "uploads/", token, 10)
		require.NoError(t, err)
		pages++
		for _, o := range page.Objects {
			got = append(got, o.Key)
			assert.Equal(t, int64(1), o.Size)
			assert.Len(t, o.ETag, 32)
			assert.False(t, o.LastModified.IsZero())
		}
		if page.Next == "" {
			break
		}
		token = page.Next
	}
	assert.Equal(t, want, got, "every key once, in order, decoded")
	assert.Equal(t, 3, pages)
}

func TestPutRefusesAnAnswerThatDoesNotMatchTheBody(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"00000000000000000000000000000000"`)
		w.WriteHeader(http.StatusOK)
	}))
	defer fake.Close()
	s, err := objectstore.New(objectstore.Config{Endpoint: fake.URL, PublicEndpoint: fake.URL, Region: "cn-hangzhou",
		Credentials: objectstore.Credentials{AccessKeyID: "id", AccessKeySecret: "secret"}})
	require.NoError(t, err)

	err = s.Put(context.Background(), "bkt", "a.json", objectstore.Object{Body: []byte(`{"a":1}`), ContentType: "application/json"})

	require.Error(t, err, "a write OSS did not confirm is not reported as written")
	assert.Contains(t, err.Error(), "not trusted")
}
