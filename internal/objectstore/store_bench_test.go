package objectstore_test

// Benchmarks of the OSS access the function makes per image: the V4 signed
// URL, HEAD and PUT through the SDK against the local OSS server (which
// runs in the same process and verifies every signature), and the URL
// redaction of the log line. Run with `make bench`, or
//
//	go test -run '^$' -bench . -benchmem ./internal/objectstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

var benchCreds = ossserver.Credentials{AccessKeyID: "STS.NBenchAccessKeyId", AccessKeySecret: "bench-secret-7a6b5c", SecurityToken: "bench-token-CAIS9AJ1q6Ft5B2yfSjIr5bk"}

const benchKey = "uploads/2026/11/行驶证 正面 京A12345.jpg"

func benchStore(b *testing.B) (*objectstore.Store, *ossserver.Server) {
	b.Helper()
	srv := ossserver.New(ossserver.Config{Region: "cn-hangzhou"})
	b.Cleanup(func() { _ = srv.Close() })
	internal, err := srv.Listen("internal", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	public, err := srv.Listen("public", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv.AllowCredentials(benchCreds)
	srv.CreateBucket("vehicle-docs")
	s, err := objectstore.New(objectstore.Config{
		Endpoint: internal, PublicEndpoint: public, Region: "cn-hangzhou",
		Credentials: objectstore.Credentials{AccessKeyID: benchCreds.AccessKeyID, AccessKeySecret: benchCreds.AccessKeySecret, SecurityToken: benchCreds.SecurityToken},
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, srv
}

func BenchmarkSignGetURL(b *testing.B) {
	s, _ := benchStore(b)
	for b.Loop() {
		if _, err := s.SignGetURL("vehicle-docs", benchKey, "", 5*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedactURL(b *testing.B) {
	s, _ := benchStore(b)
	signed, err := s.SignGetURL("vehicle-docs", benchKey, "", 5*time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = objectstore.RedactURL(signed)
	}
}

func BenchmarkHead(b *testing.B) {
	s, srv := benchStore(b)
	srv.PutObject("vehicle-docs", benchKey, []byte("\xff\xd8\xff\xe0 an image"), "image/jpeg", map[string]string{"card-side": "FRONT"})
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Head(ctx, "vehicle-docs", benchKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPut(b *testing.B) {
	s, _ := benchStore(b)
	doc := []byte(`{"schemaVersion":1,"status":"succeeded","response":` + strings.Repeat(`{"k":"值"},`, 150) + `{}}`)
	meta := map[string]string{"source-etag": "5B3E1F0C9A7D4E2B8C6A1F3D5E7B9C0A", "result-status": "succeeded", "outcome": "succeeded"}
	ctx := context.Background()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if err := s.Put(ctx, "vehicle-docs", benchKey+".json", objectstore.Object{Body: doc, ContentType: "application/json; charset=utf-8", Meta: meta, ACL: "private"}); err != nil {
			b.Fatal(err)
		}
	}
}
