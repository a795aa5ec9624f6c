package ocrserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
)

// A handler test points OCR_ENDPOINT at URL and scripts the vendor: here the
// first call for the image fails with 502 and the retry succeeds.
func Example() {
	// The image host stands in for OSS; the stand-in fetches imgUrl from it.
	jpeg := []byte{0xFF, 0xD8, 0xFF, 0xE0, 'd', 'e', 'm', 'o'}
	oss := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jpeg) }))
	defer oss.Close()

	s := ocrserver.New(ocrserver.Config{
		AppCode: "demo-appcode",
		Decide: ocrserver.Script{
			"/bucket/car.jpg": {ocrserver.HTTPStatus(http.StatusBadGateway), ocrserver.Success()},
		}.Decide,
	})
	if err := s.Start(); err != nil {
		panic(err)
	}
	defer s.Close()

	for range 2 {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("imgUrl", oss.URL+"/bucket/car.jpg?Expires=1&Signature=abc")
		_ = mw.WriteField("cardSide", "FRONT")
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, s.URL(), &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "APPCODE demo-appcode")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var answer struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, answer.Status, answer.Message)
	}
	fmt.Println("billed:", s.Billed())
	fmt.Println("plate:", ocrserver.Recognize(jpeg, ocrserver.Front).FrontInfo.PlateNo != "")
	// Output:
	// 502 502 网关异常
	// 200 200 success
	// billed: 1
	// plate: true
}
