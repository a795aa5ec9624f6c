package fcemulator

import (
	"crypto/rand"
	"encoding/hex"
)

// randomHex returns n random hex digits, for instance ids.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}
