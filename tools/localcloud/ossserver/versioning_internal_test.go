package ossserver

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestNewVersionIDShapeAndUniqueness(t *testing.T) {
	seen := map[string]bool{}
	for i := uint64(1); i <= 1000; i++ {
		id := newVersionID(i)
		if !strings.HasPrefix(id, "CAEQ") || seen[id] {
			t.Fatalf("bad or duplicate version ID %q", id)
		}
		if _, err := base64.RawStdEncoding.DecodeString(id); err != nil {
			t.Fatalf("version ID %q is not base64: %v", id, err)
		}
		seen[id] = true
	}
}
