package handler

import (
	"errors"
	"net"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

// classifyStoreError sorts an OSS failure: refusals that a retry cannot fix
// are misconfigurations, naming what to check (the function's role under
// FC, the operator's AccessKey in the CLI); the rest is transient.
func (h *Handler) classifyStoreError(err error) (outcome.Outcome, string) {
	credentials := "the function's role (RAM policy)"
	if h.opts.OperatorCredentials {
		credentials = "your AccessKey (ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET) and its permissions (RAM policy)"
	}
	var dns *net.DNSError
	switch status, code := objectstore.StatusOf(err), objectstore.CodeOf(err); {
	case errors.Is(err, objectstore.ErrNoCredentials):
		if h.opts.OperatorCredentials {
			return outcome.Misconfigured, err.Error() + ": set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
		}
		return outcome.Misconfigured, err.Error() + ": give the function a role (s.yaml role) so that FC passes credentials"
	case errors.As(err, &dns) && dns.IsNotFound:
		// A typo in the endpoint never heals: not transient.
		return outcome.Misconfigured, err.Error() + ": the host of OSS_ENDPOINT does not exist: check OSS_ENDPOINT"
	case code == "InvalidAccessKeyId" && h.opts.OperatorCredentials:
		return outcome.Misconfigured, err.Error() + ": OSS does not know this AccessKey: check ALIBABA_CLOUD_ACCESS_KEY_ID"
	case code == "SignatureDoesNotMatch" && h.opts.OperatorCredentials:
		return outcome.Misconfigured, err.Error() + ": the signature does not match: check ALIBABA_CLOUD_ACCESS_KEY_SECRET (and OSS_REGION)"
	case status == 403:
		return outcome.Misconfigured, err.Error() + ": check " + credentials + " and the bucket policy"
	case status == 404:
		return outcome.Misconfigured, err.Error() + ": check the bucket name and OSS_ENDPOINT"
	case status == 400:
		return outcome.Misconfigured, err.Error() + ": check OSS_ENDPOINT and OSS_REGION"
	}
	return outcome.Transient, err.Error()
}
