package ocrserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppCodeIsCheckedLikeTheGateway(t *testing.T) {
	const wrongCode = "ffffffffffffffffffffffffffffffff"
	cases := []struct {
		name          string
		authorization string // "" sends no header
		wantStatus    int
		wantMessage   string
	}{
		{name: "no Authorization header", authorization: "", wantStatus: http.StatusUnauthorized, wantMessage: "Empty AppCode"},
		{name: "APPCODE scheme without a code", authorization: "APPCODE ", wantStatus: http.StatusUnauthorized, wantMessage: "Empty AppCode"},
		{name: "another scheme", authorization: "Bearer " + testAppCode, wantStatus: http.StatusUnauthorized, wantMessage: "Empty AppCode"},
		{name: "lower-case scheme", authorization: "appcode " + testAppCode, wantStatus: http.StatusUnauthorized, wantMessage: "Empty AppCode"},
		{name: "wrong code", authorization: "APPCODE " + wrongCode, wantStatus: http.StatusForbidden, wantMessage: "Invalid AppCode `***`"},
		{name: "code of another subscription", authorization: "APPCODE " + testAppCode[1:] + "0", wantStatus: http.StatusForbidden, wantMessage: "Invalid AppCode `***`"},
		{name: "right code", authorization: "APPCODE " + testAppCode, wantStatus: http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host := newImageHost(t, map[string]http.HandlerFunc{"/b/car.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
			s := startServer(t, Config{})

			a, err := postTo(t, t.Context(), s.URL(), tc.authorization, field("imgUrl", host.URL+"/b/car.jpg"))
			require.NoError(t, err)

			assert.Equal(t, tc.wantStatus, a.status)
			assert.Equal(t, tc.wantMessage, a.header.Get(HeaderErrorMessage))
			assert.NotEmpty(t, a.header.Get(HeaderRequestID))
			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, host.URL+"/b/car.jpg", calls[0].ImgURL, "the refused call still shows its image")
			if tc.wantStatus == http.StatusOK {
				assert.True(t, calls[0].AuthOK)
				return
			}
			assert.Empty(t, string(a.body), "gateway refusals have no body")
			assert.False(t, calls[0].AuthOK)
			assert.Zero(t, calls[0].Attempt, "a refused call never reaches Decide")
			assert.Zero(t, host.hits.Load(), "a refused call never fetches the image")
			assert.Zero(t, s.Billed())
			for _, secret := range []string{testAppCode, wrongCode} {
				for name, values := range a.header {
					assert.NotContains(t, strings.Join(values, " "), secret, "header %s echoes an AppCode", name)
				}
				assert.NotContains(t, calls[0].Reply.String(), secret)
			}
		})
	}
}

func TestNewRequiresAnAppCode(t *testing.T) {
	assert.PanicsWithValue(t, "ocrserver: Config.AppCode is required (or AppKey and AppSecret)", func() { New(Config{}) })
	assert.PanicsWithValue(t, "ocrserver: Config.AppKey and Config.AppSecret go together", func() { New(Config{AppKey: "k"}) })
}

func TestUnknownRouteIsTheGatewaysInvalidUrl(t *testing.T) {
	s := startServer(t, Config{})
	cases := []struct {
		name, method, url string
	}{
		{name: "wrong path", method: http.MethodPost, url: strings.TrimSuffix(s.URL(), DefaultPath) + "/driving-license"},
		{name: "GET on the endpoint", method: http.MethodGet, url: s.URL()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, tc.url, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "APPCODE "+testAppCode)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()

			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Equal(t, "Invalid Url", resp.Header.Get(HeaderErrorMessage))
		})
	}
}
