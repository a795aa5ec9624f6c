package ossserver

import (
	"crypto/subtle"
	"sync"
	"time"
)

// Credentials is one identity the server accepts.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	// SecurityToken is empty for a permanent AccessKey. For STS credentials
	// every request must carry exactly this token, in the x-oss-security-token
	// header or query parameter; a request for a permanent key that carries a
	// token is refused too, as it reveals a client mixing credentials.
	SecurityToken string
	// Expiration, when set, is the moment the credentials stop working
	// (SecurityTokenExpired), as STS credentials do. It is compared with
	// Config.Now, so tests can expire credentials without sleeping.
	Expiration time.Time
}

// String keeps the secret and the token out of anything that prints
// Credentials with %v or %+v.
func (c Credentials) String() string {
	return "Credentials{AccessKeyID: " + c.AccessKeyID + ", AccessKeySecret: <redacted>, SecurityToken: <redacted>}"
}

// GoString does the same for %#v.
func (c Credentials) GoString() string { return c.String() }

// keyring holds the accepted identities by AccessKeyId.
type keyring struct {
	mu   sync.RWMutex
	byID map[string]Credentials
}

func (k *keyring) allow(c Credentials) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byID == nil {
		k.byID = make(map[string]Credentials)
	}
	k.byID[c.AccessKeyID] = c
}

func (k *keyring) revoke(accessKeyID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.byID, accessKeyID)
}

func (k *keyring) lookup(accessKeyID string) (Credentials, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	c, ok := k.byID[accessKeyID]
	return c, ok
}

// checkToken compares the token a request carries with the identity's, in
// constant time so response timing reveals nothing about the right token.
func (c Credentials) checkToken(got string, now time.Time) *ossError {
	switch {
	case c.SecurityToken == "" && got != "":
		return errBadToken
	case c.SecurityToken != "" && got == "":
		return errMissingToken
	case subtle.ConstantTimeCompare([]byte(c.SecurityToken), []byte(got)) != 1:
		return errBadToken
	case !c.Expiration.IsZero() && !now.Before(c.Expiration):
		return errTokenExpired
	}
	return nil
}

// AllowCredentials makes the server accept requests signed with c. Calling it
// again for the same AccessKeyID replaces the earlier secret and token, which
// is how tests model rotated STS credentials.
func (s *Server) AllowCredentials(c Credentials) { s.keys.allow(c) }

// RevokeCredentials stops accepting the identity; its requests then fail with
// InvalidAccessKeyId.
func (s *Server) RevokeCredentials(accessKeyID string) { s.keys.revoke(accessKeyID) }
