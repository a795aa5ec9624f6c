package fcemulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator/internal/echoreply"
	"github.com/vlicense/fc-vehicle-license/tools/syncbuf"
)

// echofnPath is the test function (testdata/echofn), built once by TestMain.
var echofnPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fcemulator-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		echofnPath = filepath.Join(dir, "echofn")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		build := exec.Command(goTool, "build", "-o", echofnPath, "./testdata/echofn")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building testdata/echofn: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// Credentials the tests hand to the function; the secret and the token must
// never show up in any output.
var (
	testCreds = Credentials{
		AccessKeyID:     "STS.test-key-id",
		AccessKeySecret: "test-secret-9f8e7d",
		SecurityToken:   "test-token-CAIS1234",
	}
	otherCreds = Credentials{
		AccessKeyID:     "STS.other-key-id",
		AccessKeySecret: "other-secret-1a2b3c",
		SecurityToken:   "other-token-CAIS5678",
	}
)

// testConfig is a configuration for echofn with non-default metadata, so the
// tests see every value travel.
func testConfig(t *testing.T, out *syncbuf.Buffer) Config {
	t.Helper()
	return Config{
		BinaryPath:      echofnPath,
		Env:             []string{"ECHOFN_CUSTOM=custom-value"},
		FunctionName:    "echo-fn",
		MemoryMB:        256,
		Qualifier:       "prod",
		Region:          "cn-shanghai",
		AccountID:       "1122334455667788",
		Timeout:         20 * time.Second,
		Credentials:     testCreds,
		RetryBackoff:    10 * time.Millisecond,
		StopGracePeriod: 5 * time.Second,
		Stdout:          out,
		Stderr:          out,
		Logf:            t.Logf,
	}
}

// start starts an emulator closed at the end of the test, and checks then
// that the function's output never contained the credentials' secrets.
func start(t *testing.T, cfg Config) *Emulator {
	t.Helper()
	e, err := Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, e.Close())
		for _, w := range []any{cfg.Stdout, cfg.Stderr} {
			if b, ok := w.(*syncbuf.Buffer); ok {
				requireNoSecrets(t, b.String())
			}
		}
	})
	return e
}

func requireNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, c := range []Credentials{testCreds, otherCreds} {
		require.NotContains(t, s, c.AccessKeySecret)
		require.NotContains(t, s, c.SecurityToken)
	}
}

type reply = echoreply.Reply

func decodeReply(t *testing.T, res Result) reply {
	t.Helper()
	require.Nil(t, res.Error, "invocation failed: %v", res.Error)
	var r reply
	require.NoError(t, json.Unmarshal(res.Payload, &r), "payload: %s", res.Payload)
	return r
}

// digest is what echofn answers for c's secret and token.
func digest(c Credentials) string { return echoreply.Digest(c.AccessKeySecret, c.SecurityToken) }

// processGone reports whether pid no longer exists (it was reaped).
func processGone(pid int) bool {
	err := syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 15*time.Second, 5*time.Millisecond, "waiting for %s", what)
}

// attempts collects what OnResult and OnFailure receive.
type attempts struct {
	mu       sync.Mutex
	list     []Attempt
	failures []FailureRecord
}

func (a *attempts) onResult(at Attempt) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, at)
}

func (a *attempts) onFailure(f FailureRecord) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures = append(a.failures, f)
}

func (a *attempts) snapshot() ([]Attempt, []FailureRecord) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Attempt(nil), a.list...), append([]FailureRecord(nil), a.failures...)
}

func payload(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// requireGoroutinesBackTo polls (in this goroutine, so that the poll itself
// is not counted) until no more than n goroutines run, and dumps them all if
// that does not happen in time.
func requireGoroutinesBackTo(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines still running, want at most %d:\n%s", runtime.NumGoroutine(), n, buf)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}
