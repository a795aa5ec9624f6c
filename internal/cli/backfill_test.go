package cli

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
)

func TestBackfillRefusesWhatCannotWork(t *testing.T) {
	s := startServers(t, nil)
	env := map[string]string{"SOURCE_PREFIX": "uploads/"}
	for k, v := range s.env {
		env[k] = v
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--concurrency", "0"}, "--concurrency must be from 1 to 64"},
		{[]string{"--concurrency", "65"}, "--concurrency must be from 1 to 64"},
		{[]string{"--redo", "everything"}, "--redo must be one of failed, rejected, needs_review, all"},
		{[]string{"--qps", "-1"}, "--qps must be 0"},
		{[]string{"--records-per-event", "5"}, "--records-per-event only applies with --on-fc"},
		{[]string{"--prefix", "elsewhere/"}, `--prefix "elsewhere/" is outside SOURCE_PREFIX "uploads/"`},
		{[]string{"--on-fc", "fn", "--records-per-event", "101"}, "--records-per-event must be from 1 to 100"},
		{[]string{"--on-fc", "fn", "--redo", "all", "--skip-done=false"}, "--redo reads each image's result"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var o output
			assert.Equal(t, ExitUsage, Run(append([]string{"backfill", "--bucket", testBucket}, tc.args...), o.io(env, nil)))
			assert.Contains(t, o.stderr.String(), tc.want)
		})
	}
}

// --redo re-recognises final results of one kind on purpose; its dry run
// says how many calls that bills.
func TestBackfillRedo(t *testing.T) {
	s := reportBucket(t) // clean, garbled (needs_review) and refused results under r/
	calls := len(s.ocr.Calls())

	var dry output
	require.Equal(t, ExitOK, Run([]string{"backfill", "--bucket", testBucket, "--prefix", "r/", "--redo", "needs_review", "--dry-run"}, dry.io(s.env, nil)), dry.String())
	assert.Regexp(t, `planned\s+3\s`, dry.stdout.String(), "the garbled result, and the two images without one")
	assert.Equal(t, calls, len(s.ocr.Calls()), "a dry run calls nothing")

	var run output
	require.Equal(t, ExitOK, Run([]string{"backfill", "--bucket", testBucket, "--prefix", "r/", "--redo", "rejected"}, run.io(s.env, nil)), run.String())
	var recognised []string
	for _, c := range s.ocr.Calls()[calls:] {
		recognised = append(recognised, strings.TrimPrefix(c.ImagePath, "/"+testBucket+"/"))
	}
	sort.Strings(recognised)
	assert.Equal(t, []string{"r/a.jpg-1.JPG", "r/c refused.jpg", "r/z.jpg"}, recognised, "the refused image again, and those without a result")
}

// --qps spaces the recognition calls out: 8 calls at 20 per second take at
// least 7 × 50 ms, where without a limit they arrive together. (The bound is
// one-sided, so a slow machine cannot make it fail.)
func TestBackfillKeepsToTheQPS(t *testing.T) {
	s := startServers(t, nil)
	for i := range 8 {
		s.oss.PutObject(testBucket, "q/"+pad(i)+".png", img(i), "image/png", nil)
	}
	var o output
	require.Equal(t, ExitOK, Run([]string{"backfill", "--bucket", testBucket, "--prefix", "q/", "--qps", "20", "--concurrency", "8"}, o.io(s.env, nil)), o.String())
	calls := s.ocr.Calls()
	require.Len(t, calls, 8)
	sort.Slice(calls, func(i, j int) bool { return calls[i].At.Before(calls[j].At) })
	// Less 100 ms for the first call's trip to the stand-in after release.
	assert.GreaterOrEqual(t, calls[len(calls)-1].At.Sub(calls[0].At), 7*50*time.Millisecond-100*time.Millisecond)
}

