package ocrserver

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScriptedRepliesGoOnTheWireAsSpecified(t *testing.T) {
	type vendorBody struct{ status, code int } // expected vendor JSON; message checked separately
	cases := []struct {
		name            string
		reply           Reply
		wantStatus      int
		wantErrMessage  string      // X-Ca-Error-Message; "" means absent
		wantContentType string      // "" means absent
		wantJSON        *vendorBody // vendor JSON envelope without data
		wantMessage     string      // the JSON message
		wantRaw         []byte      // exact body, for gateway and raw replies
		wantBilled      bool
	}{
		{name: "business error", reply: BusinessError(1009, "存在非法参数"), wantStatus: 400,
			wantContentType: jsonContentType, wantJSON: &vendorBody{400, 1009}, wantMessage: "存在非法参数"},
		{name: "vendor 401", reply: HTTPStatus(401), wantStatus: 401,
			wantContentType: jsonContentType, wantJSON: &vendorBody{401, 401}, wantMessage: "身份验证失败（token过期或非法账号）"},
		{name: "vendor 402", reply: HTTPStatus(402), wantStatus: 402,
			wantContentType: jsonContentType, wantJSON: &vendorBody{402, 402}, wantMessage: "未开通产品权限；或者产品次数不足"},
		{name: "vendor 403", reply: HTTPStatus(403), wantStatus: 403,
			wantContentType: jsonContentType, wantJSON: &vendorBody{403, 403}, wantMessage: "权限不足"},
		{name: "vendor 404", reply: HTTPStatus(404), wantStatus: 404,
			wantContentType: jsonContentType, wantJSON: &vendorBody{404, 404}, wantMessage: "请求路径不存在"},
		{name: "vendor 413", reply: HTTPStatus(413), wantStatus: 413,
			wantContentType: jsonContentType, wantJSON: &vendorBody{413, 413}, wantMessage: "客户发送的请求大小超过了2MB限制。"},
		{name: "vendor 500", reply: HTTPStatus(500), wantStatus: 500,
			wantContentType: jsonContentType, wantJSON: &vendorBody{500, 500}, wantMessage: "系统内部异常"},
		{name: "vendor 502", reply: HTTPStatus(502), wantStatus: 502,
			wantContentType: jsonContentType, wantJSON: &vendorBody{502, 502}, wantMessage: "网关异常"},
		{name: "vendor 503", reply: HTTPStatus(503), wantStatus: 503,
			wantContentType: jsonContentType, wantJSON: &vendorBody{503, 503}, wantMessage: "服务暂不可用"},
		{name: "vendor 504", reply: HTTPStatus(504), wantStatus: 504,
			wantContentType: jsonContentType, wantJSON: &vendorBody{504, 504}, wantMessage: "网关超时"},
		{name: "throttled by the gateway", reply: Throttled(), wantStatus: 403,
			wantErrMessage: "Throttled by USER Flow Control", wantRaw: []byte{}},
		{name: "gateway refuses the AppKey", reply: GatewayError(400, "Invalid AppKey"), wantStatus: 400,
			wantErrMessage: "Invalid AppKey", wantRaw: []byte{}},
		{name: "gateway quota exhausted", reply: GatewayError(403, "Quota Exhausted"), wantStatus: 403,
			wantErrMessage: "Quota Exhausted", wantRaw: []byte{}},
		{name: "HTTP 200 with body status 500", reply: BodyStatus(500, 2001, "识别失败"), wantStatus: 200,
			wantContentType: jsonContentType, wantJSON: &vendorBody{500, 2001}, wantMessage: "识别失败", wantBilled: true},
		{name: "raw HTML error page", reply: Raw(502, "text/html", []byte("<html>Bad Gateway</html>")), wantStatus: 502,
			wantContentType: "text/html", wantRaw: []byte("<html>Bad Gateway</html>")},
		{name: "raw truncated JSON with 200", reply: Raw(200, "application/json", []byte(`{"status":200,"co`)), wantStatus: 200,
			wantContentType: "application/json", wantRaw: []byte(`{"status":200,"co`), wantBilled: true},
		{name: "raw without Content-Type", reply: Raw(200, "", []byte("<html>sniff me</html>")), wantStatus: 200,
			wantRaw: []byte("<html>sniff me</html>"), wantBilled: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host := newImageHost(t, map[string]http.HandlerFunc{"/b/k.jpg": serveBytes("image/jpeg", testJPEG(t, 1))})
			s := startServer(t, Config{Decide: func(Request) Reply { return tc.reply }})

			a := post(t, s, field("imgUrl", host.URL+"/b/k.jpg"))

			require.Equal(t, tc.wantStatus, a.status, "body: %s", a.body)
			assert.Equal(t, tc.wantErrMessage, a.header.Get(HeaderErrorMessage))
			assert.Equal(t, tc.wantContentType, a.header.Get("Content-Type"))
			assert.NotEmpty(t, a.header.Get(HeaderRequestID), "the gateway stamps every answer")
			if tc.wantRaw != nil {
				assert.Equal(t, string(tc.wantRaw), string(a.body))
			}
			if tc.wantJSON != nil {
				e := a.envelope(t)
				assert.Equal(t, tc.wantJSON.status, e.Status)
				assert.Equal(t, tc.wantJSON.code, e.Code)
				assert.Equal(t, tc.wantMessage, e.Message)
				assert.Regexp(t, uuidPattern, e.ReqID)
				assert.Regexp(t, serialNoPattern, e.SerialNo)
				assert.Nil(t, e.Data)
			}
			assert.Zero(t, host.hits.Load(), "only Success fetches the image")
			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, tc.reply, calls[0].Reply)
			assert.Equal(t, tc.wantStatus, calls[0].Status)
			assert.Equal(t, tc.wantStatus, tc.reply.Status())
			assert.Equal(t, tc.wantBilled, s.Billed() == 1)
		})
	}
}

func TestDisconnectDropsTheConnection(t *testing.T) {
	s := startServer(t, Config{Decide: func(Request) Reply { return Disconnect() }})

	_, err := postTo(t, t.Context(), s.URL(), "APPCODE "+testAppCode, field("imgUrl", "http://127.0.0.1:1/b/k.jpg"))

	require.Error(t, err)
	calls := s.Calls()
	require.Len(t, calls, 1)
	assert.Zero(t, calls[0].Status)
	assert.Zero(t, s.Billed())
}

func TestZeroReplyIsSuccess(t *testing.T) {
	assert.Equal(t, Success(), Reply{})
	assert.Equal(t, http.StatusOK, Reply{}.Status())
}

func TestReplyStringNamesTheConstructor(t *testing.T) {
	cases := []struct {
		reply Reply
		want  string
	}{
		{Success(), "Success()"},
		{BusinessError(1009, "存在非法参数"), `BusinessError(1009, "存在非法参数")`},
		{HTTPStatus(502).After(2 * time.Second), "HTTPStatus(502).After(2s)"},
		{Throttled(), `GatewayError(403, "Throttled by USER Flow Control")`},
		{BodyStatus(500, 7, "x"), `BodyStatus(500, 7, "x")`},
		{Raw(200, "text/html", []byte("abc")), `Raw(200, "text/html", 3 bytes)`},
		{Disconnect(), "Disconnect()"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.reply.String())
		})
	}
}

func TestRawCopiesItsBody(t *testing.T) {
	body := []byte("original")
	r := Raw(200, "text/plain", body)
	copy(body, "mutated!")
	assert.Equal(t, `Raw(200, "text/plain", 8 bytes)`, r.String())
	assert.Equal(t, []byte("original"), r.body)
}
