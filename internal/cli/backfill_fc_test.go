package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud"
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
