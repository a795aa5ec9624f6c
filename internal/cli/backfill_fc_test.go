package cli

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcapi"
)

// fcCloud runs the local cloud with the real function binary, and returns
// it with the environment an operator pastes from `vlicense local`.
func fcCloud(t *testing.T) (*localcloud.Cloud, map[string]string) {
	t.Helper()
	_, fnArgs, root := binary(t)
	c, err := localcloud.Start(localcloud.Config{BinaryPath: fnArgs[1], SpecPath: filepath.Join(root, "s.yaml"), RetryBackoff: 10 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, map[string]string{
		"OSS_REGION":                      c.Region,
		"OSS_ENDPOINT":                    c.PublicEndpoint,
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     localcloud.UserCredentials.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": localcloud.UserCredentials.AccessKeySecret,
		"FC_ENDPOINT":                     c.FCEndpoint,
		"FC_ACCOUNT_ID":                   localcloud.AccountID,
		"FC_REGION":                       c.Region,
	}
}

func settle(t *testing.T, c *localcloud.Cloud) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, c.Settle(ctx))
}

// backfill --on-fc hands the images to the deployed function as
// asynchronous invocations through FC's own API: the results appear as for
// uploads, and running it again queues nothing twice.
func TestBackfillOnFC(t *testing.T) {
	c, env := fcCloud(t)
	bucket, prefix := c.Buckets[0], c.UploadPrefix()
	image, err := localcloud.Sample("front.jpg")
	require.NoError(t, err)
	keys := []string{prefix + "old/a.jpg", prefix + "old/b.png", prefix + "old/c.JPG", prefix + "old/reject-d.jpg", prefix + "old/e.jpg"}
	for _, k := range keys {
		c.OSS.PutObject(bucket, k, image, "image/jpeg", nil) // no event: uploaded before the trigger existed
	}
	c.OSS.PutObject(bucket, prefix+"old/notes.txt", []byte("x"), "text/plain", nil)
	fn := c.Function.Name
	args := func(more ...string) []string {
		return append([]string{"backfill", "--bucket", bucket, "--prefix", prefix + "old/", "--on-fc", fn}, more...)
	}

	var dry output
	require.Equal(t, ExitOK, Run(args("--dry-run"), dry.io(env, nil)), dry.String())
	assert.Regexp(t, `planned\s+5\s`, dry.stdout.String())
	settle(t, c)
	assert.Empty(t, c.OCR.Calls(), "a dry run submits nothing")

	var run output
	require.Equal(t, ExitOK, Run(args("--records-per-event", "2", "--qps", "100"), run.io(env, nil)), run.String())
	assert.Regexp(t, `queued\s+5\s+\(in 3 invocations`, run.stdout.String())
	settle(t, c)
	for _, k := range keys {
		obj, ok := c.OSS.Object(bucket, k+".json")
		require.True(t, ok, "no result for %s", k)
		assert.Contains(t, string(obj.Body), `"eventName": "ObjectCreated:Backfill"`)
	}
	billed := c.OCR.Billed()

	// Again, reading results first: everything is done.
	var again output
	require.Equal(t, ExitOK, Run(args("--records-per-event", "2"), again.io(env, nil)), again.String())
	assert.Regexp(t, `queued\s+0\s`, again.stdout.String())
	assert.Regexp(t, `skipped\s+11\s`, again.stdout.String(), "5 done images, their 5 results and the text file")

	// Again without reading results: the same task ids, which FC refuses
	// once each (a 409 is an answer, not a failure to retry).
	requests := len(c.FCAPI.Requests())
	var blind output
	require.Equal(t, ExitOK, Run(args("--records-per-event", "2", "--skip-done=false"), blind.io(env, nil)), blind.String())
	assert.Regexp(t, `already queued\s+5\s`, blind.stdout.String())
	assert.Equal(t, requests+3, len(c.FCAPI.Requests()), "one request per event")
	settle(t, c)
	assert.Equal(t, billed, c.OCR.Billed(), "nothing recognised twice")

	// A redo names the result to replace: the refused image is recognised again.
	calls := len(c.OCR.Calls())
	var redo output
	require.Equal(t, ExitOK, Run(args("--redo", "rejected"), redo.io(env, nil)), redo.String())
	assert.Regexp(t, `queued\s+1\s`, redo.stdout.String())
	settle(t, c)
	require.Len(t, c.OCR.Calls(), calls+1)
	assert.True(t, strings.HasSuffix(c.OCR.Calls()[calls].ImagePath, "reject-d.jpg"))
}

func TestBackfillOnFCSaysWhatIsMissing(t *testing.T) {
	s := startServers(t, nil)
	env := map[string]string{}
	for k, v := range s.env {
		env[k] = v
	}
	delete(env, "OSS_REGION")
	var o output
	assert.Equal(t, ExitUsage, Run([]string{"backfill", "--bucket", testBucket, "--on-fc", "fn"}, o.io(env, nil)))
	assert.Contains(t, o.stderr.String(), "--region")
	assert.Contains(t, o.stderr.String(), "--account-id")

	var wrongKey output
	env["OSS_REGION"], env["FC_ENDPOINT"] = "cn-hangzhou", "http://127.0.0.1:1"
	s.oss.PutObject(testBucket, "x/a.png", img(1), "image/png", nil)
	assert.Equal(t, ExitFailed, Run([]string{"backfill", "--bucket", testBucket, "--prefix", "x/", "--on-fc", "fn"}, wrongKey.io(env, nil)))
	assert.Contains(t, wrongKey.stdout.String(), "submitting to FC")
}

// fcFront stands between the command and the local FC API: answer may
// reply to the nth request itself (as FC does when it throttles or
// refuses), or return false to pass it on. It counts the requests it saw.
type fcFront struct {
	requests atomic.Int32
	URL      string
}

