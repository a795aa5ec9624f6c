package ossserver

import (
	"net/http"
	"strconv"
)

// ListObjects (GetBucket, the V1 listing): GET /<bucket>/ with prefix,
// marker, delimiter, max-keys and encoding-type (OSS API reference,
// ListObjects). It is what ossutil ls and the SDKs' ListObjects use. Keys
// come after marker in byte order, rolled up into CommonPrefixes at the
// first delimiter after the prefix; NextMarker, when truncated, is the
// last key or common prefix returned. Every object is listed with its
// Owner, as OSS does in V1.

func (s *Server) listObjects(w http.ResponseWriter, _ *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	q := listQuery{maxKeys: defaultMaxKeys}
	var marker string
	for _, p := range params {
		var err *ossError
		switch p.name {
		case "prefix":
			q.prefix = p.value
		case "marker":
			marker = p.value
		case "delimiter":
			q.delimiter = p.value
		case "max-keys":
			q.maxKeys, err = parseMaxKeys(p.value)
		case "encoding-type":
			q.urlEncoded, err = parseEncodingType(p.value)
		}
		if err != nil {
			return 0, err
		}
	}
	if len(q.prefix) > maxListArgument {
		return 0, invalidArgument("Argument prefix must be shorter than %d bytes.", maxListArgument+1)
	}
	if len(marker) > maxListArgument {
		return 0, invalidArgument("Argument marker must be shorter than %d bytes.", maxListArgument+1)
	}
	q.after = marker
	page, ok := s.store.listPage(rec.Bucket, q)
	if !ok {
		return 0, errNoSuchBucket
	}

	enc := encoder(q.urlEncoded)
	d := newXMLDoc()
	d.open("ListBucketResult")
	d.elem("Name", rec.Bucket)
	d.elem("Prefix", enc(q.prefix))
	d.elem("Marker", enc(marker))
	d.elem("MaxKeys", strconv.Itoa(q.maxKeys))
	d.elem("Delimiter", enc(q.delimiter))
	if q.urlEncoded {
		d.elem("EncodingType", "url")
	}
	d.elem("IsTruncated", strconv.FormatBool(page.truncated))
	if page.truncated {
		d.elem("NextMarker", enc(page.next))
	}
	s.writeEntries(d, page, enc, true) // V1 always names the owner
	d.close("ListBucketResult")
	return d.send(w), nil
}
