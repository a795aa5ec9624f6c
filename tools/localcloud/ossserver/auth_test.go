package ossserver_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

func TestHeaderSignedRequestsAccepted(t *testing.T) {
	cases := []struct {
		name string
		who  identity
	}{
		{"permanent AccessKey without token", permanentIdentity},
		{"STS credentials with token", stsIdentity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			b := bucket(t, f.internal, tc.who)
			require.NoError(t, b.PutObject(trickyKey, strings.NewReader("x")))
			_, err := b.GetObjectDetailedMeta(trickyKey)
			require.NoError(t, err)

			got := lastRequest(t, f.srv)
			assert.Equal(t, ossserver.AuthHeaderV4, got.Auth)
			assert.Equal(t, tc.who.id, got.AccessKeyID)
			assert.Equal(t, http.StatusOK, got.Status)
		})
	}
}

// Refusals are the same whichever signature carries the credentials: the
// SDK's V4 and its default V1 header signatures get the same OSS errors.
func TestHeaderSignedRequestsRefused(t *testing.T) {
	cases := []struct {
		name       string
		who        identity
		prepare    func(f *fixture) // changes the server before the request
		v4Only     bool             // V1 signs no region
		wantStatus int
		wantCode   string
	}{
		{name: "unknown AccessKeyId", who: identity{id: "LTAI5tUnknown", secret: permanentSecret},
			wantStatus: http.StatusForbidden, wantCode: "InvalidAccessKeyId"},
		{name: "wrong secret", who: identity{id: permanentID, secret: "not-the-secret"},
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "STS key without token", who: identity{id: stsID, secret: stsSecret},
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "STS key with wrong token", who: identity{id: stsID, secret: stsSecret, token: "CAIS-other-token"},
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "permanent key with a token", who: identity{id: permanentID, secret: permanentSecret, token: stsToken},
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "revoked credentials", who: stsIdentity,
			prepare:    func(f *fixture) { f.srv.RevokeCredentials(stsID) },
			wantStatus: http.StatusForbidden, wantCode: "InvalidAccessKeyId"},
		{name: "rotated STS credentials, old token", who: stsIdentity,
			prepare: func(f *fixture) {
				f.srv.AllowCredentials(ossserver.Credentials{AccessKeyID: stsID, AccessKeySecret: stsSecret, SecurityToken: "CAIS-rotated"})
			},
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "expired STS credentials", who: stsIdentity,
			prepare: func(f *fixture) {
				expired := sts
				expired.Expiration = f.clock.Now().Add(-time.Second)
				f.srv.AllowCredentials(expired)
			},
			wantStatus: http.StatusForbidden, wantCode: "SecurityTokenExpired"},
		{name: "signed for another region", who: identity{id: stsID, secret: stsSecret, token: stsToken, region: "cn-shanghai"}, v4Only: true,
			wantStatus: http.StatusBadRequest, wantCode: "InvalidArgument"},
		{name: "server clock 20 minutes ahead", who: stsIdentity,
			prepare:    func(f *fixture) { f.clock.Advance(20 * time.Minute) },
			wantStatus: http.StatusForbidden, wantCode: "RequestTimeTooSkewed"},
		{name: "server clock 20 minutes behind", who: stsIdentity,
			prepare:    func(f *fixture) { f.clock.Advance(-20 * time.Minute) },
			wantStatus: http.StatusForbidden, wantCode: "RequestTimeTooSkewed"},
	}
	signings := []struct {
		name   string
		auth   ossserver.AuthKind
		client func(t *testing.T, endpoint string, who identity, extra ...oss.ClientOption) *oss.Bucket
	}{{"V4", ossserver.AuthHeaderV4, bucket}, {"V1", ossserver.AuthHeaderV1, bucketV1}}
	for _, sign := range signings {
		for _, tc := range cases {
			if tc.v4Only && sign.auth != ossserver.AuthHeaderV4 {
				continue
			}
			t.Run(sign.name+"/"+tc.name, func(t *testing.T) {
				f := newFixture(t)
				f.srv.PutObject(bucketName, trickyKey, []byte("x"), "", nil)
				if tc.prepare != nil {
					tc.prepare(f)
				}
				b := sign.client(t, f.internal, tc.who)

				_, err := b.GetObject(trickyKey)
				requireServiceError(t, err, tc.wantStatus, tc.wantCode)
				_, err = b.GetObjectDetailedMeta(trickyKey)
				requireServiceError(t, err, tc.wantStatus, tc.wantCode)
				err = b.PutObject("new.jpg", strings.NewReader("x"))
				requireServiceError(t, err, tc.wantStatus, tc.wantCode)

				_, ok := f.srv.Object(bucketName, "new.jpg")
				assert.False(t, ok, "a refused PUT stores nothing")
				got := lastRequest(t, f.srv)
				assert.Equal(t, sign.auth, got.Auth)
				assert.Equal(t, tc.who.id, got.AccessKeyID)
				assert.Equal(t, tc.wantCode, got.ErrorCode)
			})
		}
	}
}

