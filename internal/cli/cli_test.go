package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
	"github.com/vlicense/fc-vehicle-license/tools/syncbuf"
)

const (
	testBucket  = "vehicle-docs"
	testAppCode = "cli-test-appcode"
)

var testCreds = ossserver.Credentials{AccessKeyID: "LTAI-cli-test", AccessKeySecret: "cli-test-secret"}

// servers is a local OSS and recognition API for the commands that talk to
// configured endpoints (invoke, backfill).
type servers struct {
	oss *ossserver.Server
	ocr *ocrserver.Server
	env map[string]string
}

func startServers(t *testing.T, decide func(ocrserver.Request) ocrserver.Reply) *servers {
	t.Helper()
	o := ossserver.New(ossserver.Config{Region: "cn-hangzhou"})
	t.Cleanup(func() { _ = o.Close() })
	internal, err := o.Listen("internal", "127.0.0.1:0")
	require.NoError(t, err)
	public, err := o.Listen("public", "127.0.0.1:0")
	require.NoError(t, err)
	o.AllowCredentials(testCreds)
	o.CreateBucket(testBucket)
	r := ocrserver.New(ocrserver.Config{AppCode: testAppCode, Decide: decide})
	require.NoError(t, r.Start())
	t.Cleanup(func() { _ = r.Close() })
	return &servers{oss: o, ocr: r, env: map[string]string{
		"OCR_ENDPOINT":                    r.URL(),
		"OCR_APPCODE":                     testAppCode,
		"OSS_ENDPOINT":                    internal,
		"OSS_PUBLIC_ENDPOINT":             public,
		"OSS_REGION":                      "cn-hangzhou",
		"SOURCE_BUCKETS":                  testBucket,
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     testCreds.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": testCreds.AccessKeySecret,
	}}
}

// output is what a command printed, on each stream.
type output struct {
	stdout, stderr syncbuf.Buffer
}

func (o *output) io(env map[string]string, signals chan os.Signal) IO {
	return IO{
		Stdout:  &o.stdout,
		Stderr:  &o.stderr,
		Getenv:  func(k string) string { return env[k] },
		Signals: signals,
	}
}

func (o *output) String() string {
	return o.stdout.String() + o.stderr.String()
}

func img(seed int) []byte {
	m := image.NewRGBA(image.Rect(0, 0, 4, 4))
	m.Set(0, 0, color.RGBA{uint8(seed), uint8(seed >> 8), uint8(seed >> 16), 255})
	var b bytes.Buffer
	_ = png.Encode(&b, m)
	return b.Bytes()
}

func TestHelpAndUsageErrors(t *testing.T) {
	for _, name := range []string{"demo", "local", "invoke", "backfill", "report", "preflight"} {
		t.Run(name+" --help", func(t *testing.T) {
			var o output
			assert.Equal(t, ExitOK, Run([]string{name, "--help"}, o.io(nil, nil)))
			assert.Contains(t, o.String(), "Usage: vlicense "+name)
		})
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Commands:"},
		{"unknown command", []string{"deploy"}, `unknown command "deploy"`},
		{"unknown flag", []string{"invoke", "--evnt", "x"}, "flag provided but not defined"},
		{"invoke without event", []string{"invoke"}, "--event is required"},
		{"backfill without bucket", []string{"backfill"}, "--bucket is required"},
		{"stray argument", []string{"backfill", "--bucket", "b", "extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var o output
			assert.Equal(t, ExitUsage, Run(tc.args, o.io(nil, nil)))
			assert.Contains(t, o.String(), tc.want)
		})
	}
}

func TestInvokeRunsTheHandlerOnAnEventFile(t *testing.T) {
	s := startServers(t, nil)
	s.oss.PutObject(testBucket, "uploads/car-001.jpg", img(1), "image/png", nil)
	root, err := deployspec.RepoRoot()
	require.NoError(t, err)

	// Without SOURCE_BUCKETS (as in the README's example), the event's
	// bucket is the one served.
	env := map[string]string{}
	for k, v := range s.env {
		env[k] = v
	}
	delete(env, "SOURCE_BUCKETS")
	var o output
	code := Run([]string{"invoke", "--event", filepath.Join(root, "events", "put-object.json")}, o.io(env, nil))

	require.Equal(t, ExitOK, code, o.String())
	var summary handler.Summary
	require.NoError(t, json.Unmarshal(o.stdout.Bytes(), &summary), o.stdout.String())
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
	_, ok := s.oss.Object(testBucket, "uploads/car-001.jpg.json")
	assert.True(t, ok)
	assert.Contains(t, o.stderr.String(), `"msg":"result written"`, "JSON logs on stderr")
	assert.NotContains(t, o.String(), testCreds.AccessKeySecret)
	assert.NotContains(t, o.String(), testAppCode)
}

