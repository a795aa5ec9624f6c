package ocrserver

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

const testAppCode = "0123456789abcdef0123456789abcdef"

// startServer starts a stand-in on a loopback port and closes it when the
// test ends.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.AppCode == "" {
		cfg.AppCode = testAppCode
	}
	s := New(cfg)
	require.NoError(t, s.Start())
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// imageHost plays OSS for the stand-in's fetches: each path answers with
// its handler, anything else 404. It counts requests and fails the test if
// one carries an Authorization header, because the vendor fetches with a
// plain GET and must never forward the AppCode.
type imageHost struct {
	*httptest.Server
	hits atomic.Int32
}

func newImageHost(t *testing.T, routes map[string]http.HandlerFunc) *imageHost {
	t.Helper()
	h := &imageHost{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Errorf("image fetch carried an Authorization header")
		}
		if r.Method != http.MethodGet {
			t.Errorf("image fetch used %s, want GET", r.Method)
		}
		if route, ok := routes[r.URL.Path]; ok {
			route(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(h.Close)
	return h
}

// serveBytes answers 200 with body.
func serveBytes(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}
}

// ossAccessDenied answers like OSS refusing a bad or expired signature.
func ossAccessDenied(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>`)
}

// testJPEG, testPNG and testBMP are small real images; seed varies the
// pixels so that different seeds give different bytes.
func testImage(seed byte) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = seed + byte(i)
	}
	img.Set(0, 0, color.RGBA{R: seed, A: 255})
	return img
}

func testJPEG(t *testing.T, seed byte) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, testImage(seed), nil))
	return b.Bytes()
}

func testPNG(t *testing.T, seed byte) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, testImage(seed)))
	return b.Bytes()
}

// testBMP is a 1×1 24-bit BMP: file header, BITMAPINFOHEADER, one padded row.
func testBMP(seed byte) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("BM")
	le(uint32(14 + 40 + 4)) // file size
	le(uint32(0))           // reserved
	le(uint32(14 + 40))     // pixel data offset
	le(uint32(40))          // info header size
	le(int32(1))            // width
	le(int32(1))            // height
	le(uint16(1))           // planes
	le(uint16(24))          // bits per pixel
	le(uint32(0))           // no compression
	le(uint32(4))           // image size
	le(int32(2835))         // x pixels per metre
	le(int32(2835))         // y pixels per metre
	le(uint32(0))           // colours used
	le(uint32(0))           // important colours
	b.Write([]byte{seed, 0, 0, 0})
	return b.Bytes()
}

// part is one multipart form part: a field, or a file when fileName is set.
type part struct {
	name, value, fileName string
	content               []byte
}

func field(name, value string) part { return part{name: name, value: value} }

func filePart(name, fileName string, content []byte) part {
	return part{name: name, fileName: fileName, content: content}
}

// multipartBody builds a real multipart/form-data body.
func multipartBody(t *testing.T, parts ...part) (body []byte, contentType string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.fileName != "" {
			w, err := mw.CreateFormFile(p.name, p.fileName)
			require.NoError(t, err)
			_, err = w.Write(p.content)
			require.NoError(t, err)
			continue
		}
		require.NoError(t, mw.WriteField(p.name, p.value))
	}
	require.NoError(t, mw.Close())
	return b.Bytes(), mw.FormDataContentType()
}

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// envelope decodes the vendor JSON of a, failing the test if it is not.
func (a answer) envelope(t *testing.T) envelopeJSON {
	t.Helper()
	var e envelopeJSON
	require.NoError(t, json.Unmarshal(a.body, &e), "body: %s", a.body)
	return e
}

// envelopeJSON mirrors the contract's answer with data kept as raw maps, so
// tests see exactly which keys went on the wire.
type envelopeJSON struct {
	Status   int    `json:"status"`
	Code     int    `json:"code"`
	Message  string `json:"message"`
	ReqID    string `json:"reqId"`
	SerialNo string `json:"serialNo"`
	Data     *struct {
		FrontInfo map[string]string `json:"frontInfo"`
		BackInfo  map[string]string `json:"backInfo"`
	} `json:"data"`
}

// postTo sends a multipart call with the given Authorization header value
// ("" sends none) and returns the answer.
func postTo(t *testing.T, ctx context.Context, url, authorization string, parts ...part) (answer, error) {
	t.Helper()
	body, contentType := multipartBody(t, parts...)
	return doPost(ctx, url, authorization, contentType, body)
}

func doPost(ctx context.Context, url, authorization, contentType string, body []byte) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", contentType)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// post sends an authenticated call and fails the test on a transport error.
func post(t *testing.T, s *Server, parts ...part) answer {
	t.Helper()
	a, err := postTo(t, t.Context(), s.URL(), "APPCODE "+testAppCode, parts...)
	require.NoError(t, err)
	return a
}

// attemptsFor tells a test that a call has reached Decide.
func (j *journal) attemptsFor(imagePath string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.attempts[imagePath]
}
