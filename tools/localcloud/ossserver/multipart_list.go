package ossserver

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ListParts (GET /<bucket>/<key>?uploadId=X) and ListMultipartUploads
// (GET /<bucket>/?uploads), as the OSS API reference describes them. The
// SDKs use them to resume an upload from a checkpoint and to find uploads
// left behind (ossutil ls -m, ossutil rm -m).

const maxListParts = 1000 // max-parts and max-uploads: default and largest

// listParts answers the parts uploaded so far, by part number, after
// part-number-marker, at most max-parts of them.
func (s *Server) listParts(w http.ResponseWriter, _ *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	maxParts, marker := maxListParts, 0
	urlEncoded := false
	for _, p := range params {
		var err *ossError
		switch p.name {
		case "max-parts":
			maxParts, err = parseLimit("max-parts", p.value)
		case "part-number-marker":
			n, aerr := strconv.Atoi(p.value)
			if aerr != nil || n < 0 {
				err = invalidArgument("Argument part-number-marker must be a non-negative integer.")
			}
			marker = n
		case "encoding-type":
			urlEncoded, err = parseEncodingType(p.value)
		}
		if err != nil {
			return 0, err
		}
	}

	s.uploads.mu.Lock()
	u, err := s.uploads.find(paramValue(params, "uploadId"), rec.Bucket, rec.Key)
	var numbers []int
	parts := map[int]*part{}
	if err == nil {
		numbers = slices.Sorted(maps.Keys(u.parts))
		maps.Copy(parts, u.parts) // parts are immutable; the map is not
	}
	s.uploads.mu.Unlock()
	if err != nil {
		return 0, err
	}

	var page []int
	truncated := false
	for _, n := range numbers {
		if n <= marker {
			continue
		}
		if len(page) == maxParts {
			truncated = true
			break
		}
		page = append(page, n)
	}
	next := marker
	if len(page) > 0 {
		next = page[len(page)-1]
	}

	d := newXMLDoc()
	d.open("ListPartsResult")
	d.elem("Bucket", rec.Bucket)
	if urlEncoded {
		d.elem("EncodingType", "url")
	}
	d.elem("Key", encoder(urlEncoded)(rec.Key))
	d.elem("UploadId", u.id)
	d.elem("PartNumberMarker", strconv.Itoa(marker))
	d.elem("NextPartNumberMarker", strconv.Itoa(next))
	d.elem("MaxParts", strconv.Itoa(maxParts))
	d.elem("IsTruncated", strconv.FormatBool(truncated))
	for _, n := range page {
		p := parts[n]
		d.open("Part")
		d.elem("PartNumber", strconv.Itoa(n))
		d.elem("LastModified", p.at.UTC().Format(listTimeFormat))
		d.elem("ETag", p.etag)
		d.elem("HashCrc64ecma", strconv.FormatUint(p.crc, 10))
		d.elem("Size", strconv.Itoa(len(p.body)))
		d.close("Part")
	}
	d.close("ListPartsResult")
	return d.send(w), nil
}

// parseLimit reads max-parts or max-uploads: 1 to 1000.
func parseLimit(name, v string) (int, *ossError) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxListParts {
		return 0, invalidArgument("Argument %s must be an integer between 1 and %d.", name, maxListParts)
	}
	return n, nil
}

// listMultipartUploads lists the uploads in progress by key, then by
// initiation, after key-marker (and, for that key, after the upload
// upload-id-marker names), rolling keys up into common prefixes at the
// first delimiter after the prefix, as ListObjects does.
func (s *Server) listMultipartUploads(w http.ResponseWriter, _ *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	var prefix, delimiter, keyMarker, idMarker string
	maxUploads, urlEncoded := maxListParts, false
	for _, p := range params {
		var err *ossError
		switch p.name {
		case "prefix":
			prefix = p.value
		case "delimiter":
			delimiter = p.value
		case "key-marker":
			keyMarker = p.value
		case "upload-id-marker":
			idMarker = p.value
		case "max-uploads":
			maxUploads, err = parseLimit("max-uploads", p.value)
		case "encoding-type":
			urlEncoded, err = parseEncodingType(p.value)
		}
		if err != nil {
			return 0, err
		}
	}
	if keyMarker == "" {
		idMarker = "" // meaningless without a key, as on OSS
	}

	var all []MultipartUpload
	for _, u := range s.MultipartUploads(rec.Bucket) {
		if strings.HasPrefix(u.Key, prefix) {
			all = append(all, u)
		}
	}
	// Where the marker upload sits among its key's uploads; an ID not
	// found there falls back to comparing IDs.
	markerAt := slices.IndexFunc(all, func(u MultipartUpload) bool { return u.Key == keyMarker && u.UploadID == idMarker })
	after := func(i int, u MultipartUpload) bool {
		switch {
		case u.Key != keyMarker:
			return u.Key > keyMarker
		case idMarker == "":
			return false
		case markerAt >= 0:
			return i > markerAt
		}
		return u.UploadID > idMarker
	}

	type entry struct {
		upload   MultipartUpload
		prefix   string // a common prefix, when not ""
		uploadID string
	}
	var page []entry
	truncated := false
	for i, u := range all {
		if !after(i, u) {
			continue
		}
		e := entry{upload: u, uploadID: u.UploadID}
		if delimiter != "" {
			if j := strings.Index(u.Key[len(prefix):], delimiter); j >= 0 {
				e = entry{prefix: u.Key[:len(prefix)+j+len(delimiter)]}
				if e.prefix == keyMarker || len(page) > 0 && page[len(page)-1].prefix == e.prefix {
					continue
				}
			}
		}
		if len(page) == maxUploads {
			truncated = true
			break
		}
		page = append(page, e)
	}

	enc := encoder(urlEncoded)
	d := newXMLDoc()
	d.open("ListMultipartUploadsResult")
	d.elem("Bucket", rec.Bucket)
	if urlEncoded {
		d.elem("EncodingType", "url")
	}
	d.elem("KeyMarker", enc(keyMarker))
	d.elem("UploadIdMarker", idMarker)
	nextKey, nextID := "", ""
	if truncated {
		last := page[len(page)-1]
		nextKey, nextID = last.upload.Key, last.uploadID
		if last.prefix != "" {
			nextKey = last.prefix
		}
	}
	d.elem("NextKeyMarker", enc(nextKey))
	d.elem("NextUploadIdMarker", nextID)
	d.elem("Delimiter", enc(delimiter))
	d.elem("Prefix", enc(prefix))
	d.elem("MaxUploads", strconv.Itoa(maxUploads))
	d.elem("IsTruncated", strconv.FormatBool(truncated))
	for _, e := range page {
		if e.prefix != "" {
			continue
		}
		d.open("Upload")
		d.elem("Key", enc(e.upload.Key))
		d.elem("UploadId", e.upload.UploadID)
		d.elem("StorageClass", "Standard")
		d.elem("Initiated", e.upload.Initiated.UTC().Format(listTimeFormat))
		d.close("Upload")
	}
	for _, e := range page {
		if e.prefix != "" {
			d.open("CommonPrefixes")
			d.elem("Prefix", enc(e.prefix))
			d.close("CommonPrefixes")
		}
	}
	d.close("ListMultipartUploadsResult")
	return d.send(w), nil
}
