package recognition

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

const (
	successBody  = `{"code":0,"reqId":"r1","status":200,"message":"success","serialNo":"1","data":{"backInfo":{},"frontInfo":{"plateNo":"粤V","vin":"X"}},"extra":{"kept":true}}`
	businessBody = `{"serialNo":"343841871253995520","message":"存在非法参数","status":400,"reqId":"r2","code":1009}`
)

func gateway(msg string) http.Header {
	h := http.Header{}
	h.Set("X-Ca-Error-Message", msg)
	return h
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		want       outcome.Outcome
		wantCode   int
		wantBody   bool
		wantReason string
	}{
		{name: "success", status: 200, body: successBody, want: outcome.Succeeded, wantBody: true},
		{name: "business error", status: 400, body: businessBody, want: outcome.Rejected, wantCode: 1009, wantBody: true},
		{name: "business error inside HTTP 200", status: 200, body: businessBody, want: outcome.Rejected, wantCode: 1009, wantBody: true},
		{name: "image too large", status: 413, body: `{"status":413,"code":0,"message":"too large"}`, want: outcome.Rejected, wantBody: true},
		{name: "image too large from the gateway", status: 413, header: gateway("Request Body Too Large"), body: "<html>", want: outcome.Rejected},
		{name: "bad gateway", status: 502, body: "<html>bad gateway</html>", want: outcome.Transient, wantReason: "502"},
		{name: "unavailable", status: 503, body: "", want: outcome.Transient, wantReason: "503"},
		{name: "gateway timeout", status: 504, body: "", want: outcome.Transient},
		{name: "internal error", status: 500, body: `{"status":500,"message":"系统内部异常"}`, want: outcome.Transient, wantBody: true},
		{name: "body status 500 inside HTTP 200", status: 200, body: `{"status":500,"code":0,"message":"x"}`, want: outcome.Transient, wantBody: true},
		{name: "throttled", status: 403, header: gateway("Throttled by USER Flow Control"), want: outcome.Transient, wantReason: "throttled"},
		{name: "throttled by API flow control", status: 403, header: gateway("Throttled by API Flow Control"), want: outcome.Transient},
		{name: "unauthorised", status: 401, want: outcome.Misconfigured, wantReason: "OCR_APPCODE"},
		{name: "not subscribed", status: 402, body: `{"status":402,"message":"未开通产品权限"}`, want: outcome.Misconfigured, wantReason: "subscription", wantBody: true},
		{name: "forbidden", status: 403, want: outcome.Misconfigured, wantReason: "OCR_APPCODE"},
		{name: "wrong path", status: 404, want: outcome.Misconfigured, wantReason: "OCR_ENDPOINT"},
		{name: "invalid AppCode from the gateway", status: 400, header: gateway("Invalid AppCode `not exists`"), want: outcome.Misconfigured, wantReason: "Invalid AppCode"},
		{name: "invalid url from the gateway", status: 400, header: gateway("Invalid Url"), want: outcome.Misconfigured, wantReason: "OCR_ENDPOINT"},
		{name: "redirect", status: 301, want: outcome.Misconfigured, wantReason: "redirect"},
		{name: "HTML with HTTP 200", status: 200, body: "<html>oops</html>", want: outcome.Transient, wantReason: "not the documented JSON"},
		{name: "truncated JSON", status: 200, body: `{"status":200,"data":{`, want: outcome.Transient},
		{name: "JSON array", status: 200, body: `[{"status":200}]`, want: outcome.Transient},
		{name: "status of the wrong type", status: 200, body: `{"status":"200"}`, want: outcome.Transient},
		{name: "no status at all", status: 200, body: `{"message":"ok"}`, want: outcome.Transient},
		{name: "400 that is not the vendor's JSON", status: 400, body: "<html>proxy</html>", want: outcome.Transient},
		{name: "too many requests", status: 429, want: outcome.Transient},
		{name: "invalid UTF-8 in a string", status: 200, body: "{\"status\":200,\"message\":\"\xff\xfe\"}", want: outcome.Transient, wantReason: "not the documented JSON"},
		{name: "megabyte-long message", status: 400, body: `{"status":400,"code":1009,"message":"` + strings.Repeat("长", 300000) + `"}`, want: outcome.Rejected, wantCode: 1009, wantBody: true},
		{name: "status as a float", status: 200, body: `{"status":200.5}`, want: outcome.Transient},
		{name: "null body", status: 200, body: `null`, want: outcome.Transient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			a := Classify(tc.status, h, []byte(tc.body))
			assert.Equal(t, tc.want, a.Outcome)
			assert.Equal(t, tc.status, a.HTTPStatus)
			assert.Equal(t, tc.wantCode, a.Code)
			if tc.wantBody {
				assert.JSONEq(t, tc.body, string(a.Body), "the vendor's body is kept verbatim")
			} else {
				assert.Nil(t, a.Body)
			}
			if tc.wantReason != "" {
				assert.Contains(t, a.Reason, tc.wantReason)
			}
		})
	}
}

