package ossserver

import (
	"net/http"
	"strings"
)

// Object ACLs (OSS API reference: PutObjectACL, GetObjectACL, and the
// x-oss-object-acl header of PutObject): every object has one of
// "default" (follow the bucket's ACL, the value until something else is
// set), "private", "public-read" or "public-read-write". Buckets here are
// always private and have no ACL operations. A public-read(-write) object
// can be read (GetObject, HeadObject, GetObjectMeta) without a signature,
// as on OSS; nothing else is opened to anonymous requests.

const (
	aclDefault         = "default"
	aclPrivate         = "private"
	aclPublicRead      = "public-read"
	aclPublicReadWrite = "public-read-write"
)

var errInvalidObjectACL = invalidArgument("no such object access control exists")

// objectACLHeader returns the x-oss-object-acl header, or otherwise when
// it is absent, refusing a value OSS does not have.
func objectACLHeader(h http.Header, otherwise string) (string, *ossError) {
	values := h.Values("x-oss-object-acl")
	if len(values) == 0 {
		return otherwise, nil
	}
	switch acl := strings.TrimSpace(values[0]); acl {
	case aclDefault, aclPrivate, aclPublicRead, aclPublicReadWrite:
		return acl, nil
	}
	return "", errInvalidObjectACL
}

// getObjectACL answers GetObjectAcl (GET or HEAD ?acl) with the
// AccessControlPolicy document.
func (s *Server) getObjectACL(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	obj, err := s.findObject(rec, params)
	if err != nil {
		return 0, err
	}
	setVersionID(w.Header(), rec, obj)
	d := newXMLDoc()
	d.open("AccessControlPolicy")
	d.open("Owner")
	d.elem("ID", s.accountID)
	d.elem("DisplayName", s.accountID)
	d.close("Owner")
	d.open("AccessControlList")
	d.elem("Grant", obj.ACL)
	d.close("AccessControlList")
	d.close("AccessControlPolicy")
	if r.Method == http.MethodHead {
		return d.sendHeaders(w), nil
	}
	return d.send(w), nil
}

// putObjectACL sets the ACL of the object (or of the version versionId
// names) from x-oss-object-acl, which PutObjectAcl requires.
func (s *Server) putObjectACL(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	acl, err := objectACLHeader(r.Header, "")
	if err != nil {
		return 0, err
	}
	if acl == "" {
		return 0, errInvalidObjectACL
	}
	obj, err := s.findObject(rec, params)
	if err != nil {
		return 0, err
	}
	updated, ok := s.store.setACL(rec.Bucket, obj, acl)
	if !ok {
		return 0, errNoSuchKey // deleted meanwhile
	}
	setVersionID(w.Header(), rec, updated)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// publicReadable reports whether the object an unsigned read names has a
// public ACL. Buckets are private, so "default" is private too.
func (s *Server) publicReadable(rec *Request, params []queryParam) bool {
	obj, err := s.findObject(rec, params)
	return err == nil && (obj.ACL == aclPublicRead || obj.ACL == aclPublicReadWrite)
}
