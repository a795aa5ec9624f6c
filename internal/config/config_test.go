package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func minimal() map[string]string {
	return map[string]string{
		"OCR_ENDPOINT":   "https://vehicle.market.alicloudapi.com/api/v1/vehicle-license",
		"OCR_APPCODE":    "appcode-secret-value",
		"FC_REGION":      "cn-hangzhou",
		"SOURCE_BUCKETS": "vehicle-docs",
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(minimal()))
	require.NoError(t, err)

	assert.Equal(t, "https://vehicle.market.alicloudapi.com/api/v1/vehicle-license", c.OCREndpoint)
	assert.Equal(t, "cn-hangzhou", c.OSSRegion)
	assert.Equal(t, "https://oss-cn-hangzhou-internal.aliyuncs.com", c.OSSEndpoint)
	assert.Equal(t, "https://oss-cn-hangzhou.aliyuncs.com", c.OSSPublicEndpoint)
	assert.Equal(t, "FRONT", c.CardSide)
	assert.Equal(t, ".json", c.ResultSuffix)
	assert.Equal(t, []string{".jpg", ".jpeg", ".png", ".bmp"}, c.ImageExtensions)
	assert.Equal(t, 5*time.Minute, c.SignedURLTTL)
	assert.Equal(t, 10*time.Second, c.OCRTimeout)
	assert.Equal(t, 3, c.OCRMaxAttempts)
	assert.Equal(t, 4, c.Concurrency)
	assert.Equal(t, []string{"vehicle-docs"}, c.SourceBuckets)
	assert.Equal(t, "", c.SourcePrefix)
	assert.Equal(t, 3, c.MaxAsyncRetryAttempts)
}

func TestLoadOverrides(t *testing.T) {
	m := minimal()
	m["OSS_REGION"] = "cn-shanghai"
	m["OSS_ENDPOINT"] = "127.0.0.1:9000"
	m["OSS_PUBLIC_ENDPOINT"] = "oss.example.com"
	m["OCR_ENDPOINT"] = "127.0.0.1:8080/vehicle-license"
	m["CARD_SIDE"] = " back "
	m["RESULT_SUFFIX"] = ".ocr.json"
	m["IMAGE_EXTENSIONS"] = "JPG, png ,.webp"
	m["SIGNED_URL_TTL"] = "90s"
	m["OCR_TIMEOUT"] = "3s"
	m["OCR_MAX_ATTEMPTS"] = "5"
	m["CONCURRENCY"] = "16"
	m["SOURCE_BUCKETS"] = " vehicle-docs , archive-2025 "
	m["SOURCE_PREFIX"] = "uploads/"
	m["MAX_ASYNC_RETRY_ATTEMPTS"] = "0"

	c, err := Load(env(m))
	require.NoError(t, err)

	assert.Equal(t, "cn-shanghai", c.OSSRegion, "OSS_REGION wins over FC_REGION")
	assert.Equal(t, "http://127.0.0.1:9000", c.OSSEndpoint, "an IP endpoint without scheme is a local server: plain HTTP")
	assert.Equal(t, "https://oss.example.com", c.OSSPublicEndpoint, "a host without scheme defaults to HTTPS")
	assert.Equal(t, "http://127.0.0.1:8080/vehicle-license", c.OCREndpoint)
	assert.Equal(t, "BACK", c.CardSide)
	assert.Equal(t, ".ocr.json", c.ResultSuffix)
	assert.Equal(t, []string{".jpg", ".png", ".webp"}, c.ImageExtensions)
	assert.Equal(t, 90*time.Second, c.SignedURLTTL)
	assert.Equal(t, 3*time.Second, c.OCRTimeout)
	assert.Equal(t, 5, c.OCRMaxAttempts)
	assert.Equal(t, 16, c.Concurrency)
	assert.Equal(t, []string{"vehicle-docs", "archive-2025"}, c.SourceBuckets)
	assert.Equal(t, "uploads/", c.SourcePrefix)
	assert.Equal(t, 0, c.MaxAsyncRetryAttempts)
}

