package ossserver_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
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

func TestV1TamperedRequestsRefused(t *testing.T) {
	cases := []struct {
		name   string
		change func(*http.Request)
	}{
		{"signature altered", func(r *http.Request) {
			id, sig, _ := strings.Cut(r.Header.Get("Authorization"), ":")
			r.Header.Set("Authorization", id+":"+flipSignature(sig))
		}},
		{"key changed", func(r *http.Request) { r.URL.Path, r.URL.RawPath = "/"+bucketName+"/other.jpg", "" }},
		{"bucket changed", func(r *http.Request) {
			r.URL.Path, r.URL.RawPath = strings.Replace(r.URL.Path, "/"+bucketName+"/", "/spare/", 1), ""
		}},
		{"user metadata changed", func(r *http.Request) { r.Header.Set("X-Oss-Meta-Card-Side", "FRONT") }},
		{"x-oss header added", func(r *http.Request) { r.Header.Set("X-Oss-Object-Acl", "public-read") }},
		{"Content-Type changed", func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }},
		{"Content-MD5 added", func(r *http.Request) { r.Header.Set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==") }},
		{"Date changed", func(r *http.Request) {
			d, _ := http.ParseTime(r.Header.Get("Date"))
			r.Header.Set("Date", d.Add(time.Second).Format(http.TimeFormat))
		}},
		{"signed sub-resource added", func(r *http.Request) { r.URL.RawQuery = "acl" }},
		{"method changed", func(r *http.Request) { r.Method = http.MethodDelete; r.Body = http.NoBody; r.ContentLength = 0 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.CreateBucket("spare")
			f.srv.PutObject(bucketName, "other.jpg", []byte("x"), "", nil)
			b := bucketV1(t, f.internal, stsIdentity, oss.HTTPClient(&http.Client{Transport: tamper(tc.change)}))

			err := b.PutObject("a.jpg", strings.NewReader("body"), oss.ContentType("image/jpeg"), oss.Meta("card-side", "BACK"))

			requireServiceError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")
			assert.Equal(t, []string{"other.jpg"}, f.srv.Keys(bucketName))
			assert.Empty(t, f.srv.Keys("spare"))
		})
	}
}

func TestV1SignedURLRefused(t *testing.T) {
	cases := []struct {
		name       string
		who        identity
		prepare    func(f *fixture)
		change     func(q url.Values)
		changeURL  func(u *url.URL)
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{name: "expired", who: stsIdentity,
			prepare:    func(f *fixture) { f.clock.Advance(61 * time.Second) },
			wantStatus: http.StatusForbidden, wantCode: "AccessDenied", wantMsg: "Request has expired."},
		{name: "signature altered", who: stsIdentity,
			change:     func(q url.Values) { q.Set("Signature", flipSignature(q.Get("Signature"))) },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "expiry extended", who: stsIdentity,
			change: func(q url.Values) {
				n, _ := strconv.ParseInt(q.Get("Expires"), 10, 64)
				q.Set("Expires", strconv.FormatInt(n+3600, 10))
			},
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "response header override added", who: stsIdentity,
			change:     func(q url.Values) { q.Set("response-content-type", "text/html") },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "key changed", who: stsIdentity,
			changeURL:  func(u *url.URL) { u.Path, u.RawPath = "/"+bucketName+"/other.jpg", "" },
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "token removed", who: stsIdentity,
			change:     func(q url.Values) { q.Del("security-token") },
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "token replaced", who: stsIdentity,
			change:     func(q url.Values) { q.Set("security-token", "CAIS-forged") },
			wantStatus: http.StatusForbidden, wantCode: "InvalidSecurityToken"},
		{name: "unknown AccessKeyId", who: identity{id: "LTAI5tUnknown", secret: permanentSecret},
			wantStatus: http.StatusForbidden, wantCode: "InvalidAccessKeyId"},
		{name: "wrong secret", who: identity{id: permanentID, secret: "not-the-secret"},
			wantStatus: http.StatusForbidden, wantCode: "SignatureDoesNotMatch"},
		{name: "Expires not a number", who: stsIdentity,
			change:     func(q url.Values) { q.Set("Expires", "tomorrow") },
			wantStatus: http.StatusBadRequest, wantCode: "InvalidArgument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.PutObject(bucketName, trickyKey, []byte("jpeg"), "image/jpeg", nil)
			f.srv.PutObject(bucketName, "other.jpg", []byte("other"), "image/jpeg", nil)
			b := bucketV1(t, f.public, tc.who)
			signed, err := b.SignURL(trickyKey, oss.HTTPGet, 60)
			require.NoError(t, err)
			assert.Equal(t, tc.who.token != "", mustParseURL(t, signed).Query().Has("security-token"))

			resp := httpGet(t, tamperURL(t, f, signed, tc.change, tc.changeURL, tc.prepare))
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)

			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Contains(t, string(body), "<Code>"+tc.wantCode+"</Code>")
			if tc.wantMsg != "" {
				assert.Contains(t, string(body), "<Message>"+tc.wantMsg+"</Message>")
			}
			assertNoSecrets(t, string(body))
			got := lastRequest(t, f.srv)
			assert.Equal(t, ossserver.AuthURLV1, got.Auth)
			assert.Equal(t, tc.wantCode, got.ErrorCode)
		})
	}
}

// ali-oss signs V1 requests with x-oss-date (an HTTP date) and sends no
// Date header; OSS accepts that, so the server must too.
func TestV1DateFromXOssDate(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("jpeg"), "image/jpeg", nil)
	date := f.clock.Now().UTC().Format(http.TimeFormat)
	cases := []struct {
		name       string
		signedDate string // the Date line of the string to sign
		wantStatus int
	}{
		{"x-oss-date signed", date, http.StatusOK},
		{"another date signed", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, f.internal+"/"+bucketName+"/a.jpg", nil)
			require.NoError(t, err)
			req.Header.Set("x-oss-date", date)
			sts := "GET\n\n\n" + tc.signedDate + "\nx-oss-date:" + date + "\n/" + bucketName + "/a.jpg"
			mac := hmac.New(sha1.New, []byte(permanentSecret))
			mac.Write([]byte(sts))
			req.Header.Set("Authorization", "OSS "+permanentID+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Equal(t, ossserver.AuthHeaderV1, lastRequest(t, f.srv).Auth)
		})
	}
}

func TestV1MalformedAuthorizationRefused(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	cases := []struct {
		name, authorization string
		date                bool
		wantStatus          int
		wantCode            string
	}{
		{"no colon", "OSS " + permanentID, true, http.StatusBadRequest, "InvalidArgument"},
		{"empty signature", "OSS " + permanentID + ":", true, http.StatusBadRequest, "InvalidArgument"},
		{"no Date", "OSS " + permanentID + ":c2lnbmF0dXJl", false, http.StatusForbidden, "AccessDenied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, f.internal+"/"+bucketName+"/a.jpg", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", tc.authorization)
			if tc.date {
				req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Equal(t, tc.wantCode, lastRequest(t, f.srv).ErrorCode)
		})
	}
}
