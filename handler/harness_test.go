package handler_test

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
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
	"github.com/vlicense/fc-vehicle-license/tools/resultschema"
	"github.com/vlicense/fc-vehicle-license/tools/syncbuf"
)

// The bucket and region of the events/ payloads.
const (
	bucket  = "vehicle-docs"
	region  = "cn-hangzhou"
	appCode = "appcode-0123456789abcdef"
)

// stsCredentials are what FC hands an invocation; the test OSS server
// accepts only these, token included.
var stsCredentials = ossserver.Credentials{
	AccessKeyID:     "STS.NTestAccessKeyId",
	AccessKeySecret: "sts-secret-4f3c2b1a09",
	SecurityToken:   "sts-token-CAIS9AJ1q6Ft5B2yfSjIr5bkKdTEq",
}

// world is the local cloud a handler test runs in: an OSS server listening
// on an internal and a public address over one store, the recognition
// stand-in, and the handler wired to them with the real clients.
type world struct {
	t        testing.TB
	oss      *ossserver.Server
	ocr      *ocrserver.Server
	store    *objectstore.Store
	handler  *handler.Handler
	inFlight *inFlightCounter
	logs     *syncBuffer
	internal string // endpoints
	public   string
}

type worldOptions struct {
	options     handler.Options
	quiet       bool // log to io.Discard (benchmarks), not to a buffer
	decide      func(ocrserver.Request) ocrserver.Reply
	appCode     string // what the function sends; defaults to the right one
	ocrTimeout  time.Duration
	maxAttempts int
	// publicEndpoint replaces the OSS server's public address in signed
	// URLs (a wrong OSS_PUBLIC_ENDPOINT).
	publicEndpoint string
}

// worldWithMeanwhile is a world whose recognition stand-in, on its first
// call, first lets another party act on the bucket (the user re-uploads or
// deletes the image, another invocation writes its result), then answers
// every call with reply: what happens while the vendor works.
func worldWithMeanwhile(t testing.TB, reply ocrserver.Reply, meanwhile func(w *world)) *world {
	var w *world
	var once sync.Once
	w = newWorld(t, worldOptions{decide: func(ocrserver.Request) ocrserver.Reply {
		once.Do(func() { meanwhile(w) })
		return reply
	}})
	return w
}

func defaultOptions() handler.Options {
	return handler.Options{
		CardSide:        "FRONT",
		ResultSuffix:    ".json",
		ImageExtensions: []string{".jpg", ".jpeg", ".png", ".bmp"},
		SignedURLTTL:    5 * time.Minute,
		Concurrency:     4,
		WriteReserve:    300 * time.Millisecond,

		SourceBuckets:         []string{bucket},
		MaxAsyncRetryAttempts: 3,
	}
}

func newWorld(t testing.TB, wo worldOptions) *world {
	t.Helper()
	if wo.options.ResultSuffix == "" {
		wo.options = defaultOptions()
	}
	if wo.appCode == "" {
		wo.appCode = appCode
	}
	if wo.ocrTimeout == 0 {
		wo.ocrTimeout = 2 * time.Second
	}
	if wo.maxAttempts == 0 {
		wo.maxAttempts = 3
	}

	oss := ossserver.New(ossserver.Config{Region: region})
	t.Cleanup(func() { _ = oss.Close() })
	internal, err := oss.Listen("internal", "127.0.0.1:0")
	require.NoError(t, err)
	public, err := oss.Listen("public", "127.0.0.1:0")
	require.NoError(t, err)
	oss.AllowCredentials(stsCredentials)
	oss.CreateBucket(bucket)

	ocr := ocrserver.New(ocrserver.Config{AppCode: appCode, Decide: wo.decide})
	require.NoError(t, ocr.Start())
	t.Cleanup(func() { _ = ocr.Close() })

	signFor := public
	if wo.publicEndpoint != "" {
		signFor = wo.publicEndpoint
	}
	// No credentials at start: like FC, each invocation brings them.
	store, err := objectstore.New(objectstore.Config{Endpoint: internal, PublicEndpoint: signFor, Region: region, MaxConns: max(4, wo.options.Concurrency)})
	require.NoError(t, err)

	client := recognition.New(recognition.Config{
		Endpoint:    ocr.URL(),
		AppCode:     wo.appCode,
		Timeout:     wo.ocrTimeout,
		MaxAttempts: wo.maxAttempts,
		BaseBackoff: 5 * time.Millisecond,
		MaxBackoff:  20 * time.Millisecond,
		MaxConns:    wo.options.Concurrency,
	})
	counter := &inFlightCounter{next: client}
	logs := &syncBuffer{}
	var logOut io.Writer = logs
	if wo.quiet {
		logOut = io.Discard
	}
	h := handler.New(wo.options, handler.Deps{
		Store:       schemaChecked{t, store},
		Recognizer:  counter,
		Credentials: store,
		Logger:      slog.New(slog.NewJSONHandler(logOut, nil)),
	})
	return &world{t: t, oss: oss, ocr: ocr, store: store, handler: h, inFlight: counter, logs: logs, internal: internal, public: public}
}

// schemaChecked validates every result document the handler writes against
// docs/result.schema.json before it reaches OSS.
type schemaChecked struct {
	t testing.TB
	*objectstore.Store
}

func (s schemaChecked) Put(ctx context.Context, bucket, key string, obj objectstore.Object) error {
	resultschema.Check(s.t, obj.Body)
	return s.Store.Put(ctx, bucket, key, obj)
}