func TestLoadRejects(t *testing.T) {
	cases := []struct {
		name    string
		set     map[string]string
		unset   []string
		wantVar string
		wantMsg string
	}{
		{name: "missing endpoint", unset: []string{"OCR_ENDPOINT"}, wantVar: "OCR_ENDPOINT", wantMsg: "is required"},
		{name: "plain http to a real host would leak the AppCode", set: map[string]string{"OCR_ENDPOINT": "http://vehicle.market.alicloudapi.com/x"}, wantVar: "OCR_ENDPOINT", wantMsg: "must use https"},
		{name: "plain http to a public IP address", set: map[string]string{"OCR_ENDPOINT": "http://203.0.113.7/vehicle"}, wantVar: "OCR_ENDPOINT", wantMsg: "must use https"},
		{name: "endpoint of another scheme", set: map[string]string{"OCR_ENDPOINT": "ftp://x.example.com/a"}, wantVar: "OCR_ENDPOINT", wantMsg: "http(s)"},
		{name: "missing AppCode", unset: []string{"OCR_APPCODE"}, wantVar: "OCR_APPCODE", wantMsg: "is required"},
		{name: "AppCode and key pair together", set: map[string]string{"OCR_APP_KEY": "203753385", "OCR_APP_SECRET": "app-secret"}, wantVar: "OCR_APPCODE", wantMsg: "choose one authentication"},
		{name: "AppCode and a lone AppKey", set: map[string]string{"OCR_APP_KEY": "203753385"}, wantVar: "OCR_APPCODE", wantMsg: "choose one authentication"},
		{name: "AppKey without its secret", set: map[string]string{"OCR_APP_KEY": "203753385"}, unset: []string{"OCR_APPCODE"}, wantVar: "OCR_APP_SECRET", wantMsg: "is required with OCR_APP_KEY"},
		{name: "AppSecret without its key", set: map[string]string{"OCR_APP_SECRET": "app-secret"}, unset: []string{"OCR_APPCODE"}, wantVar: "OCR_APP_KEY", wantMsg: "is required with OCR_APP_SECRET"},
		{name: "AppKey a header cannot carry", set: map[string]string{"OCR_APP_KEY": "2037 53385", "OCR_APP_SECRET": "app-secret"}, unset: []string{"OCR_APPCODE"}, wantVar: "OCR_APP_KEY", wantMsg: "printable ASCII"},
		{name: "plain http with signature auth", set: map[string]string{"OCR_APP_KEY": "203753385", "OCR_APP_SECRET": "app-secret", "OCR_ENDPOINT": "http://vehicle.market.alicloudapi.com/x"}, unset: []string{"OCR_APPCODE"}, wantVar: "OCR_ENDPOINT", wantMsg: "must use https (even with the AppKey/AppSecret signature"},
		{name: "no region anywhere", unset: []string{"FC_REGION"}, wantVar: "OSS_REGION", wantMsg: "is required"},
		{name: "region with spaces", set: map[string]string{"OSS_REGION": "cn hangzhou"}, wantVar: "OSS_REGION", wantMsg: "region id"},
		{name: "endpoint with a path", set: map[string]string{"OSS_ENDPOINT": "https://oss-cn-hangzhou.aliyuncs.com/bucket"}, wantVar: "OSS_ENDPOINT", wantMsg: "without a path"},
		{name: "card side", set: map[string]string{"CARD_SIDE": "SIDEWAYS"}, wantVar: "CARD_SIDE", wantMsg: "FRONT or BACK"},
		{name: "result suffix that is an image", set: map[string]string{"RESULT_SUFFIX": ".result.jpg"}, wantVar: "RESULT_SUFFIX", wantMsg: "trigger recognition of themselves"},
		{name: "result suffix with a slash", set: map[string]string{"RESULT_SUFFIX": "/out.json"}, wantVar: "RESULT_SUFFIX", wantMsg: "must not contain '/'"},
		{name: "empty extension list", set: map[string]string{"IMAGE_EXTENSIONS": " , "}, wantVar: "IMAGE_EXTENSIONS", wantMsg: "at least one"},
		{name: "extension with a path", set: map[string]string{"IMAGE_EXTENSIONS": ".jpg,a/b"}, wantVar: "IMAGE_EXTENSIONS", wantMsg: "not a file extension"},
		{name: "ttl not a duration", set: map[string]string{"SIGNED_URL_TTL": "5 minutes"}, wantVar: "SIGNED_URL_TTL", wantMsg: "Go duration"},
		{name: "ttl beyond what OSS signs", set: map[string]string{"SIGNED_URL_TTL": "200h"}, wantVar: "SIGNED_URL_TTL", wantMsg: "Go duration"},
		{name: "ttl shorter than the attempts", set: map[string]string{"SIGNED_URL_TTL": "20s"}, wantVar: "SIGNED_URL_TTL", wantMsg: "could expire"},
		{name: "zero timeout", set: map[string]string{"OCR_TIMEOUT": "0s"}, wantVar: "OCR_TIMEOUT", wantMsg: "Go duration"},
		{name: "attempts not a number", set: map[string]string{"OCR_MAX_ATTEMPTS": "three"}, wantVar: "OCR_MAX_ATTEMPTS", wantMsg: "whole number from 1 to 10"},
		{name: "zero concurrency", set: map[string]string{"CONCURRENCY": "0"}, wantVar: "CONCURRENCY", wantMsg: "whole number from 1 to 64"},
		{name: "no source bucket", unset: []string{"SOURCE_BUCKETS"}, wantVar: "SOURCE_BUCKETS", wantMsg: "is required"},
		{name: "source bucket that OSS would refuse", set: map[string]string{"SOURCE_BUCKETS": "Vehicle_Docs"}, wantVar: "SOURCE_BUCKETS", wantMsg: "not an OSS bucket name"},
		{name: "source prefix with a leading slash", set: map[string]string{"SOURCE_PREFIX": "/uploads/"}, wantVar: "SOURCE_PREFIX", wantMsg: "leading slash"},
		{name: "more async retries than FC allows", set: map[string]string{"MAX_ASYNC_RETRY_ATTEMPTS": "9"}, wantVar: "MAX_ASYNC_RETRY_ATTEMPTS", wantMsg: "from 0 to 8"},
		{name: "runaway concurrency", set: map[string]string{"CONCURRENCY": "1000"}, wantVar: "CONCURRENCY", wantMsg: "whole number from 1 to 64"},
		{name: "unknown result encryption", set: map[string]string{"RESULT_ENCRYPTION": "SM4"}, wantVar: "RESULT_ENCRYPTION", wantMsg: "AES256 or KMS"},
		{name: "KMS without its key", set: map[string]string{"RESULT_ENCRYPTION": "KMS"}, wantVar: "RESULT_KMS_KEY_ID", wantMsg: "is required with RESULT_ENCRYPTION=KMS"},
		{name: "a KMS key without KMS", set: map[string]string{"RESULT_KMS_KEY_ID": "key-hzz1"}, wantVar: "RESULT_KMS_KEY_ID", wantMsg: "only used with RESULT_ENCRYPTION=KMS"},
		{name: "a KMS key with AES256", set: map[string]string{"RESULT_ENCRYPTION": "AES256", "RESULT_KMS_KEY_ID": "key-hzz1"}, wantVar: "RESULT_KMS_KEY_ID", wantMsg: "only used with"},
		{name: "a KMS key id with a slash", set: map[string]string{"RESULT_ENCRYPTION": "KMS", "RESULT_KMS_KEY_ID": "acs:kms:x/key"}, wantVar: "RESULT_KMS_KEY_ID", wantMsg: "KMS key id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := minimal()
			for k, v := range tc.set {
				m[k] = v
			}
			for _, k := range tc.unset {
				delete(m, k)
			}
			_, err := Load(env(m))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantVar+" ")
			assert.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

func TestLoadResultEncryption(t *testing.T) {
	cases := []struct {
		set                 map[string]string
		wantMethod, wantKey string
	}{
		{set: nil},
		{set: map[string]string{"RESULT_ENCRYPTION": "aes256"}, wantMethod: "AES256"},
		{set: map[string]string{"RESULT_ENCRYPTION": "KMS", "RESULT_KMS_KEY_ID": "key-hzz65f3b1c4d"}, wantMethod: "KMS", wantKey: "key-hzz65f3b1c4d"},
	}
	for _, tc := range cases {
		m := minimal()
		for k, v := range tc.set {
			m[k] = v
		}
		c, err := Load(env(m))
		require.NoError(t, err)
		assert.Equal(t, tc.wantMethod, c.ResultEncryption)
		assert.Equal(t, tc.wantKey, c.ResultKMSKeyID)
	}
}

func TestLoadSignatureAuth(t *testing.T) {
	m := minimal()
	delete(m, "OCR_APPCODE")
	m["OCR_APP_KEY"] = " 203753385 "
	m["OCR_APP_SECRET"] = "app-secret-value"

	c, err := Load(env(m))
	require.NoError(t, err)
	assert.Equal(t, "203753385", c.OCRAppKey)
	assert.Equal(t, "app-secret-value", c.OCRAppSecret)
	assert.Empty(t, c.OCRAppCode)

	m["OCR_ENDPOINT"] = "127.0.0.1:8080/vehicle-license"
	c, err = Load(env(m))
	require.NoError(t, err, "plain HTTP to a local test server")
	assert.Equal(t, "http://127.0.0.1:8080/vehicle-license", c.OCREndpoint)
}

func TestLoadNamesEveryBadVariableAtOnce(t *testing.T) {
	_, err := Load(env(map[string]string{
		"CONCURRENCY":  "many",
		"CARD_SIDE":    "TOP",
		"OCR_TIMEOUT":  "soon",
		"OCR_APP_KEY":  "key-id",
		"OSS_ENDPOINT": "ftp://nowhere",
	}))
	require.Error(t, err)
	for _, name := range []string{"OCR_ENDPOINT", "OCR_APP_KEY", "OSS_REGION", "OSS_ENDPOINT", "CARD_SIDE", "OCR_TIMEOUT", "CONCURRENCY"} {
		assert.Contains(t, err.Error(), name)
	}
}

func TestLoadNeverEchoesSecrets(t *testing.T) {
	m := minimal()
	m["OCR_APPCODE"] = "my-appcode-9f8e7d"
	m["OCR_APP_SECRET"] = "my-app-secret-1a2b3c"
	m["OCR_ENDPOINT"] = "http://user:pass-4d5e6f@vehicle.example.com/x"
	_, err := Load(env(m))
	require.Error(t, err)
	for _, secret := range []string{"my-appcode-9f8e7d", "my-app-secret-1a2b3c", "pass-4d5e6f"} {
		assert.NotContains(t, err.Error(), secret)
	}
}

func TestParseCardSide(t *testing.T) {
	for in, want := range map[string]string{"front": "FRONT", "Back": "BACK", " BACK ": "BACK"} {
		got, ok := ParseCardSide(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "side", "FRONTBACK"} {
		_, ok := ParseCardSide(in)
		assert.False(t, ok, in)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("https://a.example.com/x", "code", "", "", "cn-hangzhou", "FRONT", ".json", ".jpg,.png", "5m", "10s", "3", "4", "vehicle-docs", "uploads/", "3")
	f.Add("127.0.0.1:1", "", "k", "s", "", "back", "", ",", "1h", "0s", "x", "-1", ",", "/", "9")
	f.Fuzz(func(t *testing.T, endpoint, appCode, appKey, appSecret, region, side, suffix, exts, ttl, timeout, attempts, concurrency, buckets, prefix, retries string) {
		env := map[string]string{
			"OCR_ENDPOINT": endpoint, "OCR_APPCODE": appCode, "OCR_APP_KEY": appKey, "OCR_APP_SECRET": appSecret,
			"OSS_REGION": region, "CARD_SIDE": side, "RESULT_SUFFIX": suffix, "IMAGE_EXTENSIONS": exts,
			"SIGNED_URL_TTL": ttl, "OCR_TIMEOUT": timeout, "OCR_MAX_ATTEMPTS": attempts, "CONCURRENCY": concurrency,
			"SOURCE_BUCKETS": buckets, "SOURCE_PREFIX": prefix, "MAX_ASYNC_RETRY_ATTEMPTS": retries,
		}
		c, err := Load(func(k string) string { return env[k] })
		if err != nil {
			others := strings.Join([]string{endpoint, appKey, region, side, suffix, exts, ttl, timeout, attempts, concurrency, buckets, prefix, retries}, "\x00")
			for _, secret := range []string{appCode, appSecret} {
				// A secret that also stands in another variable may be
				// quoted as that variable's value.
				if len(secret) >= 8 && strings.Contains(err.Error(), secret) && !strings.Contains(others, secret) {
					t.Fatalf("error echoes a secret: %v", err)
				}
			}
			return
		}
		// What Load accepts, the function can run with.
		if c.Concurrency < 1 || c.OCRMaxAttempts < 1 || c.OCRTimeout <= 0 || c.SignedURLTTL < c.OCRTimeout {
			t.Fatalf("accepted unusable limits: %+v", c)
		}
		if len(c.ImageExtensions) == 0 || len(c.SourceBuckets) == 0 || c.ResultSuffix == "" {
			t.Fatalf("accepted an empty filter: %+v", c)
		}
		for _, e := range c.ImageExtensions {
			if strings.HasSuffix(strings.ToLower(c.ResultSuffix), e) {
				t.Fatalf("result suffix %q would be recognised as an image", c.ResultSuffix)
			}
		}
		if c.CardSide != "FRONT" && c.CardSide != "BACK" {
			t.Fatalf("card side %q", c.CardSide)
		}
	})
}

// The AppCode travels in a header: plain HTTP is for hosts off the internet.
func TestLoadOCREndpointOverPlainHTTP(t *testing.T) {
	for endpoint, ok := range map[string]bool{
		"http://localhost:8080/x":        true,
		"http://127.0.0.1:8080/x":        true,
		"http://[::1]:8080/x":            true,
		"http://10.1.2.3/x":              true,
		"http://192.168.0.9/x":           true,
		"http://172.16.0.1/x":            true,
		"http://[fd00::1]/x":             true,
		"http://203.0.113.7/x":           false,
		"http://8.8.8.8/x":               false,
		"http://vehicle.example.com/x":   false,
		"https://203.0.113.7/x":          true,
		"https://vehicle.example.com/x/": true,
	} {
		m := minimal()
		m["OCR_ENDPOINT"] = endpoint
		_, err := Load(env(m))
		assert.Equal(t, ok, err == nil, "%s: %v", endpoint, err)
	}
}
