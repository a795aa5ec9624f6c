package objectstore

import (
	"errors"
	"sync/atomic"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Credentials are an AccessKey pair, with the STS token that Function
// Compute's role credentials always carry.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// String keeps the secret and the token out of any log line or error that
// formats a Credentials value by accident.
func (c Credentials) String() string {
	return "Credentials{AccessKeyID:" + c.AccessKeyID + ", AccessKeySecret:***, SecurityToken:***}"
}

// GoString covers %#v as well.
func (c Credentials) GoString() string { return c.String() }

// ErrNoCredentials is returned (wrapped) when neither the invocation nor
// the environment supplied credentials.
var ErrNoCredentials = errors.New("no OSS credentials: the invocation carried none and ALIBABA_CLOUD_ACCESS_KEY_ID is not set")

// credentialsBox feeds the OSS SDK the credentials of the current
// invocation. FC delivers fresh STS credentials with every invocation and
// they expire, so they must not be frozen into the client; swapping them here
// keeps one client (and its warm connections) for the life of the instance.
type credentialsBox struct {
	current atomic.Pointer[Credentials]
}

func (b *credentialsBox) set(c Credentials) { b.current.Store(&c) }

// GetCredentials implements oss.CredentialsProvider.
func (b *credentialsBox) GetCredentials() oss.Credentials {
	c, _ := b.GetCredentialsE()
	return c
}

// GetCredentialsE implements oss.CredentialsProviderE, which the SDK
// prefers: a request without credentials fails before it is sent.
func (b *credentialsBox) GetCredentialsE() (oss.Credentials, error) {
	c := b.current.Load()
	if c == nil || c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return sdkCredentials{}, ErrNoCredentials
	}
	return sdkCredentials(*c), nil
}

// sdkCredentials adapts Credentials to the SDK's getter interface.
type sdkCredentials Credentials

func (c sdkCredentials) GetAccessKeyID() string     { return c.AccessKeyID }
func (c sdkCredentials) GetAccessKeySecret() string { return c.AccessKeySecret }
func (c sdkCredentials) GetSecurityToken() string   { return c.SecurityToken }
