package ossserver

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"hash/crc64"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Multipart upload: InitiateMultipartUpload (POST ?uploads), UploadPart
// (PUT ?partNumber=N&uploadId=X), CompleteMultipartUpload (POST ?uploadId=X)
// and AbortMultipartUpload (DELETE ?uploadId=X); the listings ListParts and
// ListMultipartUploads are in multipart_list.go. Initiate, Complete and the
// listings take encoding-type=url, which URL-encodes the keys they answer
// with (the Go SDK v2 always asks for it). UploadPartCopy and complete-all
// are refused.

const (
	// minPartSize is OSS's minimum size of every part but the last: 100 KB,
	// which OSS (and the SDK's MinPartSize) take as 100 × 1024 bytes.
	minPartSize = 100 * 1024
	maxParts    = 10000 // part numbers run from 1 to 10000
)

// upload is one multipart upload in progress.
type upload struct {
	bucket, key string
	id          string
	// contentType, meta and acl are given at initiation and become the
	// object's, as on OSS; what UploadPart or Complete send is ignored.
	contentType string
	meta        map[string]string
	acl         string
	initiated   time.Time
	parts       map[int]*part // by part number; a re-upload replaces
}

// part is never modified once stored, so it may be read without the lock.
type part struct {
	body []byte
	md5  [md5.Size]byte
	etag string // quoted upper-case hex MD5, as UploadPart answers it
	crc  uint64
	at   time.Time // when it was uploaded, for ListParts
}

// uploads holds the uploads in progress by upload ID.
type uploads struct {
	mu   sync.Mutex
	byID map[string]*upload
}

// MultipartUpload describes a multipart upload in progress, as a test sees
// it: initiated and neither completed nor aborted.
type MultipartUpload struct {
	Key         string
	UploadID    string
	Initiated   time.Time
	PartNumbers []int // sorted
}

// MultipartUploads lists the uploads in progress in bucket, sorted by key,
// initiation time, then upload ID. Tests use it to check that an upload was
// completed or aborted rather than left behind.
func (s *Server) MultipartUploads(bucket string) []MultipartUpload {
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	var out []MultipartUpload
	for _, u := range s.uploads.byID {
		if u.bucket == bucket {
			out = append(out, MultipartUpload{Key: u.key, UploadID: u.id, Initiated: u.initiated,
				PartNumbers: slices.Sorted(maps.Keys(u.parts))})
		}
	}
	slices.SortFunc(out, func(a, b MultipartUpload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := a.Initiated.Compare(b.Initiated); c != 0 {
			return c
		}
		return strings.Compare(a.UploadID, b.UploadID)
	})
	return out
}

// encodingTypeParam reads the encoding-type parameter of a multipart
// operation.
func encodingTypeParam(params []queryParam) (bool, *ossError) {
	for _, p := range params {
		if p.name == "encoding-type" {
			return parseEncodingType(p.value)
		}
	}
	return false, nil
}

func (s *Server) initiateMultipartUpload(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	urlEncoded, err := encodingTypeParam(params)
	if err != nil {
		return 0, err
	}
	acl, err := objectACLHeader(r.Header, aclDefault)
	if err != nil {
		return 0, err
	}
	// newStoredObject applies PutObject's rules to Content-Type and meta;
	// only those two fields are kept.
	shape := newStoredObject(rec.Key, nil, r.Header.Get("Content-Type"), userMeta(r.Header), time.Time{})
	u := &upload{
		bucket:      rec.Bucket,
		key:         rec.Key,
		id:          newUploadID(),
		contentType: shape.ContentType,
		meta:        shape.Meta,
		acl:         acl,
		initiated:   s.now(),
		parts:       make(map[int]*part),
	}
	s.uploads.mu.Lock()
	if s.uploads.byID == nil {
		s.uploads.byID = make(map[string]*upload)
	}
	s.uploads.byID[u.id] = u
	s.uploads.mu.Unlock()

	d := newXMLDoc()
	d.open("InitiateMultipartUploadResult")
	d.elem("Bucket", rec.Bucket)
	d.elem("Key", encoder(urlEncoded)(rec.Key))
	d.elem("UploadId", u.id)
	if urlEncoded {
		d.elem("EncodingType", "url")
	}
	d.close("InitiateMultipartUploadResult")
	return d.send(w), nil
}

// find returns the upload, which must belong to this bucket and key: OSS
// scopes an upload ID to its object.
func (us *uploads) find(id, bucket, key string) (*upload, *ossError) {
	u, ok := us.byID[id]
	if !ok || u.bucket != bucket || u.key != key {
		return nil, errNoSuchUpload
	}
	return u, nil
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	uploadID := paramValue(params, "uploadId")
	number, err := strconv.Atoi(paramValue(params, "partNumber"))
	if err != nil || number < 1 || number > maxParts {
		return 0, invalidArgument("Part number must be an integer between 1 and %d, inclusive.", maxParts)
	}
	// Refuse an unknown upload before reading what may be a large body.
	s.uploads.mu.Lock()
	_, oerr := s.uploads.find(uploadID, rec.Bucket, rec.Key)
	s.uploads.mu.Unlock()
	if oerr != nil {
		return 0, oerr
	}
	body, rerr := io.ReadAll(r.Body)
	if rerr != nil {
		return 0, errIncompleteBody
	}
	p := &part{body: body, md5: md5.Sum(body), crc: crc64.Checksum(body, crcTable), at: s.now()}
	contentMD5 := base64.StdEncoding.EncodeToString(p.md5[:])
	if want := r.Header.Get("Content-MD5"); want != "" && want != contentMD5 {
		return 0, errInvalidDigest
	}
	p.etag = `"` + strings.ToUpper(hex.EncodeToString(p.md5[:])) + `"`

	// Looked up again: the upload may have been completed or aborted while
	// the body arrived.
	s.uploads.mu.Lock()
	u, oerr := s.uploads.find(uploadID, rec.Bucket, rec.Key)
	if oerr == nil {
		u.parts[number] = p
	}
	s.uploads.mu.Unlock()
	if oerr != nil {
		return 0, oerr
	}
	h := w.Header()
	h.Set("ETag", p.etag)
	h.Set("Content-MD5", contentMD5)
	// The SDK compares this with its own CRC of the part.
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(p.crc, 10))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// completeRequest is the body of CompleteMultipartUpload.
type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

