package recognition

// Benchmarks of the recognition client's hot path: building the multipart
// form, the AppKey signature, classifying an answer, and a whole call to an
// API answering at once. Run with `make bench`, or
//
//	go test -run '^$' -bench . -benchmem ./internal/recognition

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// benchImageURL is a V4 signed URL as the function hands it to the vendor,
// STS token included: its length is what the form carries.
const benchImageURL = "https://vehicle-docs.oss-cn-hangzhou.aliyuncs.com/uploads/2026/11/%E8%A1%8C%E9%A9%B6%E8%AF%81%20%E6%AD%A3%E9%9D%A2.jpg" +
	"?x-oss-credential=STS.NTestAccessKeyId%2F20261127%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20261127T100000Z" +
	"&x-oss-expires=300&x-oss-security-token=CAIS9AJ1q6Ft5B2yfSjIr5bkKdTEq0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" +
	"&x-oss-signature=5d41402abc4b2a76b9719d911017c592ae0d3c1f7a8b9c0d1e2f3a4b5c6d7e8f&x-oss-signature-version=OSS4-HMAC-SHA256"

// benchAnswer is a documented success answer with front-side data.
const benchAnswer = `{"status":200,"code":0,"message":"success","reqId":"7C1E8D2A-5F3B-4A9C-B6E0-1D2F3A4B5C6D","serialNo":"20261127100001123456",` +
	`"data":{"frontInfo":{"plateNo":"京A12345","vehicleType":"小型普通客车","owner":"张三","address":"北京市朝阳区某某路1号",` +
	`"useCharacter":"非营运","model":"大众汽车牌SVW71617BM","vin":"LSVAM4187C2184847","engineNo":"E12345",` +
	`"registerDate":"2019-05-20","issueDate":"2019-05-20","seal":"北京市公安局公安交通管理局"},"backInfo":{}}}`

func BenchmarkForm(b *testing.B) {
	req := Request{ImageURL: benchImageURL, CardSide: "FRONT"}
	for b.Loop() {
		body, _, err := form(req)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(body)))
	}
}

func BenchmarkSignRequest(b *testing.B) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPost, "https://ocr.example.com/vehicle-license?side=front", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "multipart/form-data; boundary=0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab")
		signRequest(req, "203812345", "app-secret-0123456789abcdef", at, "6b1f3c9e-3a55-4b8e-9d1e-2f0a5c7e8d91")
	}
}

func BenchmarkClassify(b *testing.B) {
	header := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	body := []byte(benchAnswer)
	for b.Loop() {
		if a := Classify(http.StatusOK, header, body); a.Outcome != outcome.Succeeded {
			b.Fatalf("classified %s", a.Outcome)
		}
	}
}

// BenchmarkRecognize is one call: form, POST over a kept-alive connection
// to a local API answering the documented success at once, read and
// classify.
func BenchmarkRecognize(b *testing.B) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write([]byte(benchAnswer))
	}))
	b.Cleanup(api.Close)
	c := New(Config{Endpoint: api.URL + "/vehicle-license", AppCode: "appcode-bench", Timeout: 10 * time.Second, MaxAttempts: 3})
	req := Request{ImageURL: benchImageURL, CardSide: "FRONT"}
	ctx := context.Background()
	for b.Loop() {
		if res := c.Recognize(ctx, req); res.Outcome != outcome.Succeeded {
			b.Fatalf("recognised %s: %s", res.Outcome, res.Reason)
		}
	}
}