// invocation is a context like the one the FC runtime gives the handler.
func invocation(t testing.TB, requestID string, timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return fccontext.NewContext(ctx, &fccontext.FcContext{
		RequestID: requestID,
		Region:    region,
		Credentials: fccontext.Credentials{
			AccessKeyId:     stsCredentials.AccessKeyID,
			AccessKeySecret: stsCredentials.AccessKeySecret,
			SecurityToken:   stsCredentials.SecurityToken,
		},
	})
}

// run invokes the handler with a payload from events/ and a 20 s deadline.
func (w *world) run(eventFile string) (handler.Summary, error) {
	return w.handler.HandlePayload(invocation(w.t, "req-"+eventFile, 20*time.Second), readEvent(w.t, eventFile))
}

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "events", name))
	require.NoError(t, err)
	return b
}

// event builds a one-record payload for key, as OSS would send it.
func event(name, key string, size int) []byte {
	b, _ := json.Marshal(map[string]any{"events": []any{map[string]any{
		"eventName": name, "eventSource": "acs:oss", "eventTime": "2026-11-27T10:00:00.000Z", "eventVersion": "1.0", "region": region,
		"oss": map[string]any{
			"bucket": map[string]any{"name": bucket, "arn": "acs:oss:" + region + ":1234567890123456:" + bucket},
			"object": map[string]any{"key": key, "size": size, "eTag": "00000000000000000000000000000000", "deltaSize": size},
		},
	}}})
	return b
}

func (w *world) handle(payload []byte) (handler.Summary, error) {
	return w.handler.HandlePayload(invocation(w.t, "req-test", 20*time.Second), payload)
}

// upload stores an image the way a user's upload would, returning its ETag
// as the result document should carry it (unquoted).
func (w *world) upload(key string, body []byte, meta map[string]string) string {
	return strings.Trim(w.oss.PutObject(bucket, key, body, "image/jpeg", meta), `"`)
}

// document reads and decodes the result document of an image.
func (w *world) document(imageKey string) (handler.Document, ossserver.Object) {
	w.t.Helper()
	obj, ok := w.oss.Object(bucket, imageKey+".json")
	require.True(w.t, ok, "result document %s.json was not written", imageKey)
	var doc handler.Document
	require.NoError(w.t, json.Unmarshal(obj.Body, &doc))
	return doc, obj
}

func (w *world) hasDocument(imageKey string) bool {
	_, ok := w.oss.Object(bucket, imageKey+".json")
	return ok
}

// callsFor lists the stand-in's calls for one image.
func (w *world) callsFor(key string) []ocrserver.Call {
	var out []ocrserver.Call
	for _, c := range w.ocr.Calls() {
		if c.ImagePath == "/"+bucket+"/"+key {
			out = append(out, c)
		}
	}
	return out
}

// script answers per image key, in order; other images succeed.
func script(replies map[string][]ocrserver.Reply) func(ocrserver.Request) ocrserver.Reply {
	s := ocrserver.Script{}
	for key, r := range replies {
		s["/"+bucket+"/"+key] = r
	}
	return s.Decide
}

// inFlightCounter wraps the recognizer to measure the handler's concurrency.
type inFlightCounter struct {
	next     handler.Recognizer
	current  atomic.Int32
	mu       sync.Mutex
	maxSeen  int32
	requests []recognition.Request
}

func (c *inFlightCounter) Recognize(ctx context.Context, req recognition.Request) recognition.Result {
	n := c.current.Add(1)
	c.mu.Lock()
	c.maxSeen = max(c.maxSeen, n)
	c.requests = append(c.requests, req)
	c.mu.Unlock()
	defer c.current.Add(-1)
	return c.next.Recognize(ctx, req)
}

func (c *inFlightCounter) max() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.maxSeen)
}

// syncBuffer collects the handler's JSON log lines.
type syncBuffer struct{ syncbuf.Buffer }

// lines decodes every JSON log line.
func (b *syncBuffer) lines(t testing.TB) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "log line is JSON: %s", l)
		out = append(out, m)
	}
	return out
}

// Sample images: small, synthetic, and different per seed so that each
// upload has its own ETag and its own recognised data.

func pngImage(seed byte) []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, pattern(seed))
	return buf.Bytes()
}

func jpegImage(seed byte) []byte {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, pattern(seed), &jpeg.Options{Quality: 80})
	return buf.Bytes()
}

func pattern(seed byte) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 10))
	for y := 0; y < 10; y++ {
		for x := 0; x < 16; x++ {
			img.Set(x, y, color.RGBA{R: byte(x*16) ^ seed, G: byte(y*25) + seed, B: seed, A: 255})
		}
	}
	return img
}

// bmpImage writes a 2×2 24-bit BMP by hand (the standard library has no
// BMP encoder).
func bmpImage(seed byte) []byte {
	const w, h, rowSize = 2, 2, 8 // 2 px × 3 bytes, padded to 4
	var buf bytes.Buffer
	buf.WriteString("BM")
	le := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	le(uint32(54 + rowSize*h))
	le(uint32(0))
	le(uint32(54))
	le(uint32(40))
	le(int32(w))
	le(int32(h))
	le(uint16(1))
	le(uint16(24))
	le(uint32(0))
	le(uint32(rowSize * h))
	le(int32(2835))
	le(int32(2835))
	le(uint32(0))
	le(uint32(0))
	for range h {
		buf.Write([]byte{seed, 0x20, 0x40, 0x60, seed, 0x80, 0, 0})
	}
	return buf.Bytes()
}