// tamper is an http.RoundTripper that alters requests after the SDK signed them.
type tamper func(*http.Request)

func (f tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	f(r)
	return http.DefaultTransport.RoundTrip(r)
}

func TestTamperedHeaderSignedRequestsRefused(t *testing.T) {
	cases := []struct {
		name   string
		change func(*http.Request)
	}{
		{"signature altered", func(r *http.Request) { r.Header.Set("Authorization", flipLast(r.Header.Get("Authorization"))) }},
		{"key changed", func(r *http.Request) {
			r.URL.Path = "/" + bucketName + "/other.jpg"
			r.URL.RawPath = ""
		}},
		{"user metadata changed", func(r *http.Request) { r.Header.Set("X-Oss-Meta-Card-Side", "FRONT") }},
		{"x-oss header added", func(r *http.Request) { r.Header.Set("X-Oss-Object-Acl", "public-read") }},
		{"Content-Type changed", func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }},
		{"query parameter added", func(r *http.Request) { r.URL.RawQuery = "response-content-type=text%2Fhtml" }},
		{"method changed", func(r *http.Request) { r.Method = http.MethodDelete; r.Body = http.NoBody; r.ContentLength = 0 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, "other.jpg", []byte("x"), "", nil)
			b := bucket(t, f.internal, stsIdentity, oss.HTTPClient(&http.Client{Transport: tamper(tc.change)}))

			err := b.PutObject("a.jpg", strings.NewReader("body"), oss.ContentType("image/jpeg"), oss.Meta("card-side", "BACK"))

			requireServiceError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")
			assert.Equal(t, []string{"other.jpg"}, f.srv.Keys(bucketName))
		})
	}
}

func TestAnonymousRequestsRefused(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			req, err := http.NewRequest(method, f.internal+"/"+bucketName+"/a.jpg", nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())

			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			assert.NotEmpty(t, resp.Header.Get("X-Oss-Request-Id"))
			got := lastRequest(t, f.srv)
			assert.Equal(t, ossserver.AuthAnonymous, got.Auth)
			assert.Equal(t, "AccessDenied", got.ErrorCode)
		})
	}
	_, ok := f.srv.Object(bucketName, "a.jpg")
	assert.True(t, ok, "the anonymous DELETE removed nothing")
}

// Signature V2 (OSS2) is not emulated: refused, never half-checked.
func TestSignatureV2Refused(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	client, err := oss.New(f.internal, permanentID, permanentSecret, oss.AuthVersion(oss.AuthV2))
	require.NoError(t, err)
	b, err := client.Bucket(bucketName)
	require.NoError(t, err)

	t.Run("Authorization header", func(t *testing.T) {
		err := b.PutObject("b.jpg", strings.NewReader("x"))
		requireServiceError(t, err, http.StatusBadRequest, "InvalidArgument")
		assert.Equal(t, ossserver.AuthUnsupported, lastRequest(t, f.srv).Auth)
	})
	t.Run("signed URL", func(t *testing.T) {
		signed, err := b.SignURL("a.jpg", oss.HTTPGet, 60)
		require.NoError(t, err)
		resp := httpGet(t, signed)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Equal(t, ossserver.AuthUnsupported, lastRequest(t, f.srv).Auth)
	})
	assert.Equal(t, []string{"a.jpg"}, f.srv.Keys(bucketName))
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		t.Run(format, func(t *testing.T) {
			out := fmt.Sprintf(format, sts)
			assert.Contains(t, out, stsID)
			assertNoSecrets(t, out)
		})
	}
}
