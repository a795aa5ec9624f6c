package ossserver

import (
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// PutObject, GetObject, HeadObject, GetObjectMeta and DeleteObject.

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, rec *Request, _ []queryParam) (int, *ossError) {
	if r.Header.Get("x-oss-callback") != "" {
		// OSS would call the URL back and answer with its reply.
		return 0, notImplemented("the local OSS server does not implement PutObject with the x-oss-callback header")
	}
	acl, aerr := objectACLHeader(r.Header, aclDefault)
	if aerr != nil {
		return 0, aerr
	}
	encryption, keyID, eerr := encryptionHeaders(r.Header)
	if eerr != nil {
		return 0, eerr
	}
	if err := s.checkForbidOverwrite(r, rec.Bucket, rec.Key); err != nil {
		return 0, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, errIncompleteBody
	}
	sum := md5.Sum(body)
	contentMD5 := base64.StdEncoding.EncodeToString(sum[:])
	if want := r.Header.Get("Content-MD5"); want != "" && want != contentMD5 {
		return 0, errInvalidDigest
	}
	obj := newStoredObject(rec.Key, body, r.Header.Get("Content-Type"), userMeta(r.Header), s.now())
	obj.ACL = acl
	obj.Encryption, obj.KMSKeyID = encryption, keyID
	if !s.commit(rec.Bucket, obj, EventPutObject, httpOrigin(rec, r.RemoteAddr)) {
		return 0, errNoSuchBucket
	}
	h := w.Header()
	setVersionID(h, rec, obj)
	setEncryptionHeaders(h, obj)
	h.Set("ETag", obj.ETag)
	h.Set("Content-MD5", contentMD5)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc64, 10))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// checkForbidOverwrite applies x-oss-forbid-overwrite: true, which makes
// PutObject and CopyObject fail with 409 FileAlreadyExists rather than
// replace an existing object (OSS API reference, PutObject).
func (s *Server) checkForbidOverwrite(r *http.Request, bucket, key string) *ossError {
	if !strings.EqualFold(r.Header.Get("x-oss-forbid-overwrite"), "true") {
		return nil
	}
	if _, exists := s.store.get(bucket, key); exists {
		return errFileAlreadyExists
	}
	return nil
}

// userMeta collects the x-oss-meta-* headers, names lower-cased.
func userMeta(h http.Header) map[string]string {
	meta := make(map[string]string)
	for name, v := range h {
		if name = strings.ToLower(name); strings.HasPrefix(name, metaPrefix) {
			meta[name] = v[0]
		}
	}
	return meta
}

// setVersionID sends x-oss-version-id, in a bucket with versioning, and
// logs the version the response names.
func setVersionID(h http.Header, rec *Request, obj *storedObject) {
	if obj.VersionID != "" {
		h.Set("x-oss-version-id", obj.VersionID)
		rec.VersionID = obj.VersionID
	}
}

// findObject returns the object a GET, HEAD or ?acl request names: the
// latest, or with a versionId parameter (logged in rec.VersionID) that
// version.
func (s *Server) findObject(rec *Request, params []queryParam) (*storedObject, *ossError) {
	for _, p := range params {
		if p.name != "versionId" {
			continue
		}
		if p.value == "" {
			return nil, invalidArgument("The versionId parameter must not be empty.")
		}
		obj, ok := s.store.getVersion(rec.Bucket, rec.Key, p.value)
		if !ok {
			return nil, errNoSuchVersion
		}
		return obj, nil
	}
	obj, ok := s.store.get(rec.Bucket, rec.Key)
	if !ok {
		return nil, errNoSuchKey
	}
	return obj, nil
}

// objectHeaders sets the headers GetObject and HeadObject answer with.
func objectHeaders(h http.Header, rec *Request, obj *storedObject) {
	setVersionID(h, rec, obj)
	h.Set("ETag", obj.ETag)
	h.Set("Last-Modified", obj.LastModified.Format(http.TimeFormat))
	h.Set("Content-Type", obj.ContentType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-oss-object-type", obj.objectType)
	h.Set("x-oss-storage-class", "Standard")
	// On OSS the CRC header is the whole object's, also for a range.
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc64, 10))
	setEncryptionHeaders(h, obj)
	for name, v := range obj.Meta {
		h.Set(metaPrefix+name, v)
	}
}

// getObject answers GET, with the Range header honoured as OSS does (see
// range.go) and the response-* parameters overriding headers.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	obj, err := s.findObject(rec, params)
	if err != nil {
		return 0, err
	}
	size := int64(len(obj.Body))
	rng, err := rangeFor(r.Header.Get("Range"), size, isStandardRange(r.Header))
	if err != nil {
		w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		return 0, err
	}
	h := w.Header()
	objectHeaders(h, rec, obj)
	for _, p := range params {
		if header := responseOverrides[p.name]; header != "" {
			h.Set(header, p.value)
		}
	}
	status, body := http.StatusOK, obj.Body
	if rng != nil {
		status, body = http.StatusPartialContent, obj.Body[rng.start:rng.end+1]
		h.Set("Content-Range", rng.contentRange(size))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing left to do then
	return status, nil
}

// headObject answers HEAD with GetObject's headers and no body. A Range
// header is not applied: HeadObject describes the whole object.
func (s *Server) headObject(w http.ResponseWriter, _ *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	obj, err := s.findObject(rec, params)
	if err != nil {
		return 0, err
	}
	h := w.Header()
	objectHeaders(h, rec, obj)
	h.Set("Content-Length", strconv.Itoa(len(obj.Body)))
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// getObjectMeta (HEAD ?objectMeta) returns only the basic headers, as OSS
// does.
func (s *Server) getObjectMeta(w http.ResponseWriter, _ *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	obj, err := s.findObject(rec, params)
	if err != nil {
		return 0, err
	}
	h := w.Header()
	setVersionID(h, rec, obj)
	h.Set("ETag", obj.ETag)
	h.Set("Last-Modified", obj.LastModified.Format(http.TimeFormat))
	h.Set("Content-Length", strconv.Itoa(len(obj.Body)))
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// deleteObject answers 204 whether or not the object existed, as OSS does.
func (s *Server) deleteObject(w http.ResponseWriter, _ *http.Request, rec *Request, _ []queryParam) (int, *ossError) {
	s.store.delete(rec.Bucket, rec.Key)
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}