// The CLI runs with the operator's own AccessKey and nobody retries for
// it: its messages say what the operator can do, never what FC or the
// function's role would.
func TestInvokeSpeaksToTheOperator(t *testing.T) {
	root, err := deployspec.RepoRoot()
	require.NoError(t, err)
	event := filepath.Join(root, "events", "put-object.json")
	with := func(env map[string]string, k, v string) map[string]string {
		out := map[string]string{}
		for kk, vv := range env {
			out[kk] = vv
		}
		out[k] = v
		return out
	}

	t.Run("the vendor fails", func(t *testing.T) {
		s := startServers(t, func(ocrserver.Request) ocrserver.Reply { return ocrserver.HTTPStatus(503) })
		s.oss.PutObject(testBucket, "uploads/car-001.jpg", img(1), "image/png", nil)
		var o output
		assert.Equal(t, ExitFailed, Run([]string{"invoke", "--event", event}, o.io(s.env, nil)))
		assert.Contains(t, o.stderr.String(), "run invoke again to retry")
		assert.NotContains(t, o.stderr.String(), "FC will retry")
	})
	t.Run("a key that does not exist", func(t *testing.T) {
		s := startServers(t, nil)
		var o output
		assert.Equal(t, ExitFailed, Run([]string{"invoke", "--event", event}, o.io(s.env, nil)))
		assert.Contains(t, o.stderr.String(), "vehicle-docs/uploads/car-001.jpg does not exist")
	})
	t.Run("a wrong AccessKey", func(t *testing.T) {
		s := startServers(t, nil)
		s.oss.PutObject(testBucket, "uploads/car-001.jpg", img(1), "image/png", nil)
		var o output
		assert.Equal(t, ExitFailed, Run([]string{"invoke", "--event", event}, o.io(with(s.env, "ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-not-a-key"), nil)))
		assert.Contains(t, o.stderr.String(), "ALIBABA_CLOUD_ACCESS_KEY_ID")
		assert.NotContains(t, o.String(), "function's role")
	})
	t.Run("an OSS endpoint that does not resolve", func(t *testing.T) {
		if _, err := net.LookupHost("oss-cn-nowhere.invalid"); !isNotFound(err) {
			t.Skipf("this machine's resolver does not answer NXDOMAIN: %v", err)
		}
		s := startServers(t, nil)
		var o output
		assert.Equal(t, ExitFailed, Run([]string{"invoke", "--event", event}, o.io(with(s.env, "OSS_ENDPOINT", "http://oss-cn-nowhere.invalid"), nil)))
		assert.Contains(t, o.stderr.String(), "misconfigured")
		assert.Contains(t, o.stderr.String(), "check OSS_ENDPOINT")
	})
}

func isNotFound(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// Help goes to stdout, whichever way it is asked for; mistakes to stderr.
func TestHelpIsOnStdout(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"help", "backfill"}, {"backfill", "--help"}, {"help", "report"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var o output
			assert.Equal(t, ExitOK, Run(args, o.io(nil, nil)))
			assert.Contains(t, o.stdout.String(), "Usage: vlicense")
			assert.Empty(t, o.stderr.String())
		})
	}
	var o output
	assert.Equal(t, ExitOK, Run([]string{"help", "backfill"}, o.io(nil, nil)))
	assert.Contains(t, o.stdout.String(), "--on-fc", "help CMD is CMD's own help")

	var bad output
	assert.Equal(t, ExitUsage, Run([]string{"backfill", "--bucket"}, bad.io(nil, nil)))
	assert.Contains(t, bad.stderr.String(), "run vlicense help backfill")
	assert.Empty(t, bad.stdout.String())
}

// The first Ctrl-C says at once what the command waits for; the second
// exits at once, even while an image is still in flight.
func TestSecondCtrlCQuitsAtOnce(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	entered := make(chan struct{}, 1)
	s := startServers(t, func(r ocrserver.Request) ocrserver.Reply {
		entered <- struct{}{}
		<-release // in flight until the test ends
		return ocrserver.Success()
	})
	s.oss.PutObject(testBucket, "held/a.png", img(1), "image/png", nil)
	signals := make(chan os.Signal, 2)
	exited := make(chan int, 1)
	var o output
	std := o.io(s.env, signals)
	std.Exit = func(code int) { exited <- code }
	go Run([]string{"backfill", "--bucket", testBucket, "--prefix", "held/"}, std)

	<-entered
	signals <- syscall.SIGINT
	require.Eventually(t, func() bool { return strings.Contains(o.stderr.String(), "waiting for what is in flight") }, 5*time.Second, 10*time.Millisecond,
		"the first Ctrl-C is answered at once")
	signals <- syscall.SIGINT
	select {
	case code := <-exited:
		assert.Equal(t, ExitInterrupted, code)
	case <-time.After(5 * time.Second):
		t.Fatal("the second Ctrl-C did not quit")
	}
}
