// Package config reads the function's settings from environment variables
// once, at instance start, and refuses to start with any of them wrong.
//
// The variable names are a contract shared with s.yaml, the README and the
// local tools (docs/configuration.md); change them everywhere or nowhere.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of one function instance.
type Config struct {
	// OCREndpoint is the full URL of the recognition API.
	OCREndpoint string
	// OCRAppCode authenticates to the Marketplace API gateway ("APPCODE ...").
	OCRAppCode string
	// OCRAppKey and OCRAppSecret authenticate with the gateway's signature
	// instead: the secret signs each call and never leaves the function.
	// Exactly one method is configured: the AppCode or this pair.
	OCRAppKey, OCRAppSecret string

	// OSSEndpoint serves HEAD/GET/PUT from inside Alibaba Cloud (the
	// -internal endpoint by default: free traffic, lower latency).
	OSSEndpoint string
	// OSSPublicEndpoint is the endpoint of the URLs handed to the vendor,
	// who fetches them from the internet.
	OSSPublicEndpoint string
	// OSSRegion is the region used in V4 signatures.
	OSSRegion string

	// CardSide is FRONT or BACK, the side assumed when an image says nothing.
	CardSide string
	// ResultSuffix is appended to the image key to name its result document.
	ResultSuffix string
	// ImageExtensions are lower-case, each with its leading dot.
	ImageExtensions []string
	// SignedURLTTL is how long a URL handed to the vendor stays valid.
	SignedURLTTL time.Duration
	// OCRTimeout bounds one attempt at the recognition API.
	OCRTimeout time.Duration
	// OCRMaxAttempts bounds the attempts for transient failures.
	OCRMaxAttempts int
	// Concurrency bounds the records of one event processed at once.
	Concurrency int

	// SourceBuckets are the only buckets whose objects the function reads;
	// an event naming another is refused before anything is signed.
	SourceBuckets []string
	// SourcePrefix, when set, is the only key prefix served.
	SourcePrefix string
	// ResultEncryption is how OSS encrypts the result documents: "" (the
	// bucket's default), AES256 (keys OSS manages) or KMS with
	// ResultKMSKeyID. Results hold personal data.
	ResultEncryption string
	ResultKMSKeyID   string

	// MaxAsyncRetryAttempts mirrors s.yaml's asyncInvokeConfig: the
	// invocation whose x-fc-retry-count reaches it is FC's last, and writes
	// a failed result for records that would otherwise vanish.
	MaxAsyncRetryAttempts int
}

// Limits that keep a typo from turning into a runaway bill or a stuck
// instance; they are wide enough for any sane deployment.
const (
	MaxConcurrency = 64
	maxAttempts    = 10
	maxOCRTimeout  = 5 * time.Minute
	// OSS refuses V4 signed URLs valid for more than seven days.
	maxSignedURLTTL = 7 * 24 * time.Hour
)

// Load reads every variable through getenv (os.Getenv in production) and
// returns one error naming every variable that is wrong. An empty value
// counts as unset, because Serverless Devs renders a missing ${env(...)} as
// an empty string. Secret values are never echoed in the error.
func Load(getenv func(string) string) (Config, error) {
	return load(getenv, nil)
}

// LoadServing is Load for the operator's commands, which run the
// function's handler with the operator's own credentials: when
// SOURCE_BUCKETS is unset, the buckets served are the ones the command
// names (an event's, backfill's --bucket) instead of none.
func LoadServing(getenv func(string) string, buckets []string) (Config, error) {
	return load(getenv, buckets)
}