func newFCFront(t *testing.T, upstream string, answer func(n int, w http.ResponseWriter) bool) *fcFront {
	t.Helper()
	u, err := url.Parse(upstream)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u) // keeps the Host the client signed
	f := &fcFront{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !answer(int(f.requests.Add(1)), w) {
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// writeFCError answers as FC does, with the error body of its API reference.
func writeFCError(w http.ResponseWriter, status int, code string) {
	body, _ := json.Marshal(fcapi.ErrorBody{Code: code, Message: "injected by the test", RequestID: "front"})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FC's throttling and its own trouble are retried with backoff, and one
// event that still fails leaves the others to go on; a refusal only the
// operator can fix stops the submissions at once. What was not queued is
// left for a re-run.
func TestBackfillOnFCRetriesOnlyWhatFCMeansAsTemporary(t *testing.T) {
	c, env := fcCloud(t)
	bucket, prefix := c.Buckets[0], c.UploadPrefix()
	image, err := localcloud.Sample("front.jpg")
	require.NoError(t, err)

	for _, tc := range []struct {
		name         string
		answers      []int // statuses of the first requests; later ones reach FC
		code         string
		wantExit     int
		wantRequests int
		wantOut      []string
		wantResults  int
	}{
		{"throttled, then queued", []int{429, 503}, "TooManyRequests", ExitOK, 4,
			[]string{`queued\s+2\s`}, 2},
		{"FC's trouble outlasts the retries of one event", []int{503, 503, 503, 503, 503}, "ServiceUnavailable", ExitFailed, 6,
			[]string{`queued\s+1\s`, `a\.jpg: transient: submitting to FC: FC answered HTTP 503 ServiceUnavailable`}, 1},
		{"no permission stops at once", []int{403}, "AccessDenied", ExitFailed, 1,
			[]string{`queued\s+0\s`, `not submitted\s+1\s`, `a\.jpg: misconfigured: submitting to FC: FC answered HTTP 403 AccessDenied`, `stopped: .*(?s:.*)run the same command again`}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			front := newFCFront(t, c.FCEndpoint, func(n int, w http.ResponseWriter) bool {
				if n > len(tc.answers) {
					return false
				}
				writeFCError(w, tc.answers[n-1], tc.code)
				return true
			})
			dir := prefix + strings.ReplaceAll(tc.name, " ", "-") + "/"
			for _, name := range []string{"a.jpg", "b.jpg"} {
				c.OSS.PutObject(bucket, dir+name, image, "image/jpeg", nil)
			}
			caseEnv := maps.Clone(env)
			caseEnv["FC_ENDPOINT"] = front.URL

			var o output
			code := Run([]string{"backfill", "--bucket", bucket, "--prefix", dir, "--on-fc", c.Function.Name,
				"--records-per-event", "1", "--concurrency", "1"}, o.io(caseEnv, nil))
			assert.Equal(t, tc.wantExit, code, o.String())
			assert.Equal(t, tc.wantRequests, int(front.requests.Load()), "requests FC saw")
			for _, want := range tc.wantOut {
				assert.Regexp(t, want, o.stdout.String())
			}
			settle(t, c)
			results := 0
			for _, name := range []string{"a.jpg", "b.jpg"} {
				if _, ok := c.OSS.Object(bucket, dir+name+".json"); ok {
					results++
				}
			}
			assert.Equal(t, tc.wantResults, results, "results of the queued images only")
		})
	}
}

// Ctrl-C stops the submissions: the one in flight finishes, nothing more is
// submitted, and the same command run again submits the rest.
func TestBackfillOnFCInterrupted(t *testing.T) {
	c, env := fcCloud(t)
	bucket, prefix := c.Buckets[0], c.UploadPrefix()+"held/"
	image, err := localcloud.Sample("front.jpg")
	require.NoError(t, err)
	for i := range 6 {
		c.OSS.PutObject(bucket, prefix+pad(i)+".jpg", image, "image/jpeg", nil)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	front := newFCFront(t, c.FCEndpoint, func(n int, _ http.ResponseWriter) bool {
		if n == 1 {
			close(entered)
			<-release // hold the first submission until the interrupt has happened
		}
		return false
	})
	env["FC_ENDPOINT"] = front.URL
	args := []string{"backfill", "--bucket", bucket, "--prefix", prefix, "--on-fc", c.Function.Name, "--records-per-event", "1", "--concurrency", "1"}

	signals := make(chan os.Signal, 1)
	var o output
	done := make(chan int)
	go func() { done <- Run(args, o.io(env, signals)) }()
	within(t, entered, "no submission reached FC")
	signals <- syscall.SIGINT
	require.Eventually(t, func() bool { return strings.Contains(o.stderr.String(), "interrupted") }, 5*time.Second, 10*time.Millisecond)
	close(release)
	code := within(t, done, "backfill did not stop after the interrupt")
	assert.Equal(t, ExitInterrupted, code, o.String())
	assert.Regexp(t, `queued\s+1\s`, o.stdout.String(), "the submission in flight was finished")
	assert.Contains(t, o.stdout.String(), "interrupted: nothing more was submitted")
	assert.Equal(t, 1, int(front.requests.Load()), "nothing submitted after Ctrl-C")

	var resume output
	require.Equal(t, ExitOK, Run(args, resume.io(env, nil)), resume.String())
	settle(t, c)
	for i := range 6 {
		_, ok := c.OSS.Object(bucket, prefix+pad(i)+".jpg.json")
		assert.True(t, ok, "no result for image %d", i)
	}
	assert.Equal(t, 6, c.OCR.Billed(), "each image billed once over both runs")
}
