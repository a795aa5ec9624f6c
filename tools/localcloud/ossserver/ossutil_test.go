package ossserver_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// TestOssutil runs the real ossutil 1.7 binary named by $OSSUTIL against
// the server, as a user would from a shell, once with its default
// signature V1 and once with V4. ossutil is a Go program built outside
// this module (see the package documentation for the commands).
func TestOssutil(t *testing.T) {
	bin := os.Getenv("OSSUTIL")
	if bin == "" {
		t.Skip("set OSSUTIL to an ossutil 1.7 binary to run this test")
	}
	cases := []struct {
		name     string
		signArgs []string
		wantAuth ossserver.AuthKind
	}{
		{"default signature V1", nil, ossserver.AuthHeaderV1},
		{"signature V4", []string{"--sign-version", "v4", "--region", region}, ossserver.AuthHeaderV4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			run := ossutilRunner(t, bin, f.internal, tc.signArgs)
			dir := t.TempDir()
			small := writeRandomFile(t, filepath.Join(dir, "small.txt"), 1000)
			// 700 KB in parts of 100 KB: a multipart upload of 7 parts, and
			// a download in 7 ranged GETs.
			big := writeRandomFile(t, filepath.Join(dir, "big.bin"), 700*1024)
			parts := []string{"--bigfile-threshold", "204800", "--part-size", "102400", "--parallel", "3"}

			out := run("ls")
			assert.Contains(t, out, "oss://"+bucketName, "ListBuckets")

			run("cp", filepath.Join(dir, "small.txt"), "oss://"+bucketName+"/dir/small.txt")
			requireStored(t, f, "dir/small.txt", small)

			run(append([]string{"cp", filepath.Join(dir, "big.bin"), "oss://" + bucketName + "/dir/big file+1.bin"}, parts...)...)
			obj := requireStored(t, f, "dir/big file+1.bin", big)
			assert.Regexp(t, `^"[0-9A-F]{32}-7"$`, obj.ETag, "a multipart upload")

			down := filepath.Join(dir, "down.bin")
			run(append([]string{"cp", "oss://" + bucketName + "/dir/big file+1.bin", down}, parts...)...)
			got, err := os.ReadFile(down)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(big, got), "the ranged download reassembles the object")
			assert.GreaterOrEqual(t, countLogged(f.srv, "GetObject", 206), 7, "downloaded in ranges")

			run("cp", "oss://"+bucketName+"/dir/small.txt", "oss://"+bucketName+"/copied/small.txt")
			requireStored(t, f, "copied/small.txt", small)

			out = run("stat", "oss://"+bucketName+"/dir/small.txt")
			assert.Contains(t, out, "default", "the object ACL, from GetObjectAcl")
			assert.Contains(t, out, "1000", "Content-Length")

			out = run("ls", "-d", "oss://"+bucketName+"/dir/")
			assert.Contains(t, out, "oss://"+bucketName+"/dir/small.txt")
			assert.Contains(t, out, "oss://"+bucketName+"/dir/big file+1.bin")
			out = run("ls", "-d", "oss://"+bucketName+"/")
			assert.Contains(t, out, "oss://"+bucketName+"/dir/")
			assert.Contains(t, out, "oss://"+bucketName+"/copied/")
			assert.NotContains(t, out, "small.txt", "rolled up under their common prefixes")

			run("rm", "oss://"+bucketName+"/dir/small.txt")
			_, ok := f.srv.Object(bucketName, "dir/small.txt")
			assert.False(t, ok)
			run("rm", "-r", "-f", "oss://"+bucketName+"/copied/")
			assert.Equal(t, []string{"dir/big file+1.bin"}, f.srv.Keys(bucketName))

			for _, r := range f.srv.Requests() {
				t.Logf("%s %s %v %d %s", r.Method, r.Operation, r.Query, r.Status, r.Key)
				assert.Equal(t, tc.wantAuth, r.Auth, "%s %s", r.Method, r.Operation)
				if r.Operation == "GetObjectMeta" && r.ErrorCode == "NoSuchKey" {
					continue // ossutil cp looks for the target before writing it
				}
				assert.Empty(t, r.ErrorCode, "%s %s?%v", r.Method, r.Operation, r.Query)
			}
		})
	}
}

// ossutilRunner returns a function that runs ossutil with the endpoint,
// the permanent credentials and signArgs, in a scratch directory (where
// it keeps its checkpoints), fails the test on a non-zero exit and
// returns the output.
func ossutilRunner(t *testing.T, bin, endpoint string, signArgs []string) func(args ...string) string {
	t.Helper()
	work := t.TempDir()
	config := filepath.Join(work, "ossutilconfig")
	require.NoError(t, os.WriteFile(config, []byte("[Credentials]\nlanguage=EN\nendpoint="+endpoint+
		"\naccessKeyID="+permanentID+"\naccessKeySecret="+permanentSecret+"\n"), 0o600))
	return func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		full := append(append(args, "-e", endpoint, "-i", permanentID, "-k", permanentSecret,
			"--config-file", config), signArgs...)
		cmd := exec.CommandContext(ctx, bin, full...)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "ossutil %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
}

func writeRandomFile(t *testing.T, path string, size int) []byte {
	t.Helper()
	data := make([]byte, size)
	_, err := rand.Read(data)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return data
}

func requireStored(t *testing.T, f *fixture, key string, want []byte) ossserver.Object {
	t.Helper()
	obj, ok := f.srv.Object(bucketName, key)
	require.True(t, ok, "%s is stored", key)
	require.True(t, bytes.Equal(want, obj.Body), "%s holds the bytes sent", key)
	return obj
}

// countLogged counts the logged requests for the operation that got status.
func countLogged(srv *ossserver.Server, operation string, status int) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Operation == operation && r.Status == status {
			n++
		}
	}
	return n
}
