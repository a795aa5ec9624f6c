package ocrserver

import (
	"bytes"
	"encoding/binary"
)

// imageFormat names the format of b from its magic bytes, or "" when b is
// none of the formats the vendor accepts. The vendor decodes pixels, not
// names: an HTML error page served as image/jpeg is still not an image, so
// neither Content-Type nor file extension is trusted.
func imageFormat(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}):
		return "png"
	case isBMP(b):
		return "bmp"
	}
	return ""
}

// isBMP checks "BM" and, because two letters alone would accept any text
// starting with them, also the size of the DIB header that follows the
// 14-byte file header: one of the sizes the BMP versions define.
func isBMP(b []byte) bool {
	if len(b) < 18 || !bytes.HasPrefix(b, []byte("BM")) {
		return false
	}
	switch binary.LittleEndian.Uint32(b[14:18]) {
	case 12, 40, 52, 56, 108, 124:
		return true
	}
	return false
}