// A vendor that cannot fetch the signed URL refuses with its own business
// error. That is not the image's fault (a wrong OSS_PUBLIC_ENDPOINT, a role
// that may not read, a bucket policy): it must never become a final
// "rejected" result that dedupe would then keep for ever.
func TestDownloadFailuresAreMisconfigurationsNotRejections(t *testing.T) {
	for _, wording := range downloadFailureWordings {
		for _, tc := range []struct {
			name   string
			status int
		}{{"HTTP 400", 400}, {"body status 400 inside HTTP 200", 200}} {
			t.Run(wording+"/"+tc.name, func(t *testing.T) {
				message := "imgUrl: " + strings.ToUpper(wording) + ", please check" // the vendor's own case
				body := `{"status":400,"code":1101,"message":"` + message + `","reqId":"r"}`
				a := Classify(tc.status, http.Header{}, []byte(body))
				assert.Equal(t, outcome.Misconfigured, a.Outcome)
				for _, cause := range []string{"OSS_PUBLIC_ENDPOINT", "oss:GetObject", "oss:GetObjectVersion", "kms:Decrypt", "bucket policy"} {
					assert.Contains(t, a.Reason, cause, "the reason names the likely causes")
				}
				assert.Contains(t, a.Reason, message, "and quotes the vendor")
				assert.JSONEq(t, body, string(a.Body))
			})
		}
	}
	t.Run("other business errors stay rejections", func(t *testing.T) {
		for _, message := range []string{"存在非法参数", "图片模糊", "非行驶证图片", "image is not a vehicle licence"} {
			a := Classify(400, http.Header{}, []byte(`{"status":400,"code":1009,"message":"`+message+`"}`))
			assert.Equal(t, outcome.Rejected, a.Outcome, message)
		}
	})
}

func TestDownloadFailureWordingsAreLowerCase(t *testing.T) {
	for _, w := range downloadFailureWordings {
		assert.Equal(t, strings.ToLower(w), w, "matching lower-cases the message, so the table must be lower-case")
	}
}

func TestClassifyKeepsMessageOfRejection(t *testing.T) {
	a := Classify(400, http.Header{}, []byte(businessBody))
	assert.Equal(t, "存在非法参数", a.Message)
	assert.Equal(t, 400, a.Status)
}

func TestClassifyPreviewIsShortValidUTF8(t *testing.T) {
	body := []byte(strings.Repeat("行", 500))
	body = append(body[:len(body)-1], 0xff)
	a := Classify(200, http.Header{}, body)
	assert.Equal(t, outcome.Transient, a.Outcome)
	assert.LessOrEqual(t, len(a.Preview), previewBytes+3)
	assert.True(t, strings.HasPrefix(a.Preview, "行行"))
}

func FuzzClassify(f *testing.F) {
	f.Add(200, "", []byte(successBody))
	f.Add(400, "", []byte(businessBody))
	f.Add(403, "Throttled by USER Flow Control", []byte(""))
	f.Add(200, "", []byte(`{"status":1e400}`))
	f.Fuzz(func(t *testing.T, status int, gatewayMessage string, body []byte) {
		h := http.Header{}
		if gatewayMessage != "" {
			h.Set("X-Ca-Error-Message", gatewayMessage)
		}
		a := Classify(status, h, body)
		switch a.Outcome {
		case outcome.Succeeded, outcome.Rejected, outcome.Transient, outcome.Misconfigured:
		default:
			t.Fatalf("class %q for status %d", a.Outcome, status)
		}
		if a.Outcome == outcome.Succeeded && (status != 200 || a.Status != 200) {
			t.Fatalf("succeeded with HTTP %d body status %d", status, a.Status)
		}
	})
}
