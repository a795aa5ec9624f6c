package ossserver

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// ListObjectsV2 (GetBucketV2): GET /<bucket>/?list-type=2, and the
// listing walk ListObjects (V1, listv1.go) shares.

const (
	defaultMaxKeys = 100  // OSS's default page size
	maxMaxKeys     = 1000 // and its largest
	// maxListArgument bounds prefix, marker and start-after: OSS requires
	// them to be shorter than 1024 bytes (the longest key is 1023 bytes).
	maxListArgument = 1023
)

// listQuery is the parsed query of a listing (V2, or V1 with marker as
// after).
type listQuery struct {
	prefix, delimiter, startAfter string
	token                         string // continuation-token as sent
	after                         string // the key or common prefix it resumes after
	maxKeys                       int
	urlEncoded                    bool // encoding-type=url
	fetchOwner                    bool
}

func parseListQuery(params []queryParam) (listQuery, *ossError) {
	q := listQuery{maxKeys: defaultMaxKeys}
	for _, p := range params {
		switch p.name {
		case "list-type":
			if p.value != "2" {
				return q, invalidArgument("Argument list-type must be 2.")
			}
		case "prefix":
			q.prefix = p.value
		case "delimiter":
			q.delimiter = p.value
		case "start-after":
			q.startAfter = p.value
		case "continuation-token":
			q.token = p.value
		case "max-keys":
			n, err := parseMaxKeys(p.value)
			if err != nil {
				return q, err
			}
			q.maxKeys = n
		case "encoding-type":
			urlEncoded, err := parseEncodingType(p.value)
			if err != nil {
				return q, err
			}
			q.urlEncoded = urlEncoded
		case "fetch-owner":
			q.fetchOwner = p.value == "true"
		}
	}
	if len(q.prefix) > maxListArgument {
		return q, invalidArgument("Argument prefix must be shorter than %d bytes.", maxListArgument+1)
	}
	if len(q.startAfter) > maxListArgument {
		return q, invalidArgument("Argument start-after must be shorter than %d bytes.", maxListArgument+1)
	}
	// A continuation token wins over start-after: it is where the previous
	// page ended, start-after only places the first page.
	q.after = q.startAfter
	if q.token != "" {
		after, ok := decodeToken(q.token)
		if !ok {
			return q, invalidArgument("The continuation-token is not one this bucket issued.")
		}
		q.after = after
	}
	return q, nil
}

// listPage is one page of results.
type listPage struct {
	contents  []*storedObject
	prefixes  []string
	truncated bool
	next      string // the last entry returned, when truncated
}

// listPage walks the keys under q.prefix in byte order, after q.after,
// rolling keys up into common prefixes at the first q.delimiter after the
// prefix. A common prefix counts as one entry against max-keys, and it is
// skipped when it equals q.after: a page that ended on it returned it
// already, and the token carries it rather than its last key.
func (st *store) listPage(bucket string, q listQuery) (listPage, bool) {
	st.mu.Lock() // the key index may be built here
	defer st.mu.Unlock()
	objects, ok := st.buckets[bucket]
	if !ok {
		return listPage{}, false
	}
	keys := st.sortedKeysLocked(bucket)
	start := sort.SearchStrings(keys, q.prefix)
	if q.after != "" {
		start = max(start, sort.Search(len(keys), func(i int) bool { return keys[i] > q.after }))
	}
	var page listPage
	for _, key := range keys[start:] {
		if !strings.HasPrefix(key, q.prefix) {
			break
		}
		obj := objects[key]
		entry, rolled := obj.Key, false
		if q.delimiter != "" {
			if i := strings.Index(obj.Key[len(q.prefix):], q.delimiter); i >= 0 {
				entry, rolled = obj.Key[:len(q.prefix)+i+len(q.delimiter)], true
				// Keys sharing a common prefix are adjacent in byte order,
				// so comparing with the last one returned is enough.
				if entry == q.after || len(page.prefixes) > 0 && page.prefixes[len(page.prefixes)-1] == entry {
					continue
				}
			}
		}
		if len(page.contents)+len(page.prefixes) == q.maxKeys {
			page.truncated = true
			break
		}
		if rolled {
			page.prefixes = append(page.prefixes, entry)
		} else {
			page.contents = append(page.contents, obj)
		}
		page.next = entry
	}
	if !page.truncated {
		page.next = ""
	}
	return page, true
}