func (s *Server) completeMultipartUpload(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	uploadID := paramValue(params, "uploadId")
	for _, h := range []string{"x-oss-complete-all", "x-oss-callback"} {
		if r.Header.Get(h) != "" {
			return 0, notImplemented("the local OSS server does not implement CompleteMultipartUpload with the %s header", h)
		}
	}
	urlEncoded, eerr := encodingTypeParam(params)
	if eerr != nil {
		return 0, eerr
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, errIncompleteBody
	}
	var req completeRequest
	if xml.Unmarshal(body, &req) != nil || len(req.Parts) == 0 {
		return 0, errMalformedXML
	}

	s.uploads.mu.Lock()
	u, oerr := s.uploads.find(uploadID, rec.Bucket, rec.Key)
	var parts []*part
	if oerr == nil {
		parts, oerr = u.choose(req)
	}
	if oerr == nil {
		// Completed: later UploadPart, Complete or Abort calls get
		// NoSuchUpload. After a refusal the upload stays, so the client
		// can fix its list and try again, as on OSS.
		delete(s.uploads.byID, uploadID)
	}
	s.uploads.mu.Unlock()
	if oerr != nil {
		return 0, oerr
	}

	obj := assemble(u, parts, s.now())
	if !s.commit(rec.Bucket, obj, EventCompleteMultipartUpload, httpOrigin(rec, r.RemoteAddr)) {
		return 0, errNoSuchBucket
	}
	setVersionID(w.Header(), rec, obj)
	w.Header().Set("ETag", obj.ETag)
	w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc64, 10))
	d := newXMLDoc()
	d.open("CompleteMultipartUploadResult")
	location := "http://" + r.Host + canonicalURI(rec.Bucket, rec.Key)
	if rec.VirtualHosted {
		location = "http://" + r.Host + "/" + escape(rec.Key, true)
	}
	d.elem("Location", location)
	d.elem("Bucket", rec.Bucket)
	d.elem("Key", encoder(urlEncoded)(rec.Key))
	d.elem("ETag", obj.ETag)
	if urlEncoded {
		d.elem("EncodingType", "url")
	}
	d.close("CompleteMultipartUploadResult")
	return d.send(w), nil
}

// choose checks the client's part list against the uploaded parts, in
// OSS's order: the list must be strictly ascending (InvalidPartOrder), each
// part must exist with that ETag (InvalidPart), and every part but the last
// must be at least minPartSize (EntityTooSmall). Parts left out of the list
// are discarded. The caller holds the uploads lock.
func (u *upload) choose(req completeRequest) ([]*part, *ossError) {
	for i := 1; i < len(req.Parts); i++ {
		if req.Parts[i].PartNumber <= req.Parts[i-1].PartNumber {
			return nil, errInvalidPartOrder
		}
	}
	chosen := make([]*part, 0, len(req.Parts))
	for i, want := range req.Parts {
		p, ok := u.parts[want.PartNumber]
		// ETags are compared without quotes and case: they are hex.
		if !ok || !strings.EqualFold(strings.Trim(strings.TrimSpace(want.ETag), `"`), strings.Trim(p.etag, `"`)) {
			return nil, errInvalidPart
		}
		if i < len(req.Parts)-1 && len(p.body) < minPartSize {
			return nil, errEntityTooSmall
		}
		chosen = append(chosen, p)
	}
	return chosen, nil
}

// assemble builds the completed object. Its ETag is OSS's (and S3's)
// multipart ETag: the upper-case hex MD5 of the parts' binary MD5s
// concatenated, then "-" and the number of parts.
func assemble(u *upload, parts []*part, at time.Time) *storedObject {
	var body bytes.Buffer
	digests := md5.New()
	for _, p := range parts {
		body.Write(p.body)
		digests.Write(p.md5[:])
	}
	obj := newStoredObject(u.key, body.Bytes(), u.contentType, u.meta, at)
	obj.ETag = `"` + strings.ToUpper(hex.EncodeToString(digests.Sum(nil))) + "-" + strconv.Itoa(len(parts)) + `"`
	obj.objectType = objectTypeMultipart
	obj.ACL = u.acl
	return obj
}

func (s *Server) abortMultipartUpload(w http.ResponseWriter, _ *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	uploadID := paramValue(params, "uploadId")
	s.uploads.mu.Lock()
	_, oerr := s.uploads.find(uploadID, rec.Bucket, rec.Key)
	if oerr == nil {
		delete(s.uploads.byID, uploadID)
	}
	s.uploads.mu.Unlock()
	if oerr != nil {
		return 0, oerr
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

// newUploadID returns 32 upper-case hex digits, the shape of OSS upload IDs.
func newUploadID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
