package localcloud

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every line the function printed, in every kind of scenario, is free of
// the secrets it handles: the AppCode, the role's AccessKey secret and STS
// token, and the signature and token of every URL it signed.
func TestNoSecretInAnyLogLine(t *testing.T) {
	c, rec, logs := startCloud(t, Config{Decide: Rules(1000)}) // "flaky" fails every attempt, to the last one
	b, err := c.Bucket(c.Buckets[0])
	require.NoError(t, err)
	for key, sample := range map[string]string{
		c.UploadPrefix() + "ok.jpg":         "front.jpg",
		c.UploadPrefix() + "reject-one.jpg": "blurry.jpg",
		c.UploadPrefix() + "flaky-one.jpg":  "back.jpg",
	} {
		require.NoError(t, b.PutObject(key, bytes.NewReader(mustSample(t, sample))))
	}
	settle(t, c)
	require.NotEmpty(t, rec.Attempts())

	secrets := []string{AppCode, functionCredentials.AccessKeySecret, functionCredentials.SecurityToken}
	for _, call := range c.OCR.Calls() {
		u, err := url.Parse(call.ImgURL)
		require.NoError(t, err)
		secrets = append(secrets, u.Query().Get("x-oss-signature"))
	}
	var everything bytes.Buffer
	everything.WriteString(logs.String())
	for _, a := range rec.Attempts() {
		everything.Write(a.Payload)
	}
	for _, k := range c.OSS.Keys("vehicle-docs") {
		obj, _ := c.OSS.Object(c.Buckets[0], k)
		if bytes.HasSuffix([]byte(k), []byte(".json")) {
			everything.Write(obj.Body)
		}
	}
	require.Contains(t, everything.String(), `"msg":"recognising"`, "the logs were captured")
	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.NotContains(t, everything.String(), s)
	}
	assert.Contains(t, everything.String(), "x-oss-signature=REDACTED", "signed URLs are logged redacted")
}

func mustSample(t *testing.T, name string) []byte {
	b, err := Sample(name)
	require.NoError(t, err)
	return b
}
