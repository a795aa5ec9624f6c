package ocrserver

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormFieldsFollowTheContract(t *testing.T) {
	urlImage, fileImage, b64Image := testJPEG(t, 10), testPNG(t, 20), testJPEG(t, 30)
	host := newImageHost(t, map[string]http.HandlerFunc{"/b/url.jpg": serveBytes("image/jpeg", urlImage)})
	imgURL := host.URL + "/b/url.jpg"
	b64 := base64.StdEncoding.EncodeToString(b64Image)

	cases := []struct {
		name       string
		parts      []part
		wantStatus int
		wantCode   int    // body code
		wantSource string // for accepted calls
		wantSide   string
		wantImage  []byte // the image the data must come from
	}{
		{name: "imgUrl only, cardSide defaults to FRONT", parts: []part{field("imgUrl", imgURL)},
			wantStatus: 200, wantSource: "imgUrl", wantSide: Front, wantImage: urlImage},
		{name: "cardSide BACK", parts: []part{field("imgUrl", imgURL), field("cardSide", "BACK")},
			wantStatus: 200, wantSource: "imgUrl", wantSide: Back, wantImage: urlImage},
		{name: "file only", parts: []part{filePart("file", "card.png", fileImage)},
			wantStatus: 200, wantSource: "file", wantSide: Front, wantImage: fileImage},
		{name: "imgBase64 only", parts: []part{field("imgBase64", b64)},
			wantStatus: 200, wantSource: "imgBase64", wantSide: Front, wantImage: b64Image},
		{name: "imgBase64 as a data URL", parts: []part{field("imgBase64", "data:image/jpeg;base64,"+b64)},
			wantStatus: 200, wantSource: "imgBase64", wantSide: Front, wantImage: b64Image},
		{name: "imgUrl wins over file and imgBase64", parts: []part{field("imgBase64", b64), filePart("file", "card.png", fileImage), field("imgUrl", imgURL)},
			wantStatus: 200, wantSource: "imgUrl", wantSide: Front, wantImage: urlImage},
		{name: "file wins over imgBase64", parts: []part{field("imgBase64", b64), filePart("file", "card.png", fileImage)},
			wantStatus: 200, wantSource: "file", wantSide: Front, wantImage: fileImage},
		{name: "no image at all", parts: []part{field("cardSide", "FRONT")},
			wantStatus: 400, wantCode: CodeIllegalParam},
		{name: "empty imgUrl", parts: []part{field("imgUrl", "")},
			wantStatus: 400, wantCode: CodeIllegalParam},
		{name: "unknown cardSide", parts: []part{field("imgUrl", imgURL), field("cardSide", "SIDE")},
			wantStatus: 400, wantCode: CodeIllegalParam},
		{name: "lower-case cardSide", parts: []part{field("imgUrl", imgURL), field("cardSide", "back")},
			wantStatus: 400, wantCode: CodeIllegalParam},
		{name: "imgBase64 that is not base64", parts: []part{field("imgBase64", "not base64!")},
			wantStatus: 400, wantCode: CodeIllegalParam},
		{name: "file that is not an image", parts: []part{filePart("file", "card.jpg", []byte("hello"))},
			wantStatus: 400, wantCode: CodeBadImageFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{})

			a := post(t, s, tc.parts...)

			require.Equal(t, tc.wantStatus, a.status, "body: %s", a.body)
			e := a.envelope(t)
			calls := s.Calls()
			require.Len(t, calls, 1)
			if tc.wantStatus != http.StatusOK {
				assert.Equal(t, 400, e.Status)
				assert.Equal(t, tc.wantCode, e.Code)
				assert.Nil(t, e.Data, "failures carry no data")
				assert.Empty(t, a.header.Get(HeaderErrorMessage), "the vendor's refusal is not the gateway's")
				return
			}
			assert.Equal(t, tc.wantSource, calls[0].Source)
			assert.Equal(t, tc.wantSide, calls[0].CardSide)
			want := Recognize(tc.wantImage, tc.wantSide)
			if tc.wantSide == Back {
				assert.Equal(t, want.BackInfo.Barcode, e.Data.BackInfo["barcode"])
			} else {
				assert.Equal(t, want.FrontInfo.VIN, e.Data.FrontInfo["vin"])
			}
		})
	}
}

func TestBodyThatIsNotMultipartIsAnIllegalParameter(t *testing.T) {
	s := startServer(t, Config{})
	cases := []struct {
		name, contentType, body string
	}{
		{name: "form-urlencoded", contentType: "application/x-www-form-urlencoded", body: url.Values{"imgUrl": {"http://x/b/k.jpg"}}.Encode()},
		{name: "JSON", contentType: "application/json", body: `{"imgUrl":"http://x/b/k.jpg"}`},
		{name: "multipart without its boundary", contentType: "multipart/form-data", body: "--x\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := doPost(t.Context(), s.URL(), "APPCODE "+testAppCode, tc.contentType, []byte(tc.body))
			require.NoError(t, err)

			require.Equal(t, http.StatusBadRequest, a.status)
			e := a.envelope(t)
			assert.Equal(t, CodeIllegalParam, e.Code)
			assert.Equal(t, MsgIllegalParam, e.Message)
		})
	}
}

func TestBodyOverTwoMegabytesIs413(t *testing.T) {
	s := startServer(t, Config{})
	big := append(testJPEG(t, 1), bytes.Repeat([]byte{0}, MaxRequestBytes)...)

	a := post(t, s, filePart("file", "big.jpg", big))

	require.Equal(t, http.StatusRequestEntityTooLarge, a.status)
	e := a.envelope(t)
	assert.Equal(t, 413, e.Status)
	assert.Contains(t, e.Message, "2MB")
	assert.Empty(t, a.header.Get(HeaderErrorMessage))
}
