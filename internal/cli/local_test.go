package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	fc "github.com/alibabacloud-go/fc-20230330/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// freePorts returns N such that N to N+3 are free on 127.0.0.1 (as far as
// anyone can tell before using them).
func freePorts(t *testing.T) int {
	t.Helper()
	for range 100 {
		base := 20000 + rand.IntN(40000)
		var lns []net.Listener
		for i := range portsUsed {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				break
			}
			lns = append(lns, ln)
		}
		for _, ln := range lns {
			_ = ln.Close()
		}
		if len(lns) == portsUsed {
			return base
		}
	}
	t.Fatal("found no 4 consecutive free ports")
	return 0
}

// localProcess is a running `vlicense local`.
type localProcess struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line
	stderr *output
	seen   []string // the lines read so far
}

func startLocal(t *testing.T, args ...string) *localProcess {
	t.Helper()
	bin, fn, root := binary(t)
	cmd := exec.Command(bin, append(append([]string{"local"}, args...), fn...)...)
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	p := &localProcess{cmd: cmd, lines: make(chan string, 1000), stderr: &output{}}
	cmd.Stderr = &p.stderr.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	return p
}

// until reads lines until one matches, and returns it.
func (p *localProcess) until(t *testing.T, pattern string, timeout time.Duration) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-p.lines:
			require.True(t, ok, "local exited before printing %q: %s", pattern, p.stderr.String())
			p.seen = append(p.seen, l)
			if re.MatchString(l) {
				return l
			}
		case <-deadline:
			t.Fatalf("local did not print %q within %s; it printed:\n%s\n%s", pattern, timeout, strings.Join(p.seen, "\n"), p.stderr.String())
		}
	}
}

// exportBlock reads the export block: its variables, its comment line and
// the block's text as printed.
func (p *localProcess) exportBlock(t *testing.T) (vars map[string]string, comment, text string) {
	t.Helper()
	first := p.until(t, `^# Paste into another shell`, 60*time.Second)
	comment = p.until(t, `^# bucket `, 5*time.Second)
	block := []string{first, comment}
	vars = map[string]string{}
	for {
		l := p.until(t, `^export `, 5*time.Second)
		block = append(block, l)
		name, quoted, ok := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		require.True(t, ok, l)
		vars[name] = shellUnquote(t, quoted)
		if name == "FC_REGION" {
			return vars, comment, strings.Join(block, "\n")
		}
	}
}

// shellUnquote reads a value exportBlock single-quoted.
func shellUnquote(t *testing.T, s string) string {
	t.Helper()
	require.True(t, len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'', "not single-quoted: %s", s)
	return strings.ReplaceAll(s[1:len(s)-1], `'\''`, `'`)
}

// stop sends Ctrl-C and waits for a clean exit.
func (p *localProcess) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	go func() {
		for l := range p.lines {
			_ = l // drain, so that the process never blocks on its stdout
		}
	}()
	waited := make(chan error, 1)
	go func() { waited <- p.cmd.Wait() }()
	select {
	case err := <-waited:
		assert.NoError(t, err, "Ctrl-C is a clean stop: %s", p.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("local did not stop on Ctrl-C")
	}
}

