package handler_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/recognition"
)

type fcCredentials = fccontext.Credentials

// fcContext returns the FC context of an invocation, to change what it
// carries before the handler runs.
func fcContext(ctx context.Context) *fccontext.FcContext {
	fc, _ := fccontext.FromContext(ctx)
	return fc
}

func signatureOf(t *testing.T, signed string) string {
	u, err := url.Parse(signed)
	require.NoError(t, err)
	sig := u.Query().Get("x-oss-signature")
	require.NotEmpty(t, sig)
	return sig
}

type panicky struct{}

func (panicky) Recognize(context.Context, recognition.Request) recognition.Result {
	panic("recognizer bug")
}

// storeCredentials are the test STS credentials in the store's type, for
// calls made outside an FC invocation (backfills).
func storeCredentials() objectstore.Credentials {
	return objectstore.Credentials{AccessKeyID: stsCredentials.AccessKeyID, AccessKeySecret: stsCredentials.AccessKeySecret, SecurityToken: stsCredentials.SecurityToken}
}
