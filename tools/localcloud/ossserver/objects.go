package ossserver

import (
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// signatureParams are the query parameters of a V4 signed URL; they select
// no operation.
var signatureParams = map[string]bool{
	"x-oss-signature-version":  true,
	"x-oss-credential":         true,
	"x-oss-date":               true,
	"x-oss-expires":            true,
	"x-oss-signature":          true,
	"x-oss-additional-headers": true,
	"x-oss-security-token":     true,
}

// responseOverrides are the GetObject parameters that replace a response
// header, as OSS allows (oss.ResponseContentType and friends).
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// serveObject runs PutObject, GetObject, HeadObject (and GetObjectMeta, a
// HEAD with ?objectMeta), DeleteObject or a multipart operation. Any other
// parameter names an operation this stand-in does not have, which is
// refused rather than silently treated as a plain object request.
func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	if op := multipartOp(r.Method, params); op != "" {
		return s.serveMultipart(op, w, r, rec, params)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
		return 0, errMethodNotAllowed
	}
	metaOnly, byVersion := false, false
	for _, p := range params {
		switch {
		case signatureParams[p.name]:
		case responseOverrides[p.name] != "" && r.Method == http.MethodGet:
		case p.name == "objectMeta" && r.Method == http.MethodHead:
			metaOnly = true
		case p.name == "versionId" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			if p.value == "" {
				return 0, invalidArgument("The versionId parameter must not be empty.")
			}
			byVersion = true
		default:
			return 0, notImplemented("The %s request parameter %q is not implemented by this OSS stand-in.", r.Method, p.name)
		}
	}
	switch r.Method {
	case http.MethodPut:
		return s.putObject(w, r, rec)
	case http.MethodDelete:
		// OSS answers 204 whether or not the object existed.
		s.store.delete(rec.Bucket, rec.Key)
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent, nil
	default:
		return s.getObject(w, r, rec, params, metaOnly, byVersion)
	}
}

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, rec *Request) (int, *ossError) {
	if r.Header.Get("x-oss-copy-source") != "" {
		return 0, notImplemented("CopyObject (x-oss-copy-source) is not implemented by this OSS stand-in.")
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
	if !s.commit(rec.Bucket, obj, EventPutObject, httpOrigin(rec, r.RemoteAddr)) {
		return 0, errNoSuchBucket
	}
	h := w.Header()
	setVersionID(h, rec, obj)
	h.Set("ETag", obj.ETag)
	h.Set("Content-MD5", contentMD5)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc64, 10))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
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

// getObject answers GET and HEAD; metaOnly (GetObjectMeta) returns only the
// basic headers, as OSS does. byVersion (a versionId parameter, logged in
// rec.VersionID) selects a version rather than the latest.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam, metaOnly, byVersion bool) (int, *ossError) {
	var obj *storedObject
	var ok bool
	if byVersion {
		if obj, ok = s.store.getVersion(rec.Bucket, rec.Key, rec.VersionID); !ok {
			return 0, errNoSuchVersion
		}
	} else if obj, ok = s.store.get(rec.Bucket, rec.Key); !ok {
		return 0, errNoSuchKey
	}
	h := w.Header()
	setVersionID(h, rec, obj)
	h.Set("ETag", obj.ETag)
	h.Set("Last-Modified", obj.LastModified.Format(http.TimeFormat))
	h.Set("Content-Length", strconv.Itoa(len(obj.Body)))
	if !metaOnly {
		h.Set("Content-Type", obj.ContentType)
		h.Set("x-oss-object-type", obj.objectType)
		h.Set("x-oss-storage-class", "Standard")
		h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc64, 10))
		for name, v := range obj.Meta {
			h.Set(metaPrefix+name, v)
		}
		for _, p := range params {
			if header := responseOverrides[p.name]; header != "" {
				h.Set(header, p.value)
			}
		}
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(obj.Body) // the client may be gone; nothing left to do then
	}
	return http.StatusOK, nil
}
