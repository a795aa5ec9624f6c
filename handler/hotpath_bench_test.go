package handler

// Benchmarks of the handler's CPU-only hot paths: payload decoding,
// filtering, result and summary encoding. The whole handler against the
// local servers is in handler_bench_test.go. Run with `make bench`, or
//
//	go test -run '^$' -bench . -benchmem ./handler

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
)

// benchPayload is a payload of n records like events/put-object.json, each
// for its own image.
func benchPayload(b *testing.B, n int) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "events", "put-object.json"))
	if err != nil {
		b.Fatal(err)
	}
	var one struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(raw, &one); err != nil {
		b.Fatal(err)
	}
	records := make([]map[string]any, n)
	for i := range records {
		rec := map[string]any{}
		for k, v := range one.Events[0] {
			rec[k] = v
		}
		rec["oss"] = map[string]any{
			"bucket": one.Events[0]["oss"].(map[string]any)["bucket"],
			"object": map[string]any{"key": fmt.Sprintf("uploads/行驶证 %03d.jpg", i), "size": 284517, "deltaSize": 284517, "eTag": "983F451C5B8CB6F285EC43A900D9938B"},
		}
		records[i] = rec
	}
	out, err := json.Marshal(map[string]any{"events": records})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func BenchmarkDecodeEvent(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			payload := benchPayload(b, n)
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, err := DecodeEvent(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchHandler() *Handler {
	return New(Options{
		CardSide:        "FRONT",
		ResultSuffix:    ".json",
		ImageExtensions: []string{".jpg", ".jpeg", ".png", ".bmp"},
		SignedURLTTL:    5 * time.Minute,
		Concurrency:     16,
		SourceBuckets:   []string{"vehicle-docs"},
		SourcePrefix:    "uploads/",
	}, Deps{})
}

// BenchmarkFilter runs the filter over a mix of records: images that pass
// and each kind the filter refuses.
func BenchmarkFilter(b *testing.B) {
	h := benchHandler()
	rec := func(name, bucket, key string, size int64) Record {
		return Record{EventName: name, OSS: OSSEntity{Bucket: Bucket{Name: bucket}, Object: Object{Key: key, Size: size}}}
	}
	records := []Record{
		rec("ObjectCreated:PutObject", "vehicle-docs", "uploads/2026/11/行驶证 正面 京A12345.jpg", 48211),
		rec("ObjectCreated:CompleteMultipartUpload", "vehicle-docs", "uploads/2026/11/car-0002.JPEG", 48211),
		rec("ObjectCreated:PutObject", "vehicle-docs", "uploads/2026/11/car-0003.jpg.json", 900),
		rec("ObjectCreated:PutObject", "vehicle-docs", "uploads/2026/11/notes.txt", 10),
		rec("ObjectCreated:PutObject", "vehicle-docs", "uploads/2026/11/", 0),
		rec("ObjectRemoved:DeleteObject", "vehicle-docs", "uploads/2026/11/car-0004.jpg", 48211),
		rec("ObjectCreated:PutObject", "other-bucket", "uploads/car-0005.jpg", 48211),
		rec("ObjectCreated:PutObject", "vehicle-docs", "elsewhere/car-0006.jpg", 48211),
	}
	b.ResetTimer()
	for b.Loop() {
		for _, r := range records {
			_ = h.filterEvent(r)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(records)), "ns/record")
}

// vendorBody is a success answer of the recognition API as the stand-in
// writes it (the documented JSON, with front-side data).
func vendorBody(b *testing.B) []byte {
	b.Helper()
	data := ocrserver.Recognize([]byte("a sample image's bytes"), ocrserver.Front)
	body, err := json.Marshal(map[string]any{
		"status": 200, "code": 0, "message": "success",
		"reqId": "7C1E8D2A-5F3B-4A9C-B6E0-1D2F3A4B5C6D", "serialNo": "20261127100001123456", "data": data,
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkEncodeDocument(b *testing.B) {
	body := vendorBody(b)
	h := benchHandler()
	h.deps.Now = func() time.Time { return time.Date(2026, 11, 27, 10, 0, 1, 0, time.UTC) }
	cur := current{
		image: image{bucket: "vehicle-docs", key: "uploads/2026/11/行驶证 正面 京A12345.jpg", eventName: "ObjectCreated:PutObject", eventTime: "2026-11-27T10:00:00.000Z"},
		key:   "uploads/2026/11/行驶证 正面 京A12345.jpg",
		info:  objectstore.ObjectInfo{ETag: "5B3E1F0C9A7D4E2B8C6A1F3D5E7B9C0A", Size: 48211},
		side:  "FRONT",
	}
	for b.Loop() {
		doc := h.newDocument(cur, outcome.Succeeded, 1)
		doc.Response = body
		out, err := doc.encode()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}

// BenchmarkEncodeSummary is the invocation's response: the SDK marshals the
// summary with encoding/json.
func BenchmarkEncodeSummary(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			results := make([]RecordResult, n)
			for i := range results {
				key := fmt.Sprintf("uploads/行驶证 %03d.jpg", i)
				results[i] = RecordResult{Bucket: "vehicle-docs", Key: key, Outcome: outcome.Succeeded, ResultKey: key + ".json", Attempts: 1}
			}
			for b.Loop() {
				if _, err := json.Marshal(newSummary("1-6564f1b7-0e0b6e5a3f1c4d2e8a7b", results)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
