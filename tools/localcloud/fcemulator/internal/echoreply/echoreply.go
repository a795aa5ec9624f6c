// Package echoreply is the answer of the emulator tests' function
// (testdata/echofn), shared by the function that writes it and the tests
// that read it.
package echoreply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Reply is what echofn saw of its invocation. It holds no credential: only
// the AccessKey id and digests of the secrets.
type Reply struct {
	Payload      json.RawMessage   `json:"payload"`
	RequestID    string            `json:"requestId"`
	RetryCount   int               `json:"retryCount"`
	Region       string            `json:"region"`
	AccountID    string            `json:"accountId"`
	AccessKeyID  string            `json:"accessKeyId"`
	SecretDigest string            `json:"secretDigest"`
	FunctionName string            `json:"functionName"`
	Handler      string            `json:"handler"`
	Memory       string            `json:"memory"`
	TimeoutSec   int               `json:"timeoutSec"`
	Qualifier    string            `json:"qualifier"`
	DeadlineMS   int64             `json:"deadlineMs"`
	PID          int               `json:"pid"`
	Env          map[string]string `json:"env"`
	EnvKeyDigest string            `json:"envKeyDigest"`
}

// Digest stands for a secret and a token, so that a test can check they
// arrived without the function printing them.
func Digest(secret, token string) string {
	sum := sha256.Sum256([]byte(secret + "\x00" + token))
	return hex.EncodeToString(sum[:8])
}