func TestInvokeReportsFailuresAndBadSetup(t *testing.T) {
	s := startServers(t, func(ocrserver.Request) ocrserver.Reply { return ocrserver.HTTPStatus(503) })
	s.oss.PutObject(testBucket, "uploads/car-001.jpg", img(1), "image/png", nil)
	root, err := deployspec.RepoRoot()
	require.NoError(t, err)
	event := filepath.Join(root, "events", "put-object.json")

	var o output
	assert.Equal(t, ExitFailed, Run([]string{"invoke", "--event", event}, o.io(s.env, nil)))
	assert.Contains(t, o.stderr.String(), "uploads/car-001.jpg: transient")

	noCreds := map[string]string{}
	for k, v := range s.env {
		noCreds[k] = v
	}
	delete(noCreds, "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	var o2 output
	assert.Equal(t, ExitUsage, Run([]string{"invoke", "--event", event}, o2.io(noCreds, nil)))
	assert.Contains(t, o2.String(), "ALIBABA_CLOUD_ACCESS_KEY_SECRET")

	var o3 output
	assert.Equal(t, ExitUsage, Run([]string{"invoke", "--event", event}, o3.io(map[string]string{"CONCURRENCY": "x"}, nil)))
	assert.Contains(t, o3.String(), "invalid configuration")

	var o4 output
	assert.Equal(t, ExitUsage, Run([]string{"invoke", "--event", "no-such-file.json"}, o4.io(s.env, nil)))
	assert.Contains(t, o4.String(), "no-such-file.json")
}

func TestBackfillServesOnlyTheConfiguredBuckets(t *testing.T) {
	s := startServers(t, nil)
	s.oss.CreateBucket("other-bucket")
	s.oss.PutObject("other-bucket", "a.png", img(1), "image/png", nil)

	var o output
	assert.Equal(t, ExitUsage, Run([]string{"backfill", "--bucket", "other-bucket"}, o.io(s.env, nil)))
	assert.Contains(t, o.String(), "not in SOURCE_BUCKETS")

	env := map[string]string{}
	for k, v := range s.env {
		env[k] = v
	}
	delete(env, "SOURCE_BUCKETS")
	var o2 output
	assert.Equal(t, ExitOK, Run([]string{"backfill", "--bucket", "other-bucket"}, o2.io(env, nil)), o2.String())
	_, ok := s.oss.Object("other-bucket", "a.png.json")
	assert.True(t, ok, "without SOURCE_BUCKETS, the bucket named on the command line is served")
}

func TestBackfillDryRunThenRunThenResume(t *testing.T) {
	s := startServers(t, nil)
	const images = 250 // several listing pages of 100
	for i := range images {
		s.oss.PutObject(testBucket, "old/"+pad(i)+".png", img(i), "image/png", nil)
	}
	s.oss.PutObject(testBucket, "old/readme.txt", []byte("x"), "text/plain", nil)
	s.oss.PutObject(testBucket, "new/elsewhere.png", img(99999), "image/png", nil)

	var dry output
	code := Run([]string{"backfill", "--bucket", testBucket, "--prefix", "old/", "--dry-run", "--concurrency", "8", "--page-size", "100"}, dry.io(s.env, nil))
	require.Equal(t, ExitOK, code, dry.String())
	assert.Contains(t, dry.stdout.String(), "dry run")
	assert.Regexp(t, `planned\s+250`, dry.stdout.String())
	assert.Regexp(t, `skipped\s+1\b`, dry.stdout.String(), "the text file")
	assert.Zero(t, s.ocr.Billed())
	assert.Contains(t, dry.stderr.String(), "progress: ", "plain progress lines when not on a terminal")

	var run output
	code = Run([]string{"backfill", "--bucket", testBucket, "--prefix", "old/", "--concurrency", "8", "--page-size", "100"}, run.io(s.env, nil))
	require.Equal(t, ExitOK, code, run.String())
	assert.Regexp(t, `succeeded\s+250`, run.stdout.String())
	assert.Equal(t, images, s.ocr.Billed())

	var again output
	code = Run([]string{"backfill", "--bucket", testBucket, "--prefix", "old/", "--page-size", "100"}, again.io(s.env, nil))
	require.Equal(t, ExitOK, code)
	assert.Regexp(t, `skipped\s+501`, again.stdout.String(), "everything already done: 250 images, their 250 results and the text file")
	assert.Equal(t, images, s.ocr.Billed(), "a re-run pays for nothing twice")
	_, ok := s.oss.Object(testBucket, "new/elsewhere.png.json")
	assert.False(t, ok, "outside the prefix")
}

func TestBackfillInterruptFinishesInFlightAndResumes(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	entered := make(chan struct{})
	s := startServers(t, func(r ocrserver.Request) ocrserver.Reply {
		if r.Name() == "0005.png" {
			once.Do(func() { close(entered) })
			<-release // hold this image in flight until the interrupt has happened
		}
		return ocrserver.Success()
	})
	for i := range 50 {
		s.oss.PutObject(testBucket, "old/"+pad(i)+".png", img(i), "image/png", nil)
	}
	signals := make(chan os.Signal, 1)
	var o output
	done := make(chan int)
	go func() {
		done <- Run([]string{"backfill", "--bucket", testBucket, "--prefix", "old/", "--concurrency", "2"}, o.io(s.env, signals))
	}()
	within(t, entered, "the held image never reached the API")
	signals <- syscall.SIGINT
	time.Sleep(50 * time.Millisecond) // let the dispatcher see the interrupt before the worker frees up
	close(release)
	code := within(t, done, "backfill did not stop after the interrupt")
	assert.Equal(t, ExitInterrupted, code, o.String())
	assert.Contains(t, o.stdout.String(), "interrupted")
	_, ok := s.oss.Object(testBucket, "old/0005.png.json")
	assert.True(t, ok, "the image in flight was finished and written")
	firstRun := s.ocr.Billed()
	assert.Less(t, firstRun, 50, "the interrupt stopped the backfill early")

	var resume output
	require.Equal(t, ExitOK, Run([]string{"backfill", "--bucket", testBucket, "--prefix", "old/"}, resume.io(s.env, nil)), resume.String())
	assert.Equal(t, 50, s.ocr.Billed(), "each image billed once over both runs")
	assert.Regexp(t, `skipped\s+`+itoa(2*firstRun), resume.stdout.String(), "the images done before the interrupt, and their results")
}

// within receives from ch, or fails the test with why after 20 seconds.
func within[T any](t *testing.T, ch <-chan T, why string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal(why)
		var zero T
		return zero
	}
}

