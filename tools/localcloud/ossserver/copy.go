package ossserver

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// CopyObject: PUT /<bucket>/<key> with x-oss-copy-source:
// /<source bucket>/<URL-encoded source key>[?versionId=<id>] (OSS API
// reference, CopyObject). ossutil cp between two OSS URLs uses it for
// objects under its big-file threshold (larger ones go through
// UploadPartCopy, which is not implemented). The copy gets the source's
// body, ETag and object type; its Content-Type and x-oss-meta-* are the
// source's with x-oss-metadata-directive COPY (the default) or the
// request's with REPLACE; its ACL is x-oss-object-acl or "default". The
// x-oss-copy-source-if-* conditions are refused rather than ignored.

// copyObject copies within or across this server's buckets and notifies an
// ObjectCreated:CopyObject event, as OSS does.
func (s *Server) copyObject(w http.ResponseWriter, r *http.Request, rec *Request, _ []queryParam) (int, *ossError) {
	for _, h := range []string{"x-oss-copy-source-if-match", "x-oss-copy-source-if-none-match",
		"x-oss-copy-source-if-unmodified-since", "x-oss-copy-source-if-modified-since"} {
		if r.Header.Get(h) != "" {
			return 0, notImplemented("the local OSS server does not implement CopyObject with the %s header", h)
		}
	}
	srcBucket, srcKey, srcVersion, err := parseCopySource(r.Header.Get("x-oss-copy-source"))
	if err != nil {
		return 0, err
	}
	directive := strings.ToUpper(strings.TrimSpace(r.Header.Get("x-oss-metadata-directive")))
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return 0, invalidArgument("x-oss-metadata-directive must be COPY or REPLACE.")
	}
	acl, err := objectACLHeader(r.Header, aclDefault)
	if err != nil {
		return 0, err
	}
	if err := s.checkForbidOverwrite(r, rec.Bucket, rec.Key); err != nil {
		return 0, err
	}
	if !s.store.hasBucket(srcBucket) {
		return 0, errNoSuchBucket
	}
	var src *storedObject
	var ok bool
	if srcVersion != "" {
		if src, ok = s.store.getVersion(srcBucket, srcKey, srcVersion); !ok {
			return 0, errNoSuchVersion
		}
	} else if src, ok = s.store.get(srcBucket, srcKey); !ok {
		return 0, errNoSuchKey
	}

	// Bodies are never modified once stored, so the copy may share it.
	obj := newStoredObject(rec.Key, nil, src.ContentType, maps.Clone(src.Meta), s.now())
	obj.Body, obj.ETag, obj.crc64, obj.objectType, obj.ACL = src.Body, src.ETag, src.crc64, src.objectType, acl
	if directive == "REPLACE" {
		replaced := newStoredObject(rec.Key, nil, r.Header.Get("Content-Type"), userMeta(r.Header), s.now())
		obj.ContentType, obj.Meta = replaced.ContentType, replaced.Meta
	}
	if !s.commit(rec.Bucket, obj, EventCopyObject, httpOrigin(rec, r.RemoteAddr)) {
		return 0, errNoSuchBucket
	}
	h := w.Header()
	setVersionID(h, rec, obj)
	if src.VersionID != "" {
		h.Set("x-oss-copy-source-version-id", src.VersionID)
	}
	h.Set("ETag", obj.ETag)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc64, 10))
	d := newXMLDoc()
	d.open("CopyObjectResult")
	d.elem("ETag", obj.ETag)
	d.elem("LastModified", obj.LastModified.Format(listTimeFormat))
	d.close("CopyObjectResult")
	return d.send(w), nil
}

// parseCopySource splits x-oss-copy-source. Clients URL-encode the key
// (the Go SDK v1 with url.QueryEscape, which writes a space as '+'; the
// others with %20, and all of them '+' as %2B), so it is decoded with
// url.QueryUnescape.
func parseCopySource(v string) (bucket, key, versionID string, err *ossError) {
	bucket, rest, ok := strings.Cut(strings.TrimPrefix(v, "/"), "/")
	if !ok || bucket == "" || rest == "" {
		return "", "", "", invalidArgument("x-oss-copy-source must have the form /<bucket>/<key>.")
	}
	encodedKey, query, _ := strings.Cut(rest, "?")
	key, uerr := url.QueryUnescape(encodedKey)
	if uerr != nil {
		return "", "", "", invalidArgument("x-oss-copy-source is not validly percent-encoded.")
	}
	if query != "" {
		// The SDKs append the version ID as it is, and version IDs are
		// base64 that may hold '+': it must not be read as a space.
		raw, ok := strings.CutPrefix(query, "versionId=")
		id, perr := url.PathUnescape(raw)
		if !ok || perr != nil || id == "" || strings.Contains(raw, "&") {
			return "", "", "", invalidArgument("The only parameter x-oss-copy-source may carry is versionId.")
		}
		versionID = id
	}
	return bucket, key, versionID, nil
}