// local keeps the local cloud running for a person's own uploads; its export
// block, pasted, points the CLI's commands and the SDKs at it; --port fixes
// the ports, --verbose shows the OSS requests; Ctrl-C stops all of it.
func TestLocalServesUploadsUntilInterrupted(t *testing.T) {
	port := freePorts(t)
	p := startLocal(t, "--port", strconv.Itoa(port), "--verbose", "--function-log", filepath.Join(t.TempDir(), "fn.log"))
	env, comment, block := p.exportBlock(t)

	at := func(offset int) string { return "http://127.0.0.1:" + strconv.Itoa(port+offset) }
	assert.Equal(t, at(0), env["OSS_ENDPOINT"], "the OSS endpoint on --port")
	assert.Equal(t, at(1), env["OSS_PUBLIC_ENDPOINT"], "its public endpoint on --port + 1")
	assert.True(t, strings.HasPrefix(env["OCR_ENDPOINT"], at(2)+"/"), "the recognition stand-in on --port + 2: %s", env["OCR_ENDPOINT"])
	assert.Equal(t, at(3), env["FC_ENDPOINT"], "the FC API on --port + 3")
	for _, name := range []string{"OSS_REGION", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "OCR_APPCODE", "FC_ACCOUNT_ID", "FC_REGION"} {
		assert.NotEmpty(t, env[name], name)
	}
	m := regexp.MustCompile(`^# bucket (\S+), upload prefix '([^']*)', function (\S+)$`).FindStringSubmatch(comment)
	require.NotNil(t, m, comment)
	bucket, prefix, function := m[1], m[2], m[3]
	if sh, err := exec.LookPath("sh"); err == nil {
		// The block is pasteable: a shell reads back exactly these values.
		out, err := exec.Command(sh, "-c", block+"\nenv").Output()
		require.NoError(t, err)
		for name, value := range env {
			assert.Contains(t, strings.Split(string(out), "\n"), name+"="+value)
		}
	}

	// An upload through the public endpoint, with the pasted AccessKey.
	client, err := oss.New(env["OSS_PUBLIC_ENDPOINT"], env["ALIBABA_CLOUD_ACCESS_KEY_ID"], env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
		oss.AuthVersion(oss.AuthV4), oss.Region(env["OSS_REGION"]))
	require.NoError(t, err)
	b, err := client.Bucket(bucket)
	require.NoError(t, err)
	key := prefix + "my-licence.jpg"
	require.NoError(t, b.PutObject(key, bytes.NewReader(img(7))))
	waitForObject(t, b, key+".json")
	p.until(t, `^oss     PUT `+regexp.QuoteMeta(bucket+"/"+key)+` PutObject 200 \(public\)$`, 10*time.Second)
	p.until(t, `^oss     PUT `+regexp.QuoteMeta(bucket+"/"+key+".json")+` PutObject 200 \(internal\)$`, 10*time.Second)

	// report, in this process, with the pasted environment.
	var report output
	code := Run([]string{"report", "--bucket", bucket, "--prefix", prefix, "--format", "jsonl"}, report.io(env, nil))
	require.Equal(t, ExitOK, code, report.String())
	var doc struct {
		Status string `json:"status"`
		Source struct {
			Key string `json:"key"`
		} `json:"source"`
	}
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(report.stdout.Bytes()), &doc), report.stdout.String())
	assert.Equal(t, key, doc.Source.Key)
	assert.Equal(t, "succeeded", doc.Status)

	// FC's API, with the official SDK and the pasted settings, as
	// backfill --on-fc calls it: the result, deleted, is written again.
	require.NoError(t, b.DeleteObject(key+".json"))
	meta, err := b.GetObjectDetailedMeta(key)
	require.NoError(t, err)
	event := ossserver.EventPayload(ossserver.ObjectCreated{
		EventName: "ObjectCreated:PutObject", Bucket: bucket, Key: key, Size: int64(len(img(7))), DeltaSize: int64(len(img(7))),
		ETag: strings.Trim(meta.Get("ETag"), `"`), Time: time.Now(), Region: env["FC_REGION"],
	}, env["FC_ACCOUNT_ID"])
	fcc, err := fc.NewClient(&openapi.Config{
		Endpoint: tea.String(strings.TrimPrefix(env["FC_ENDPOINT"], "http://")), Protocol: tea.String("http"), RegionId: tea.String(env["FC_REGION"]),
		AccessKeyId: tea.String(env["ALIBABA_CLOUD_ACCESS_KEY_ID"]), AccessKeySecret: tea.String(env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]),
	})
	require.NoError(t, err)
	invoke := func() (*fc.InvokeFunctionResponse, error) {
		return fcc.InvokeFunctionWithOptions(tea.String(function), &fc.InvokeFunctionRequest{Body: bytes.NewReader(event)},
			&fc.InvokeFunctionHeaders{XFcInvocationType: tea.String("Async"), XFcAsyncTaskId: tea.String("local-test-0001")}, &util.RuntimeOptions{})
	}
	res, err := invoke()
	require.NoError(t, err)
	assert.Equal(t, int32(202), tea.Int32Value(res.StatusCode))
	waitForObject(t, b, key+".json")
	p.until(t, `^api     InvokeFunction `+regexp.QuoteMeta(function)+` Async task local-test-0001 → 202 `, 10*time.Second)
	_, err = invoke()
	var sdkErr *tea.SDKError
	require.True(t, errors.As(err, &sdkErr), "%v", err)
	assert.Equal(t, 409, tea.IntValue(sdkErr.StatusCode), "the same task id again is already queued")

	p.stop(t)
	printed := strings.Join(p.seen, "\n")
	t.Logf("local printed:\n%s", printed)
	for _, leak := range []string{"Signature=", "x-oss-signature", "OSS4-HMAC-SHA256", "ACS3-HMAC-SHA256", "local-sts-token", "local-role-secret"} {
		assert.NotContains(t, printed, leak, "no signature or function secret is printed")
	}
	// The function it ran is gone too: nothing answers on its endpoints.
	_, err = b.IsObjectExist(key)
	assert.Error(t, err, "the local OSS stopped")
	_, err = invoke()
	assert.Error(t, err, "the FC API stopped")
}

func waitForObject(t *testing.T, b *oss.Bucket, key string) {
	t.Helper()
	for range 300 {
		found, err := b.IsObjectExist(key)
		require.NoError(t, err)
		if found {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", key)
}

// A taken port is named, and nothing is left listening on the others.
func TestLocalRefusesATakenPort(t *testing.T) {
	_, fn, root := binary(t)
	port := freePorts(t)
	busy, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+portFCAPI))
	require.NoError(t, err)
	defer busy.Close()

	var o output
	code := Run(append([]string{"local", "--port", strconv.Itoa(port), "--spec", filepath.Join(root, "s.yaml")}, fn...), o.io(nil, nil))
	assert.Equal(t, ExitFailed, code)
	assert.Contains(t, o.stderr.String(), fmt.Sprintf("127.0.0.1:%d", port+portFCAPI))
	assert.Contains(t, o.stderr.String(), fmt.Sprintf("port %d (the FC API) is taken", port+portFCAPI))
	for i := range portFCAPI {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+i))
		require.NoError(t, err, "port %d is free again", port+i)
		_ = ln.Close()
	}
}

func TestLocalPortMustLeaveRoomForFourPorts(t *testing.T) {
	for _, port := range []string{"-1", "65533", "70000"} {
		var o output
		assert.Equal(t, ExitUsage, Run([]string{"local", "--port", port}, o.io(nil, nil)), port)
		assert.Contains(t, o.stderr.String(), "--port must be from 1 to 65532")
	}
}
