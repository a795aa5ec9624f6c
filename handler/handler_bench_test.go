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
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// benchWorld is the tests' local cloud (harness_test.go), logging JSON
// lines as in FC but to io.Discard, with a deadline far away.
type benchWorld struct {
	*world
	image []byte
	ctx   context.Context
}

func newBenchWorld(b *testing.B, concurrency int) *benchWorld {
	b.Helper()
	opts := defaultOptions()
	opts.Concurrency = concurrency
	w := newWorld(b, worldOptions{options: opts, quiet: true, ocrTimeout: 10 * time.Second})
	return &benchWorld{world: w, image: jpegImage(1), ctx: invocation(b, "1-6564f1b7-bench", time.Hour)}
}

// upload stores images under keys and returns the event announcing them.
func (w *benchWorld) upload(b *testing.B, keys ...string) []byte {
	b.Helper()
	ev := handler.Event{}
	for _, key := range keys {
		etag := w.world.upload(key, w.image, nil)
		ev.Events = append(ev.Events, handler.Record{
			EventName: "ObjectCreated:PutObject", EventSource: "acs:oss", EventTime: "2026-11-27T10:00:00.000Z",
			EventVersion: "1.0", Region: region,
			OSS: handler.OSSEntity{
				Bucket: handler.Bucket{Name: bucket, ARN: "acs:oss:" + region + ":1234567890123456:" + bucket},
				Object: handler.Object{Key: key, ETag: etag, Size: int64(len(w.image))},
			},
		})
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	return payload
}

func (w *benchWorld) handle(b *testing.B, payload []byte, want outcome.Outcome, n int) {
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
	w.handle(b, w.upload(b, "uploads/warm-up.jpg"), outcome.Succeeded, 1) // connections opened
	payloads := make([][]byte, b.N)
	for i := range payloads {
		payloads[i] = w.upload(b, fmt.Sprintf("uploads/%d/行驶证 %06d.jpg", b.N, i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.handle(b, payloads[i], outcome.Succeeded, 1)
	}
}

// BenchmarkHandleAlreadyDone is a duplicate delivery: HEAD image, HEAD
// result, whose source ETag matches, skip. No recognition call.
func BenchmarkHandleAlreadyDone(b *testing.B) {
	w := newBenchWorld(b, 4)
	payload := w.upload(b, "uploads/done.jpg")
	w.handle(b, payload, outcome.Succeeded, 1)
	for b.Loop() {
		w.handle(b, payload, outcome.Skipped, 1)
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
				Bucket: handler.Bucket{Name: bucket},
				Object: handler.Object{Key: fmt.Sprintf("uploads/notes-%03d.txt", i), Size: 10},
			},
		})
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		w.handle(b, payload, outcome.Skipped, 100)
	}
}

// BenchmarkHandle100Images is a 100-record event of new images with
// CONCURRENCY=16 and the stand-in answering at once.
func BenchmarkHandle100Images(b *testing.B) {
	w := newBenchWorld(b, 16)
	w.handle(b, w.upload(b, "uploads/warm-up.jpg"), outcome.Succeeded, 1)
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
		w.handle(b, payloads[i], outcome.Succeeded, 100)
	}
}
