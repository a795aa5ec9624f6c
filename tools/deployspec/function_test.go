package deployspec

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadFunctionReadsTheProjectSpec(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)

	f, err := LoadFunction(filepath.Join(root, "s.yaml"),
		map[string]string{"OCR_ENDPOINT": "http://127.0.0.1:1/vehicle-license", "OCR_APPCODE": "local"},
		map[string]string{"AccountID": "1234567890123456"})

	require.NoError(t, err)
	vars := loadSpec(t).Vars
	assert.Equal(t, vars["functionName"], f.Name)
	assert.Equal(t, 60*time.Second, f.Timeout)
	assert.Equal(t, 128, f.MemoryMB)
	assert.Equal(t, 3, f.MaxAsyncRetryAttempts)
	assert.True(t, f.AsyncTask)
	assert.Equal(t, "http://127.0.0.1:1/vehicle-license", f.Env["OCR_ENDPOINT"])
	assert.Equal(t, "local", f.Env["OCR_APPCODE"])
	assert.Equal(t, "", f.Env["OCR_APP_KEY"], "optional secrets default to empty")
	assert.Equal(t, "4", f.Env["CONCURRENCY"])
	require.NotEmpty(t, f.Triggers)
	assert.Equal(t, OSSTrigger{
		Name:   "upload-jpg",
		Bucket: vars["bucket"].(string),
		Events: []string{"oss:ObjectCreated:PutObject", "oss:ObjectCreated:PostObject", "oss:ObjectCreated:CompleteMultipartUpload"},
		Prefix: vars["triggerPrefix"].(string),
		Suffix: ".jpg",
	}, f.Triggers[0])
}

func TestOSSTriggerMatches(t *testing.T) {
	trig := OSSTrigger{Events: []string{"oss:ObjectCreated:PutObject", "oss:ObjectCreated:CompleteMultipartUpload"}, Prefix: "uploads/", Suffix: ".jpg"}
	cases := []struct {
		event, key string
		want       bool
	}{
		{"ObjectCreated:PutObject", "uploads/a.jpg", true},
		{"ObjectCreated:CompleteMultipartUpload", "uploads/行驶证 1.jpg", true},
		{"ObjectCreated:PostObject", "uploads/a.jpg", false},
		{"ObjectCreated:PutObject", "other/a.jpg", false},
		{"ObjectCreated:PutObject", "uploads/a.png", false},
		{"ObjectCreated:PutObject", "uploads/a.jpg.json", false},
		{"ObjectCreated:UploadPart", "uploads/a.jpg", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, trig.Matches(tc.event, tc.key), "%s %s", tc.event, tc.key)
	}
	wildcard := OSSTrigger{Events: []string{"oss:ObjectCreated:*"}}
	assert.True(t, wildcard.Matches("ObjectCreated:UploadPart", "a"), "a wildcard fires for every ObjectCreated event")
}
