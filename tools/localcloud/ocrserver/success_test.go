package ocrserver

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	uuidPattern     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	serialNoPattern = regexp.MustCompile(`^[0-9]{18,19}$`)
	frontFields     = []string{"owner", "address", "vehicleType", "model", "registerDate", "issueDate", "seal", "vin", "plateNo", "useCharacter", "engineNo"}
	backFields      = []string{"plateNo", "fileNo", "allowNum", "totalMass", "curbWeight", "loadQuality", "externalSize", "marks", "record", "totalQuasiMass", "energy", "barcode"}
)

func TestSuccessAnswersTheDocumentedFieldsForTheSideAsked(t *testing.T) {
	img := testJPEG(t, 1)
	host := newImageHost(t, map[string]http.HandlerFunc{"/bucket/car.jpg": serveBytes("image/jpeg", img)})
	s := startServer(t, Config{})

	cases := []struct {
		name       string
		cardSide   []part // the cardSide field, if sent
		wantSide   string
		wantFields []string
	}{
		{name: "cardSide omitted defaults to FRONT", wantSide: Front, wantFields: frontFields},
		{name: "FRONT", cardSide: []part{field("cardSide", "FRONT")}, wantSide: Front, wantFields: frontFields},
		{name: "BACK", cardSide: []part{field("cardSide", "BACK")}, wantSide: Back, wantFields: backFields},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := post(t, s, append([]part{field("imgUrl", host.URL+"/bucket/car.jpg?Expires=1&Signature=x")}, tc.cardSide...)...)

			require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
			assert.Equal(t, "application/json;charset=UTF-8", a.header.Get("Content-Type"))
			assert.Empty(t, a.header.Get(HeaderErrorMessage))
			assert.Regexp(t, uuidPattern, a.header.Get(HeaderRequestID))
			e := a.envelope(t)
			assert.Equal(t, 200, e.Status)
			assert.Equal(t, 0, e.Code)
			assert.Equal(t, "success", e.Message)
			assert.Regexp(t, uuidPattern, e.ReqID)
			assert.Regexp(t, serialNoPattern, e.SerialNo)
			require.NotNil(t, e.Data)

			asked, other := e.Data.FrontInfo, e.Data.BackInfo
			if tc.wantSide == Back {
				asked, other = other, asked
			}
			require.NotNil(t, other, "the side not asked for is an empty object, not absent")
			assert.Empty(t, other)
			assert.Len(t, asked, len(tc.wantFields))
			for _, f := range tc.wantFields {
				assert.NotEmpty(t, asked[f], "field %s", f)
			}
			want := Recognize(img, tc.wantSide)
			if tc.wantSide == Back {
				assert.Equal(t, want.BackInfo.PlateNo, asked["plateNo"])
				assert.Equal(t, want.BackInfo.Barcode, asked["barcode"])
			} else {
				assert.Equal(t, want.FrontInfo.VIN, asked["vin"])
				assert.Equal(t, want.FrontInfo.PlateNo, asked["plateNo"])
			}
		})
	}
}

func TestSuccessIsDeterministicPerImageAndSideButIDsVary(t *testing.T) {
	imgA, imgB := testJPEG(t, 1), testJPEG(t, 99)
	host := newImageHost(t, map[string]http.HandlerFunc{
		"/bucket/a.jpg":      serveBytes("image/jpeg", imgA),
		"/bucket/copy-a.jpg": serveBytes("image/jpeg", imgA),
		"/bucket/b.jpg":      serveBytes("image/jpeg", imgB),
	})
	s := startServer(t, Config{})
	recognise := func(path, side string) envelopeJSON {
		a := post(t, s, field("imgUrl", host.URL+path), field("cardSide", side))
		require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
		return a.envelope(t)
	}

	first, again := recognise("/bucket/a.jpg", Front), recognise("/bucket/a.jpg", Front)
	assert.Equal(t, first.Data, again.Data, "same image, same side: same data")
	assert.NotEqual(t, first.ReqID, again.ReqID)
	assert.NotEqual(t, first.SerialNo, again.SerialNo)

	assert.Equal(t, first.Data, recognise("/bucket/copy-a.jpg", Front).Data, "data depends on the bytes, not the name")
	assert.NotEqual(t, first.Data.FrontInfo["plateNo"], recognise("/bucket/b.jpg", Front).Data.FrontInfo["plateNo"])

	back := recognise("/bucket/a.jpg", Back)
	assert.Equal(t, first.Data.FrontInfo["plateNo"], back.Data.BackInfo["plateNo"], "both sides describe one vehicle")
}

func TestSuccessAcceptsJPEGPNGAndBMP(t *testing.T) {
	cases := []struct {
		name  string
		image []byte
	}{
		{name: "JPEG", image: testJPEG(t, 3)},
		{name: "PNG", image: testPNG(t, 3)},
		{name: "BMP", image: testBMP(3)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host := newImageHost(t, map[string]http.HandlerFunc{"/b/k": serveBytes("application/octet-stream", tc.image)})
			s := startServer(t, Config{})

			a := post(t, s, field("imgUrl", host.URL+"/b/k"))

			require.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
			assert.Equal(t, Recognize(tc.image, Front).FrontInfo.PlateNo, a.envelope(t).Data.FrontInfo["plateNo"])
			calls := s.Calls()
			require.Len(t, calls, 1)
			assert.Equal(t, http.StatusOK, calls[0].FetchStatus)
			assert.Equal(t, len(tc.image), calls[0].FetchedBytes)
		})
	}
}
