package ossserver_test

import (
	"bytes"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PutObject's server-side encryption is kept and answered on HEAD, and
// combinations OSS refuses are refused.
func TestServerSideEncryption(t *testing.T) {
	cases := []struct {
		name                string
		opts                []oss.Option
		wantMethod, wantKey string
		wantError           string
	}{
		{name: "none"},
		{name: "AES256", opts: []oss.Option{oss.ServerSideEncryption("AES256")}, wantMethod: "AES256"},
		{name: "KMS with a key", opts: []oss.Option{oss.ServerSideEncryption("KMS"), oss.ServerSideEncryptionKeyID("key-hzz123")}, wantMethod: "KMS", wantKey: "key-hzz123"},
		{name: "KMS with the default key", opts: []oss.Option{oss.ServerSideEncryption("KMS")}, wantMethod: "KMS"},
		{name: "a key without KMS", opts: []oss.Option{oss.ServerSideEncryption("AES256"), oss.ServerSideEncryptionKeyID("key-hzz123")}, wantError: "InvalidArgument"},
		{name: "an unknown algorithm", opts: []oss.Option{oss.ServerSideEncryption("ROT13")}, wantError: "InvalidArgument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			b := bucket(t, f.internal, stsIdentity)
			err := b.PutObject("a.json", bytes.NewReader([]byte("{}")), tc.opts...)
			if tc.wantError != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantError)
				return
			}
			require.NoError(t, err)
			h, err := b.GetObjectDetailedMeta("a.json")
			require.NoError(t, err)
			assert.Equal(t, tc.wantMethod, h.Get("X-Oss-Server-Side-Encryption"))
			assert.Equal(t, tc.wantKey, h.Get("X-Oss-Server-Side-Encryption-Key-Id"))
			obj, ok := f.srv.Object(bucketName, "a.json")
			require.True(t, ok)
			assert.Equal(t, tc.wantMethod, obj.Encryption)
			assert.Equal(t, tc.wantKey, obj.KMSKeyID)
		})
	}
}