func load(getenv func(string) string, servedByDefault []string) (Config, error) {
	r := reader{getenv: getenv}
	var c Config

	c.OCRAppCode = r.str("OCR_APPCODE", "")
	c.OCRAppKey, c.OCRAppSecret = r.str("OCR_APP_KEY", ""), r.str("OCR_APP_SECRET", "")
	r.ocrAuth(c.OCRAppCode, c.OCRAppKey, c.OCRAppSecret)
	c.OCREndpoint = r.ocrEndpoint(c.OCRAppKey != "" || c.OCRAppSecret != "")

	r.storage(&c)
	c.CardSide = r.cardSide()
	c.OCRTimeout = r.duration("OCR_TIMEOUT", "10s", time.Second, maxOCRTimeout)
	c.OCRMaxAttempts = r.integer("OCR_MAX_ATTEMPTS", 3, 1, maxAttempts)
	c.Concurrency = r.integer("CONCURRENCY", 4, 1, MaxConcurrency)
	c.SignedURLTTL = r.duration("SIGNED_URL_TTL", "5m", 10*time.Second, maxSignedURLTTL)
	c.SourceBuckets = r.buckets(servedByDefault)
	c.SourcePrefix = r.str("SOURCE_PREFIX", "")
	if strings.HasPrefix(c.SourcePrefix, "/") {
		r.fail("SOURCE_PREFIX", fmt.Sprintf("%q must not start with '/': OSS keys have no leading slash", c.SourcePrefix))
	}
	// FC accepts 0 to 8 retries of an asynchronous invocation.
	c.MaxAsyncRetryAttempts = r.integer("MAX_ASYNC_RETRY_ATTEMPTS", 3, 0, 8)
	c.ResultEncryption, c.ResultKMSKeyID = r.resultEncryption()

	// The URL is signed once per image and used by every attempt, so it has
	// to outlive all of them or the vendor's later fetches are refused.
	if need := c.OCRTimeout * time.Duration(c.OCRMaxAttempts); c.SignedURLTTL > 0 && c.OCRTimeout > 0 && c.OCRMaxAttempts > 0 && c.SignedURLTTL < need {
		r.fail("SIGNED_URL_TTL", fmt.Sprintf("%s is shorter than OCR_TIMEOUT × OCR_MAX_ATTEMPTS (%s): the URL could expire before the vendor's last attempt fetches it", c.SignedURLTTL, need))
	}

	return c, r.err()
}

// LoadStorage reads only what reading the results needs: where OSS is
// (OSS_REGION or FC_REGION, OSS_ENDPOINT, OSS_PUBLIC_ENDPOINT) and how
// images and results are named (IMAGE_EXTENSIONS, RESULT_SUFFIX). The
// operator's report needs nothing of the recognition API.
func LoadStorage(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	var c Config
	r.storage(&c)
	return c, r.err()
}

// storage reads the OSS settings and the naming of images and results.
func (r *reader) storage(c *Config) {
	c.OSSRegion = r.str("OSS_REGION", r.getenv("FC_REGION"))
	if c.OSSRegion == "" {
		r.fail("OSS_REGION", "is required when FC_REGION is not set (for example cn-hangzhou)")
	} else if !validRegion(c.OSSRegion) {
		r.fail("OSS_REGION", fmt.Sprintf("%q is not a region id such as cn-hangzhou", c.OSSRegion))
	}
	c.OSSEndpoint = r.endpoint("OSS_ENDPOINT", "oss-"+c.OSSRegion+"-internal.aliyuncs.com")
	c.OSSPublicEndpoint = r.endpoint("OSS_PUBLIC_ENDPOINT", "oss-"+c.OSSRegion+".aliyuncs.com")
	c.ImageExtensions = r.extensions()
	c.ResultSuffix = r.resultSuffix(c.ImageExtensions)
}

// reader collects one problem per variable so the operator fixes them all
// in one deployment instead of one per cold start.
type reader struct {
	getenv   func(string) string
	problems map[string]string
}

func (r *reader) fail(name, problem string) {
	if r.problems == nil {
		r.problems = map[string]string{}
	}
	if _, seen := r.problems[name]; !seen {
		r.problems[name] = problem
	}
}

func (r *reader) err() error {
	if len(r.problems) == 0 {
		return nil
	}
	names := make([]string, 0, len(r.problems))
	for n := range r.problems {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + r.problems[n]
	}
	return errors.New("invalid configuration: " + strings.Join(parts, "; "))
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

func (r *reader) integer(name string, def, lo, hi int) int {
	raw := r.str(name, "")
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a whole number from %d to %d, got %q", lo, hi, raw))
		return 0
	}
	return n
}

func (r *reader) duration(name, def string, lo, hi time.Duration) time.Duration {
	raw := r.str(name, def)
	d, err := time.ParseDuration(raw)
	if err != nil || d < lo || d > hi {
		r.fail(name, fmt.Sprintf("must be a Go duration from %s to %s (such as %s), got %q", lo, hi, def, raw))
		return 0
	}
	return d
}