func pad(i int) string {
	s := itoa(i)
	return strings.Repeat("0", 4-len(s)) + s
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

var built struct {
	once          sync.Once
	bin, function string
	err           error
}

// binary builds the CLI and the function once per test run, as make demo
// does: the demo and local commands run the function under the FC
// emulator. It returns the CLI and the arguments naming the function.
func binary(t *testing.T) (bin string, functionArgs []string, root string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	root, err := deployspec.RepoRoot()
	require.NoError(t, err)
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "cli-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.bin, built.function = filepath.Join(dir, "vlicense"), filepath.Join(dir, "function")
		for out, pkg := range map[string]string{built.bin: "./cmd/vlicense", built.function: "."} {
			cmd := exec.Command("go", "build", "-o", out, pkg)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				built.err = fmt.Errorf("%v: %s", err, out)
				return
			}
		}
	})
	require.NoError(t, built.err)
	return built.bin, []string{"--function", built.function}, root
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.bin != "" {
		_ = os.RemoveAll(filepath.Dir(built.bin))
	}
	os.Exit(code)
}

// The demo runs the real binary: it is what `make demo` runs.
func TestDemoShowsEveryBehaviour(t *testing.T) {
	bin, fn, root := binary(t)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"demo"}, fn...)...)
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	text := string(out)

	// The keys follow the triggers' prefix of s.yaml, whatever the user set.
	spec, err := deployspec.LoadFunction(filepath.Join(root, "s.yaml"), map[string]string{"OCR_ENDPOINT": "http://127.0.0.1:1/x"}, map[string]string{"AccountID": "1"})
	require.NoError(t, err)
	require.NotEmpty(t, spec.Triggers)
	prefix := spec.Triggers[0].Prefix
	for _, want := range []string{
		`result   ` + prefix + `vehicle-001-front.jpg.json`,
		`result   ` + prefix + `DCIM/IMG_0001.JPG.json`,
		`trigger upload-jpg-uppercase`,
		`"plateNo":`,
		`"cardSide": "BACK"`,
		`rejected (the vendor refused the image`,
		`"status": "failed"`,
		`(x-fc-retry-count 1) in`,
		`skipped (already recognised for this ETag)`,
		`matched no trigger of s.yaml`,
		`given up (onFailure)    0`,
	} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, `billed 4 \(only HTTP 200 is billed\)`, text)
}
