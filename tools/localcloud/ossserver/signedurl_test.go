package ossserver_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

func TestSignedURLFetchedWithPlainHTTP(t *testing.T) {
	cases := []struct {
		name string
		who  identity
		key  string
	}{
		{"permanent key, no token", permanentIdentity, "cards/a.jpg"},
		{"STS credentials, token in URL", stsIdentity, "cards/a.jpg"},
		{"STS credentials, tricky key", stsIdentity, trickyKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, tc.key, []byte("jpeg"), "image/jpeg", nil)
			signed, err := bucket(t, f.public, tc.who).SignURL(tc.key, oss.HTTPGet, 300)
			require.NoError(t, err)
			assert.Equal(t, tc.who.token != "", mustParseURL(t, signed).Query().Has("x-oss-security-token"))

			resp := httpGet(t, signed)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)

			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Equal(t, "jpeg", string(body))
			assert.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))
			got := lastRequest(t, f.srv)
			assert.Equal(t, "public", got.Listener)
			assert.Equal(t, ossserver.AuthURLV4, got.Auth)
			assert.Equal(t, tc.key, got.Key)
			assert.Equal(t, tc.who.id, got.AccessKeyID)
			assert.Contains(t, got.Query, "x-oss-signature")
		})
	}
}

func TestSignedURLRefused(t *testing.T) {
	cases := []struct {
		name       string
		who        identity
		prepare    func(f *fixture)   // changes the server after signing
		change     func(q url.Values) // tampers with the query
		changeURL  func(u *url.URL)   // tampers with the rest of the URL
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{name: "expired", who: stsIdentity,
			prepare:    func(f *fixture) { f.clock.Advance(61 * time.Second) },
			wantStatus: http.StatusForbidden, wantCode: "AccessDenied", wantMsg: "Request has expired."},
		{name: "signed 20 minutes in the future", who: stsIdentity,
			prepare:    func(f *fixture) { f.clock.Advance(-20 * time.Minute) },
			wantStatus: http.StatusForbidden, wantCode: "RequestTimeTooSkewed"},
		{name: "signature altered", who: stsIdentity,
			change:     func(q url.Values) { q.Set("x-oss-signature", flipLast(q.Get("x-oss-signature"))) },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "expiry extended", who: stsIdentity,
			change:     func(q url.Values) { q.Set("x-oss-expires", "3600") },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "signing time moved", who: stsIdentity,
			change: func(q url.Values) {
				d, _ := time.Parse("20060102T150405Z", q.Get("x-oss-date"))
				q.Set("x-oss-date", d.Add(time.Second).Format("20060102T150405Z"))
			},
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "parameter added", who: stsIdentity,
			change:     func(q url.Values) { q.Set("response-content-type", "text/html") },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "key changed", who: stsIdentity,
			changeURL:  func(u *url.URL) { u.Path, u.RawPath = "/"+bucketName+"/other.jpg", "" },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "token removed", who: stsIdentity,
			change:     func(q url.Values) { q.Del("x-oss-security-token") },
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "token replaced", who: stsIdentity,
			change:     func(q url.Values) { q.Set("x-oss-security-token", "CAIS-forged") },
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "AccessKeyId replaced", who: stsIdentity,
			change: func(q url.Values) {
				q.Set("x-oss-credential", strings.Replace(q.Get("x-oss-credential"), stsID, permanentID, 1))
			},
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "unknown AccessKeyId", who: identity{id: "LTAI5tUnknown", secret: permanentSecret},
			wantStatus: http.StatusForbidden, wantCode: "InvalidAccessKeyId"},
		{name: "wrong secret", who: identity{id: permanentID, secret: "not-the-secret"},
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "signed without the token", who: identity{id: stsID, secret: stsSecret},
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "credentials revoked after signing", who: stsIdentity,
			prepare:    func(f *fixture) { f.srv.RevokeCredentials(stsID) },
			wantStatus: http.StatusForbidden, wantCode: "InvalidAccessKeyId"},
		{name: "STS credentials expired after signing", who: stsIdentity,
			prepare: func(f *fixture) {
				expiring := sts
				expiring.Expiration = f.clock.Now().Add(10 * time.Second)
				f.srv.AllowCredentials(expiring)
				f.clock.Advance(11 * time.Second)
			},
			wantStatus: http.StatusForbidden, wantCode: "SecurityTokenExpired"},
		{name: "expiry beyond seven days", who: stsIdentity,
			change:     func(q url.Values) { q.Set("x-oss-expires", strconv.Itoa(7*24*3600+1)) },
			wantStatus: http.StatusBadRequest, wantCode: "InvalidArgument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, trickyKey, []byte("jpeg"), "image/jpeg", nil)
			f.srv.PutObject(bucketName, "other.jpg", []byte("other"), "image/jpeg", nil)
			b := bucket(t, f.public, tc.who)
			signed, err := b.SignURL(trickyKey, oss.HTTPGet, 60)
			require.NoError(t, err)

			_, err = b.GetObjectWithURL(tamperURL(t, f, signed, tc.change, tc.changeURL, tc.prepare))

			se := requireServiceError(t, err, tc.wantStatus, tc.wantCode)
			if tc.wantMsg != "" {
				assert.Equal(t, tc.wantMsg, se.Message)
			}
			got := lastRequest(t, f.srv)
			assert.Equal(t, ossserver.AuthURLV4, got.Auth)
			assert.Equal(t, tc.wantCode, got.ErrorCode)
		})
	}
}

func TestExpiredSignedURLAnswersOSSXML(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("jpeg"), "image/jpeg", nil)
	signed, err := bucket(t, f.public, stsIdentity).SignURL("a.jpg", oss.HTTPGet, 1)
	require.NoError(t, err)
	f.clock.Advance(2 * time.Second)

	resp := httpGet(t, signed)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "application/xml", resp.Header.Get("Content-Type"))
	var se oss.ServiceError
	require.NoError(t, xml.Unmarshal(body, &se))
	assert.Equal(t, "AccessDenied", se.Code)
	assert.Equal(t, "Request has expired.", se.Message)
	assert.Equal(t, resp.Header.Get("X-Oss-Request-Id"), se.RequestID)
	assertNoSecrets(t, string(body))
	assert.NotContains(t, string(body), mustParseURL(t, signed).Query().Get("x-oss-signature"))
}

func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	parsed, err := url.Parse(raw)
	require.NoError(t, err)
	return parsed
}