// buckets reads SOURCE_BUCKETS. It is required: without it a forged event
// could make the function sign a URL for any object its role can read.
func (r *reader) buckets(byDefault []string) []string {
	raw := r.str("SOURCE_BUCKETS", strings.Join(byDefault, ","))
	if raw == "" {
		r.fail("SOURCE_BUCKETS", "is required: the comma-separated buckets whose uploads this function recognises (s.yaml sets it from vars.bucket)")
		return nil
	}
	var out []string
	for _, b := range strings.Split(raw, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if !ValidBucketName(b) {
			r.fail("SOURCE_BUCKETS", fmt.Sprintf("%q is not an OSS bucket name (3 to 63 lower-case letters, digits and hyphens)", b))
			return nil
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		r.fail("SOURCE_BUCKETS", "must name at least one bucket")
	}
	return out
}

// ValidBucketName applies OSS's naming rule: 3 to 63 lower-case letters,
// digits and hyphens, not starting or ending with a hyphen.
func ValidBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (r *reader) cardSide() string {
	raw := r.str("CARD_SIDE", "FRONT")
	side, ok := ParseCardSide(raw)
	if !ok {
		r.fail("CARD_SIDE", fmt.Sprintf("must be FRONT or BACK, got %q", raw))
	}
	return side
}

// HasImageExtension reports whether key ends with one of exts (lower-case,
// as Config.ImageExtensions holds them), whatever the key's case: cameras
// write .JPG.
func HasImageExtension(key string, exts []string) bool {
	lower := strings.ToLower(key)
	for _, ext := range exts {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// ParseCardSide accepts FRONT or BACK in any case, as both CARD_SIDE and an
// image's x-oss-meta-card-side do.
func ParseCardSide(s string) (string, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "FRONT":
		return "FRONT", true
	case "BACK":
		return "BACK", true
	}
	return "", false
}

func (r *reader) extensions() []string {
	raw := r.str("IMAGE_EXTENSIONS", ".jpg,.jpeg,.png,.bmp")
	var exts []string
	for _, e := range strings.Split(raw, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if !strings.HasPrefix(e, ".") {
			e = "." + e
		}
		if len(e) < 2 || strings.ContainsAny(e[1:], "./\\ ") {
			r.fail("IMAGE_EXTENSIONS", fmt.Sprintf("%q is not a file extension such as .jpg", e))
			return nil
		}
		exts = append(exts, e)
	}
	if len(exts) == 0 {
		r.fail("IMAGE_EXTENSIONS", "must list at least one extension, such as .jpg,.png")
	}
	return exts
}

func (r *reader) resultSuffix(exts []string) string {
	s := r.str("RESULT_SUFFIX", ".json")
	lower := strings.ToLower(s)
	for _, e := range exts {
		// A result named like an image would be recognised in turn: an
		// endless, billed loop.
		if strings.HasSuffix(lower, e) {
			r.fail("RESULT_SUFFIX", fmt.Sprintf("%q ends with the image extension %s: results would trigger recognition of themselves", s, e))
		}
	}
	if strings.Contains(s, "/") {
		r.fail("RESULT_SUFFIX", fmt.Sprintf("%q must not contain '/': the result belongs next to its image", s))
	}
	return s
}

// Server-side encryption methods of OSS (x-oss-server-side-encryption).
const (
	EncryptionAES256 = "AES256"
	EncryptionKMS    = "KMS"
)

// resultEncryption reads RESULT_ENCRYPTION and RESULT_KMS_KEY_ID. A KMS key
// is required with KMS, so that the role can be granted that key alone.
func (r *reader) resultEncryption() (method, keyID string) {
	raw := r.str("RESULT_ENCRYPTION", "")
	keyID = r.str("RESULT_KMS_KEY_ID", "")
	switch method = strings.ToUpper(raw); method {
	case "":
	case EncryptionAES256, EncryptionKMS:
	default:
		r.fail("RESULT_ENCRYPTION", fmt.Sprintf("must be empty (the bucket's default encryption), AES256 or KMS, got %q", raw))
		return "", ""
	}
	switch {
	case method == EncryptionKMS && keyID == "":
		r.fail("RESULT_KMS_KEY_ID", "is required with RESULT_ENCRYPTION=KMS: the id of the KMS key that encrypts the results (the role is granted that key only)")
	case method != EncryptionKMS && keyID != "":
		r.fail("RESULT_KMS_KEY_ID", "is only used with RESULT_ENCRYPTION=KMS: set RESULT_ENCRYPTION=KMS or leave it empty")
	case strings.ContainsAny(keyID, " \t\r\n/"):
		r.fail("RESULT_KMS_KEY_ID", "must be a KMS key id such as key-hzz65f3b1c4d2e8a7b6c5d")
	}
	return method, keyID
}

// ocrAuth requires exactly one way to authenticate to the API gateway:
// the AppCode, or the AppKey with its AppSecret. Half a pair, or both
// methods, would leave it unclear which credential the operator meant.
func (r *reader) ocrAuth(appCode, appKey, appSecret string) {
	pair := appKey != "" || appSecret != ""
	switch {
	case appCode != "" && pair:
		r.fail("OCR_APPCODE", "and OCR_APP_KEY/OCR_APP_SECRET are both set: choose one authentication, the AppCode or the AppKey/AppSecret signature, and leave the other empty")
	case appKey != "" && appSecret == "":
		r.fail("OCR_APP_SECRET", "is required with OCR_APP_KEY: the AppSecret of the same Marketplace app")
	case appSecret != "" && appKey == "":
		r.fail("OCR_APP_KEY", "is required with OCR_APP_SECRET: the AppKey of the same Marketplace app")
	case !pair && appCode == "":
		r.fail("OCR_APPCODE", "is required: the AppCode of your Marketplace subscription (or set OCR_APP_KEY and OCR_APP_SECRET to sign calls instead)")
	}
	// The AppKey goes in a header on every call: a character a header
	// cannot carry would fail each call as a transport error, retried for
	// ever, instead of stopping the instance here.
	for _, c := range appKey {
		if c <= ' ' || c > '~' {
			r.fail("OCR_APP_KEY", "must be the AppKey as the console shows it: printable ASCII, no spaces")
			break
		}
	}
}

func (r *reader) ocrEndpoint(signed bool) string {
	raw := r.str("OCR_ENDPOINT", "")
	if raw == "" {
		r.fail("OCR_ENDPOINT", "is required: the full URL of the recognition API from its Marketplace product page")
		return ""
	}
	u, err := parseEndpoint(raw)
	if err != nil {
		r.fail("OCR_ENDPOINT", err.Error())
		return ""
	}
	// The AppCode travels in a header: over plain HTTP anyone on the path
	// could read it. The signature keeps the AppSecret home, but HTTPS is
	// still required: the body carries the signed image URL, a bearer
	// credential for the image until it expires, and the answer the
	// licence's personal data. Plain HTTP is only for local and test servers.
	if u.Scheme == "http" && !isPrivateHost(u.Hostname()) {
		why := "the AppCode is sent with every call"
		if signed {
			why = "even with the AppKey/AppSecret signature, every call carries the signed image URL, a bearer credential until it expires, and the answer personal data"
		}
		r.fail("OCR_ENDPOINT", fmt.Sprintf("must use https (%s); plain http only for localhost, loopback and private addresses, got %q", why, u.Redacted()))
		return ""
	}
	return u.String()
}

func (r *reader) endpoint(name, def string) string {
	raw := r.str(name, def)
	u, err := parseEndpoint(raw)
	if err != nil {
		r.fail(name, err.Error())
		return ""
	}
	if u.Path != "" && u.Path != "/" {
		r.fail(name, fmt.Sprintf("must be a host such as oss-cn-hangzhou.aliyuncs.com, without a path, got %q", raw))
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// parseEndpoint accepts an endpoint with or without scheme. Without one,
// HTTPS is assumed, except for IP addresses and localhost, which are the
// local and test servers that speak plain HTTP.
func parseEndpoint(raw string) (*url.URL, error) {
	s := raw
	if !strings.Contains(s, "://") {
		host := s
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if isLocalHost(host) {
			s = "http://" + s
		} else {
			s = "https://" + s
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a URL or host name", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("must be an http(s) URL, got scheme %q", u.Scheme)
	}
	if u.User != nil {
		return nil, errors.New("must not carry credentials in the URL")
	}
	return u, nil
}

// isLocalHost reports whether host is an IP literal or localhost: the
// servers that tests and the local demo run, which use path-style addressing.
func isLocalHost(host string) bool {
	host = strings.Trim(host, "[]")
	return host == "localhost" || net.ParseIP(host) != nil
}

// isPrivateHost reports whether plain HTTP to host stays off the internet:
// localhost, a loopback address or a private (RFC 1918, RFC 4193) one. The
// AppCode must never cross the internet in clear, whatever the address.
func isPrivateHost(host string) bool {
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate())
}

func validRegion(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
