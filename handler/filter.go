package handler

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vlicense/fc-vehicle-license/internal/config"
)

// maxKeyBytes is OSS's limit on an object key.
const maxKeyBytes = 1023

// filterEvent returns why a record of an event is not ours to recognise,
// or "". Only uploads count; then the object rules apply.
func (h *Handler) filterEvent(rec Record) string {
	if !strings.HasPrefix(rec.EventName, "ObjectCreated:") {
		return fmt.Sprintf("not an ObjectCreated event (%s)", rec.EventName)
	}
	return h.filterObject(imageOf(rec))
}

// filterObject returns why an object is not ours to recognise, or "". None
// of these checks costs a request, and none lets a forged event reach the
// signing step for an object the function does not serve.
func (h *Handler) filterObject(img image) string {
	switch {
	case !slices.Contains(h.opts.SourceBuckets, img.bucket):
		return "bucket not served by this function (SOURCE_BUCKETS)"
	case !strings.HasPrefix(img.key, h.opts.SourcePrefix):
		return "key outside SOURCE_PREFIX"
	}
	if why := unsafeKey(img.key); why != "" {
		return "unsafe key: " + why
	}
	switch {
	case strings.HasSuffix(img.key, "/"):
		return "folder marker"
	case strings.HasSuffix(img.key, h.opts.ResultSuffix):
		// Recursion guard: our own output must never trigger recognition,
		// even if the trigger's suffix filter is misconfigured.
		return "our own result document"
	case !config.HasImageExtension(img.key, h.opts.ImageExtensions):
		return "not an image (extension not in IMAGE_EXTENSIONS)"
	case len(img.key)+len(h.opts.ResultSuffix) > maxKeyBytes:
		return fmt.Sprintf("the result key would exceed OSS's %d-byte key limit", maxKeyBytes)
	case img.size <= 0:
		return "empty object"
	}
	return ""
}

// unsafeKey says why a key is refused, or "". OSS stores such keys, but
// control characters corrupt logs and tools, and "." or ".." segments are
// rewritten by HTTP clients and proxies that normalise paths, so a signed
// URL for them may fetch a different object, or none.
func unsafeKey(key string) string {
	if !utf8.ValidString(key) {
		return "not valid UTF-8"
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return "control character"
		}
	}
	for rest := key; rest != ""; {
		seg, tail, _ := strings.Cut(rest, "/")
		if seg == "." || seg == ".." {
			return `"." or ".." path segment`
		}
		rest = tail
	}
	return ""
}
