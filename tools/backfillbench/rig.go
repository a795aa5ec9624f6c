package backfillbench

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sort"
	"sync/atomic"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

const (
	bucket  = "vehicle-docs"
	region  = "cn-hangzhou"
	appCode = "backfill-bench-appcode"
)

var creds = ossserver.Credentials{AccessKeyID: "LTAI-backfill-bench", AccessKeySecret: "backfill-bench-secret"}

// rig is a local OSS server and a recognition stand-in, in this process,
// for one scenario.
type rig struct {
	oss      *ossserver.Server
	internal string // the endpoint the CLI sends its requests to
	public   string // the host of the signed URLs the stand-in fetches
	ocr      *ocrserver.Server
	standIn  *counter
}

// startRig starts the servers; the stand-in answers every call with a
// success after delay.
func startRig(delay time.Duration) (*rig, error) {
	r := &rig{oss: ossserver.New(ossserver.Config{Region: region})}
	var err error
	if r.internal, err = r.oss.Listen("internal", "127.0.0.1:0"); err != nil {
		r.close()
		return nil, err
	}
	if r.public, err = r.oss.Listen("public", "127.0.0.1:0"); err != nil {
		r.close()
		return nil, err
	}
	r.oss.AllowCredentials(creds)
	r.oss.CreateBucket(bucket)
	r.ocr = ocrserver.New(ocrserver.Config{
		AppCode: appCode,
		Decide:  func(ocrserver.Request) ocrserver.Reply { return ocrserver.Success().After(delay) },
		// The vendor fetches each image; a pool as large as the CLI's
		// concurrency keeps those fetches from opening a connection each.
		Fetch: &http.Client{Timeout: ocrserver.DefaultFetchTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	})
	if r.standIn, err = startCounter(r.ocr); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// env is the CLI's whole environment. Nothing is inherited but PATH and
// HOME: an operator's own OCR_ENDPOINT, AppCode, SOURCE_PREFIX or
// CONCURRENCY must neither reach the real API nor change what is measured.
// extra (the command's -env) comes last and wins.
func (r *rig) env(ossEndpoint string, extra map[string]string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"OCR_ENDPOINT=" + r.standIn.url,
		"OCR_APPCODE=" + appCode,
		"OSS_ENDPOINT=" + ossEndpoint,
		"OSS_PUBLIC_ENDPOINT=" + r.public,
		"OSS_REGION=" + region,
		"SOURCE_BUCKETS=" + bucket,
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + creds.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + creds.AccessKeySecret,
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+extra[k])
	}
	return env
}

func (r *rig) close() {
	if r.standIn != nil {
		_ = r.standIn.close()
	}
	if r.ocr != nil {
		_ = r.ocr.Close()
	}
	_ = r.oss.Close()
}

// counter fronts the stand-in with a listener of its own that counts the
// calls in flight, from a request's arrival to the end of its answer
// (delay and image fetch included). Counting in Decide would not do: the
// stand-in waits the delay after Decide returns.
type counter struct {
	srv      *http.Server
	url      string
	next     http.Handler
	inFlight atomic.Int64
	maxSeen  atomic.Int64
}

func startCounter(next http.Handler) (*counter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &counter{next: next, url: "http://" + ln.Addr().String() + ocrserver.DefaultPath}
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.maxSeen.Load()
		if n <= m || c.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	c.next.ServeHTTP(w, r)
}

func (c *counter) max() int { return int(c.maxSeen.Load()) }

func (c *counter) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
