package ossserver

import (
	"net/http"
	"strings"
)

// Server-side encryption of PutObject (OSS API reference, PutObject:
// x-oss-server-side-encryption is AES256, KMS or SM4, and
// x-oss-server-side-encryption-key-id names a KMS key, only with KMS). OSS
// answers both headers on HEAD and GET of the object. The bytes are kept as
// they are: what tests check is what the client asked for.

const (
	headerSSE      = "x-oss-server-side-encryption"
	headerSSEKeyID = "x-oss-server-side-encryption-key-id"
)

// encryptionHeaders reads the encryption a PutObject asks for.
func encryptionHeaders(h http.Header) (method, keyID string, err *ossError) {
	method, keyID = strings.TrimSpace(h.Get(headerSSE)), strings.TrimSpace(h.Get(headerSSEKeyID))
	switch method {
	case "", "AES256", "SM4":
		if keyID != "" {
			return "", "", invalidArgument("x-oss-server-side-encryption-key-id is only valid with x-oss-server-side-encryption: KMS")
		}
	case "KMS":
	default:
		return "", "", invalidArgument("invalid encryption algorithm %q: valid ones are AES256, KMS and SM4", method)
	}
	return method, keyID, nil
}

// setEncryptionHeaders answers an object's encryption on HEAD and GET.
func setEncryptionHeaders(h http.Header, obj *storedObject) {
	if obj.Encryption != "" {
		h.Set(headerSSE, obj.Encryption)
	}
	if obj.KMSKeyID != "" {
		h.Set(headerSSEKeyID, obj.KMSKeyID)
	}
}
