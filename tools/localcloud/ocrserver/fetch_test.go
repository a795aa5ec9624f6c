package ocrserver

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestImageFetchDecidesWhetherRecognitionCanSucceed(t *testing.T) {
	img := testJPEG(t, 5)
	html := []byte("<html><body>Welcome to nginx!</body></html>")
	host := newImageHost(t, map[string]http.HandlerFunc{
		"/bucket/ok.jpg":             serveBytes("image/jpeg", img),
		"/bucket/expired.jpg":        ossAccessDenied,
		"/bucket/error-page.jpg":     serveBytes("text/html", html),
		"/bucket/lying-type.jpg":     serveBytes("image/jpeg", html),
		"/bucket/empty.jpg":          serveBytes("image/jpeg", nil),
		"/bucket/行驶证/a+b 1.jpg":      serveBytes("image/jpeg", img),
		"/bucket/server-error.jpg":   func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
		"/bucket/partial-header.jpg": serveBytes("image/jpeg", img[:2]),
	})
	unreachable := newImageHost(t, nil)
	unreachable.Close()

	cases := []struct {
		name            string
		imgURL          string
		wantStatus      int
		wantCode        int
		wantMessage     string
		wantFetchStatus int
		wantFetchError  bool
	}{
		{name: "image served", imgURL: host.URL + "/bucket/ok.jpg?Signature=ok",
			wantStatus: 200, wantCode: 0, wantMessage: "success", wantFetchStatus: 200},
		{name: "escaped object key", imgURL: host.URL + "/bucket/%E8%A1%8C%E9%A9%B6%E8%AF%81/a%2Bb%201.jpg",
			wantStatus: 200, wantCode: 0, wantMessage: "success", wantFetchStatus: 200},
		{name: "OSS refuses the signature with 403", imgURL: host.URL + "/bucket/expired.jpg?Signature=bad",
			wantStatus: 400, wantCode: CodeDownloadFailed, wantMessage: MsgDownloadFailed, wantFetchStatus: 403, wantFetchError: true},
		{name: "object not found", imgURL: host.URL + "/bucket/missing.jpg",
			wantStatus: 400, wantCode: CodeDownloadFailed, wantMessage: MsgDownloadFailed, wantFetchStatus: 404, wantFetchError: true},
		{name: "image host fails with 500", imgURL: host.URL + "/bucket/server-error.jpg",
			wantStatus: 400, wantCode: CodeDownloadFailed, wantMessage: MsgDownloadFailed, wantFetchStatus: 500, wantFetchError: true},
		{name: "image host unreachable", imgURL: unreachable.URL + "/bucket/ok.jpg",
			wantStatus: 400, wantCode: CodeDownloadFailed, wantMessage: MsgDownloadFailed, wantFetchError: true},
		{name: "imgUrl that is not a URL", imgURL: "::not a url",
			wantStatus: 400, wantCode: CodeDownloadFailed, wantMessage: MsgDownloadFailed, wantFetchError: true},
		{name: "HTML instead of an image", imgURL: host.URL + "/bucket/error-page.jpg",
			wantStatus: 400, wantCode: CodeBadImageFormat, wantMessage: MsgBadImageFormat, wantFetchStatus: 200},
		{name: "HTML labelled image/jpeg", imgURL: host.URL + "/bucket/lying-type.jpg",
			wantStatus: 400, wantCode: CodeBadImageFormat, wantMessage: MsgBadImageFormat, wantFetchStatus: 200},
		{name: "empty object", imgURL: host.URL + "/bucket/empty.jpg",
			wantStatus: 400, wantCode: CodeBadImageFormat, wantMessage: MsgBadImageFormat, wantFetchStatus: 200},
		{name: "truncated JPEG magic", imgURL: host.URL + "/bucket/partial-header.jpg",
			wantStatus: 400, wantCode: CodeBadImageFormat, wantMessage: MsgBadImageFormat, wantFetchStatus: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{})

			a := post(t, s, field("imgUrl", tc.imgURL))

			require.Equal(t, tc.wantStatus, a.status, "body: %s", a.body)
			e := a.envelope(t)
			assert.Equal(t, tc.wantStatus, e.Status)
			assert.Equal(t, tc.wantCode, e.Code)
			assert.Equal(t, tc.wantMessage, e.Message)
			assert.Equal(t, tc.wantStatus == 200, e.Data != nil)
			assert.Empty(t, a.header.Get(HeaderErrorMessage), "a failed fetch is the vendor's refusal, not the gateway's")

			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, tc.wantFetchStatus, calls[0].FetchStatus)
			assert.Equal(t, tc.wantFetchError, calls[0].FetchError != "", "fetch error: %q", calls[0].FetchError)
			assert.Equal(t, tc.wantStatus == 200, calls[0].Billed())
			if tc.wantStatus != 200 {
				assert.Equal(t, BusinessError(tc.wantCode, tc.wantMessage), calls[0].Reply, "the record shows the answer given, not the Success asked for")
			}
		})
	}
}

func TestImageFetchUsesTheConfiguredClient(t *testing.T) {
	img := testPNG(t, 7)
	var fetched []string
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		fetched = append(fetched, r.URL.String())
		return &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"Content-Type": {"image/png"}},
			Body:       io.NopCloser(bytes.NewReader(img)),
			Request:    r,
		}, nil
	})}
	s := startServer(t, Config{Fetch: client})

	a := post(t, s, field("imgUrl", "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/card.png?x-oss-signature=abc"))

	require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
	assert.Equal(t, []string{"https://examplebucket.oss-cn-hangzhou.aliyuncs.com/card.png?x-oss-signature=abc"}, fetched)
	assert.Equal(t, "/card.png", s.Calls()[0].ImagePath)
}

func TestImageOverTheSizeLimitIsRefused(t *testing.T) {
	huge := append(testJPEG(t, 1), make([]byte, MaxImageBytes)...)
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/huge.jpg": serveBytes("image/jpeg", huge)})
	s := startServer(t, Config{})

	a := post(t, s, field("imgUrl", host.URL+"/b/huge.jpg"))

	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, CodeImageTooLarge, a.envelope(t).Code)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
