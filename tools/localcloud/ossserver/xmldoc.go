package ossserver

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlDoc writes a success response body the way OSS does. encoding/xml is
// not used for these: it escapes '"' as "&#34;", while OSS writes an ETag
// as <ETag>"5B3C..."</ETag>, and a test reading raw bytes should see what
// OSS sends. Errors keep using encoding/xml (their texts hold no quotes).
type xmlDoc struct {
	b strings.Builder
}

func newXMLDoc() *xmlDoc {
	d := &xmlDoc{}
	d.b.WriteString(xml.Header)
	return d
}

func (d *xmlDoc) open(name string)  { d.b.WriteString("<" + name + ">") }
func (d *xmlDoc) close(name string) { d.b.WriteString("</" + name + ">") }

// elem writes <name>text</name>, the text escaped.
func (d *xmlDoc) elem(name, text string) {
	d.open(name)
	writeXMLText(&d.b, text)
	d.close(name)
}

// send answers 200 with the document.
func (d *xmlDoc) send(w http.ResponseWriter) int {
	body := d.b.String()
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body)) // the client may be gone; nothing left to do then
	return http.StatusOK
}

// sendHeaders answers 200 with the headers send would give and no body,
// for a HEAD request.
func (d *xmlDoc) sendHeaders(w http.ResponseWriter) int {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(d.b.Len()))
	w.WriteHeader(http.StatusOK)
	return http.StatusOK
}

// writeXMLText escapes what XML character data cannot hold literally: '&',
// '<', '>', and tab, newline and carriage return (which parsers would
// normalise away otherwise), like encoding/xml; bytes XML 1.0 cannot carry
// at all (control characters, invalid UTF-8) become U+FFFD, again like
// encoding/xml. That loss is why clients ask for encoding-type=url.
func writeXMLText(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\t':
			b.WriteString("&#x9;")
		case r == '\n':
			b.WriteString("&#xA;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == utf8.RuneError && size == 1, !isXMLChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
}

// isXMLChar reports whether r is in XML 1.0's Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
