package handler_test

// Benchmarks of the whole handler against the local OSS server and the
// recognition stand-in, in process, answering at once: what one invocation
// costs the function apart from waiting for the vendor. The servers run in
// the same process, so their work shows in a CPU profile too (focus on
// handler/objectstore/recognition to leave it out). Run with `make bench`,
// or
//
//	go test -run '^$' -bench Handle -benchmem ./handler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/ocrserver"
	"github.com/vlicense/fc-vehicle-license/internal/ossserver"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
)

const (
	benchBucket  = "vehicle-docs"
	benchRegion  = "cn-hangzhou"
	benchAppCode = "appcode-bench-0123456789"
)

var benchCreds = ossserver.Credentials{
	AccessKeyID:     "STS.NBenchAccessKeyId",
	AccessKeySecret: "bench-secret-7a6b5c",
	SecurityToken:   "bench-token-CAIS9AJ1q6Ft5B2yfSjIr5bkKdTEq",
}

// benchWorld is the local cloud of a benchmark: OSS on an internal and a
// public address, the stand-in answering at once, and the handler wired to
// them with the real clients, logging JSON lines as in FC (to io.Discard).
type benchWorld struct {
	oss     *ossserver.Server
	handler *handler.Handler
	image   []byte
	ctx     context.Context
}

func newBenchWorld(b *testing.B, concurrency int) *benchWorld {
	b.Helper()
	oss := ossserver.New(ossserver.Config{Region: benchRegion})
	b.Cleanup(func() { _ = oss.Close() })
	internal, err := oss.Listen("internal", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	public, err := oss.Listen("public", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	oss.AllowCredentials(benchCreds)
	oss.CreateBucket(benchBucket)

	ocr := ocrserver.New(ocrserver.Config{AppCode: benchAppCode})
	if err := ocr.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ocr.Close() })

	store, err := objectstore.New(objectstore.Config{Endpoint: internal, PublicEndpoint: public, Region: benchRegion, MaxConns: concurrency})
	if err != nil {
		b.Fatal(err)
	}
	client := recognition.New(recognition.Config{
		Endpoint: ocr.URL(), AppCode: benchAppCode, Timeout: 10 * time.Second, MaxAttempts: 3, MaxConns: concurrency,
	})
	h := handler.New(handler.Options{
		CardSide:        "FRONT",
		ResultSuffix:    ".json",
		ImageExtensions: []string{".jpg", ".jpeg", ".png", ".bmp"},
		SignedURLTTL:    5 * time.Minute,
		Concurrency:     concurrency,
		SourceBuckets:   []string{benchBucket},
		SourcePrefix:    "uploads/",
	}, handler.Deps{
		Store:       store,
		Recognizer:  client,
		Credentials: store,
		Logger:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})

	// Like FC: a deadline and the invocation's STS credentials.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	b.Cleanup(cancel)
	ctx = fccontext.NewContext(ctx, &fccontext.FcContext{
		RequestID: "1-6564f1b7-bench",
		Region:    benchRegion,
		Credentials: fccontext.Credentials{
			AccessKeyId:     benchCreds.AccessKeyID,
			AccessKeySecret: benchCreds.AccessKeySecret,
			SecurityToken:   benchCreds.SecurityToken,
		},
	})
	return &benchWorld{oss: oss, handler: h, image: benchJPEG(), ctx: ctx}
}

// benchJPEG is a small valid JPEG: the stand-in fetches and checks it.
func benchJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 20))
	for y := range 20 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{R: byte(x * 8), G: byte(y * 12), B: 90, A: 255})
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	return buf.Bytes()
}

// upload stores images under keys and returns the event announcing them.
func (w *benchWorld) upload(b *testing.B, keys ...string) []byte {
	b.Helper()
	ev := handler.Event{}
	for _, key := range keys {
		etag := w.oss.PutObject(benchBucket, key, w.image, "image/jpeg", nil)
		ev.Events = append(ev.Events, handler.Record{
			EventName: "ObjectCreated:PutObject", EventSource: "acs:oss", EventTime: "2026-11-27T10:00:00.000Z",
			EventVersion: "1.0", Region: benchRegion,
			OSS: handler.OSSEntity{
				Bucket: handler.Bucket{Name: benchBucket, ARN: "acs:oss:" + benchRegion + ":1234567890123456:" + benchBucket},
				Object: handler.Object{Key: key, ETag: strings.Trim(etag, `"`), Size: int64(len(w.image))},
			},
		})
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	return payload
}

func (w *benchWorld) handle(b *testing.B, payload []byte, want handler.Outcome, n int) {
	s, err := w.handler.HandlePayload(w.ctx, payload)
	if err != nil {
		b.Fatal(err)
	}
	if s.Counts[want] != n {
		b.Fatalf("want %d %s, got %v", n, want, s.Counts)
	}
}

// BenchmarkHandleOneImage is one invocation for one new image: HEAD image,
// HEAD result (none), sign, POST (the stand-in fetches the signed URL and
// answers at once), HEAD image again, PUT result.
func BenchmarkHandleOneImage(b *testing.B) {
	w := newBenchWorld(b, 4)
	w.handle(b, w.upload(b, "uploads/warm-up.jpg"), handler.Succeeded, 1) // connections opened
	payloads := make([][]byte, b.N)
	for i := range payloads {
		payloads[i] = w.upload(b, fmt.Sprintf("uploads/%d/行驶证 %06d.jpg", b.N, i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.handle(b, payloads[i], handler.Succeeded, 1)
	}
}

// BenchmarkHandleAlreadyDone is a duplicate delivery: HEAD image, HEAD
// result, whose source ETag matches, skip. No recognition call.
func BenchmarkHandleAlreadyDone(b *testing.B) {
	w := newBenchWorld(b, 4)
	payload := w.upload(b, "uploads/done.jpg")
	w.handle(b, payload, handler.Succeeded, 1)
	for b.Loop() {
		w.handle(b, payload, handler.Skipped, 1)
	}
}

// BenchmarkHandleFiltered100 is a 100-record event that the filter refuses
// entirely (not images): no request at all, only the fan-out, the filter,
// the log lines and the summary.
func BenchmarkHandleFiltered100(b *testing.B) {
	w := newBenchWorld(b, 16)
	ev := handler.Event{}
	for i := range 100 {
		ev.Events = append(ev.Events, handler.Record{
			EventName: "ObjectCreated:PutObject",
			OSS: handler.OSSEntity{
				Bucket: handler.Bucket{Name: benchBucket},
				Object: handler.Object{Key: fmt.Sprintf("uploads/notes-%03d.txt", i), Size: 10},
			},
		})
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		w.handle(b, payload, handler.Skipped, 100)
	}
}

// BenchmarkHandle100Images is a 100-record event of new images with
// CONCURRENCY=16 and the stand-in answering at once.
func BenchmarkHandle100Images(b *testing.B) {
	w := newBenchWorld(b, 16)
	w.handle(b, w.upload(b, "uploads/warm-up.jpg"), handler.Succeeded, 1)
	payloads := make([][]byte, b.N)
	for i := range payloads {
		keys := make([]string, 100)
		for j := range keys {
			keys[j] = fmt.Sprintf("uploads/%d/%d/car-%03d.jpg", b.N, i, j)
		}
		payloads[i] = w.upload(b, keys...)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.handle(b, payloads[i], handler.Succeeded, 100)
	}
}