func (s *Server) listObjectsV2(w http.ResponseWriter, _ *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	q, err := parseListQuery(params)
	if err != nil {
		return 0, err
	}
	page, ok := s.store.listPage(rec.Bucket, q)
	if !ok {
		return 0, errNoSuchBucket
	}
	// The continuation token is encoded too: it is base64 and may hold '+'.
	enc := encoder(q.urlEncoded)
	d := newXMLDoc()
	d.open("ListBucketResult")
	d.elem("Name", rec.Bucket)
	d.elem("Prefix", enc(q.prefix))
	if q.startAfter != "" {
		d.elem("StartAfter", enc(q.startAfter))
	}
	if q.token != "" {
		d.elem("ContinuationToken", q.token)
	}
	d.elem("MaxKeys", strconv.Itoa(q.maxKeys))
	d.elem("Delimiter", enc(q.delimiter))
	if q.urlEncoded {
		d.elem("EncodingType", "url")
	}
	d.elem("IsTruncated", strconv.FormatBool(page.truncated))
	if page.truncated {
		d.elem("NextContinuationToken", enc(encodeToken(page.next)))
	}
	s.writeEntries(d, page, enc, q.fetchOwner)
	d.elem("KeyCount", strconv.Itoa(len(page.contents)+len(page.prefixes)))
	d.close("ListBucketResult")
	return d.send(w), nil
}

// parseMaxKeys reads max-keys: 1 to 1000.
func parseMaxKeys(v string) (int, *ossError) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxMaxKeys {
		return 0, invalidArgument("Argument max-keys must be an integer between 1 and %d.", maxMaxKeys)
	}
	return n, nil
}

// parseEncodingType reads encoding-type, whose only value is "url".
func parseEncodingType(v string) (bool, *ossError) {
	if v != "" && v != "url" {
		return false, invalidArgument("Invalid Encoding Method specified in Request")
	}
	return v == "url", nil
}

// encoder returns how a response writes a string that may hold a key. With
// encoding-type=url it is percent-encoded: the SDKs always ask for it and
// decode with url.QueryUnescape, which turns '+' into a space, so '+' must
// arrive as %2B. Space becomes %20, which both QueryUnescape and plain
// percent-decoders (ali-oss's decodeURIComponent) read back as a space;
// '/' is left as is. Without it, strings go out as they are (escaped as
// XML text).
// writeEntries writes a page's Contents and CommonPrefixes, as ListObjects
// and ListObjectsV2 both answer them (V2 names the owner only with
// fetch-owner).
func (s *Server) writeEntries(d *xmlDoc, page listPage, enc func(string) string, owner bool) {
	for _, obj := range page.contents {
		d.open("Contents")
		d.elem("Key", enc(obj.Key))
		d.elem("LastModified", obj.LastModified.UTC().Format(listTimeFormat))
		d.elem("ETag", obj.ETag)
		d.elem("Type", obj.objectType)
		d.elem("Size", strconv.Itoa(len(obj.Body)))
		d.elem("StorageClass", "Standard")
		if owner {
			d.open("Owner")
			d.elem("ID", s.accountID)
			d.elem("DisplayName", s.accountID)
			d.close("Owner")
		}
		d.close("Contents")
	}
	for _, p := range page.prefixes {
		d.open("CommonPrefixes")
		d.elem("Prefix", enc(p))
		d.close("CommonPrefixes")
	}
}

func encoder(urlEncoded bool) func(string) string {
	if urlEncoded {
		return func(s string) string { return escape(s, true) }
	}
	return func(s string) string { return s }
}

// listTimeFormat is how OSS writes times in XML: ISO 8601, UTC, milliseconds.
const listTimeFormat = "2006-01-02T15:04:05.000Z"

// encodeToken makes a continuation token of the shape OSS issues, e.g.
// "CgJiYw--": base64 of a protobuf message whose field 1 (tag 0x0a) holds
// where to resume, '=' padding turned into '-'. Clients must treat it as
// opaque; having OSS's shape keeps a test from depending on anything else.
func encodeToken(after string) string {
	b := binary.AppendUvarint([]byte{0x0a}, uint64(len(after)))
	b = append(b, after...)
	return strings.ReplaceAll(base64.StdEncoding.EncodeToString(b), "=", "-")
}

// decodeToken reverses encodeToken, refusing anything it did not produce.
func decodeToken(token string) (after string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(token, "-", "="))
	if err != nil || len(raw) < 2 || raw[0] != 0x0a {
		return "", false
	}
	n, size := binary.Uvarint(raw[1:])
	if size <= 0 || n != uint64(len(raw)-1-size) {
		return "", false
	}
	after = string(raw[1+size:])
	// Only the exact text encodeToken gives: no '=' padding, no
	// non-canonical base64.
	return after, encodeToken(after) == token
}
