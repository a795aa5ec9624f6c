package ossserver

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc64"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Object is a copy of one stored object, as a test sees it.
type Object struct {
	Key  string
	Body []byte
	// ETag is the value of the ETag header, quoted upper-case hex MD5 of the
	// body exactly as OSS sends it, e.g. "\"7D73E105...\"" ("\"<hex>-<parts>\""
	// for an object made by CompleteMultipartUpload). OSS event records
	// carry it without the quotes: strings.Trim(etag, `"`).
	ETag        string
	ContentType string
	// Meta is the user metadata, names lower-cased (as OSS stores them) and
	// without the x-oss-meta- prefix.
	Meta         map[string]string
	LastModified time.Time
	// ACL is the object's ACL: "default" (the bucket's, which is
	// private), "private", "public-read" or "public-read-write", as
	// x-oss-object-acl or PutObjectAcl set it.
	ACL string
	// Encryption and KMSKeyID are the server-side encryption PutObject
	// asked for (x-oss-server-side-encryption and its key id), or "".
	Encryption, KMSKeyID string
	// VersionID is the object's version ID, as x-oss-version-id carries it:
	// "" in a bucket whose versioning was never enabled, "null" for an
	// object stored before EnableVersioning, else an opaque ID OSS-style
	// ("CAEQ...").
	VersionID string
}

// storedObject is never modified once stored (a PUT replaces it), so
// handlers may read it without holding the store's lock.
type storedObject struct {
	Object
	crc64 uint64 // x-oss-hash-crc64ecma: the SDK checks it on PUT and GET
	// objectType is x-oss-object-type and the Type of a listing: "Normal"
	// for PutObject, "Multipart" for CompleteMultipartUpload, as on OSS.
	objectType string
}

const (
	objectTypeNormal    = "Normal"
	objectTypeMultipart = "Multipart"
)

// store is the in-memory state every listener shares: bucket → key → object.
type store struct {
	mu      sync.RWMutex
	buckets map[string]map[string]*storedObject // the current (latest) objects
	// versions holds, for every bucket with versioning enabled (and only
	// those), key → every version stored since, oldest first, including
	// versions no longer current because DeleteObject hid the key.
	versions map[string]map[string][]*storedObject
	seq      uint64               // versions created so far, part of every version ID
	created  map[string]time.Time // bucket → creation time, for ListBuckets
	// sorted is each bucket's keys in byte order, built by the first listing
	// after the key set changed: paging through a million keys must not sort
	// them again for every page.
	sorted map[string][]string
}

const metaPrefix = "x-oss-meta-"

// crcTable is CRC-64/ECMA-182 as OSS computes it (Go's crc64 applies the
// same initial and final inversion).
var crcTable = crc64.MakeTable(crc64.ECMA)

func newStoredObject(key string, body []byte, contentType string, meta map[string]string, at time.Time) *storedObject {
	sum := md5.Sum(body)
	if contentType == "" {
		contentType = "application/octet-stream" // what OSS records when none is sent
	}
	clean := make(map[string]string, len(meta))
	for name, v := range meta {
		name = strings.ToLower(name)
		clean[strings.TrimPrefix(name, metaPrefix)] = v
	}
	return &storedObject{
		Object: Object{
			Key:         key,
			Body:        body,
			ETag:        `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`,
			ContentType: contentType,
			Meta:        clean,
			ACL:         aclDefault,
			// HTTP dates have second resolution; truncating keeps Object and
			// the Last-Modified header equal.
			LastModified: at.UTC().Truncate(time.Second),
		},
		crc64:      crc64.Checksum(body, crcTable),
		objectType: objectTypeNormal,
	}
}

func (st *store) createBucket(name string, at time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.buckets == nil {
		st.buckets = make(map[string]map[string]*storedObject)
		st.created = make(map[string]time.Time)
	}
	if _, ok := st.buckets[name]; !ok {
		st.buckets[name] = make(map[string]*storedObject)
		st.created[name] = at.UTC().Truncate(time.Second)
	}
}

// bucketInfo is what ListBuckets reports of a bucket.
type bucketInfo struct {
	name    string
	created time.Time
}

// bucketList returns every bucket, sorted by name.
func (st *store) bucketList() []bucketInfo {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]bucketInfo, 0, len(st.buckets))
	for _, name := range slices.Sorted(maps.Keys(st.buckets)) {
		out = append(out, bucketInfo{name: name, created: st.created[name]})
	}
	return out
}

// setACL replaces obj, wherever the store holds it (as the current object,
// as a version, or both), by a copy with the given ACL, since stored
// objects are immutable. It reports false when obj is no longer stored.
func (st *store) setACL(bucket string, obj *storedObject, acl string) (*storedObject, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	updated := *obj
	updated.ACL = acl
	found := false
	if objects := st.buckets[bucket]; objects[obj.Key] == obj {
		objects[obj.Key] = &updated
		found = true
	}
	history := st.versions[bucket][obj.Key]
	for i, v := range history {
		if v == obj {
			history[i] = &updated
			found = true
		}
	}
	return &updated, found
}

func (st *store) hasBucket(name string) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	_, ok := st.buckets[name]
	return ok
}

// put stores obj and reports false when the bucket does not exist.
func (st *store) put(bucket string, obj *storedObject) bool { return st.putThen(bucket, obj, nil) }

// putThen stores obj and, if it was stored, calls then with the object it
// replaced (nil if none) before releasing the lock. then must be quick and
// must not use the store: it exists so that notifications are queued in
// exactly the order the writes happened.
//
// In a versioned bucket, obj (not yet shared with anyone) is given a new
// version ID and kept as a new version; nothing is replaced then (then gets
// nil), since the previous version stays stored.
func (st *store) putThen(bucket string, obj *storedObject, then func(replaced *storedObject)) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	objects, ok := st.buckets[bucket]
	if !ok {
		return false
	}
	replaced, existed := objects[obj.Key]
	if !existed {
		delete(st.sorted, bucket)
	}
	if history := st.versions[bucket]; history != nil {
		st.seq++
		obj.VersionID = newVersionID(st.seq)
		history[obj.Key] = append(history[obj.Key], obj)
		replaced = nil
	}
	objects[obj.Key] = obj
	if then != nil {
		then(replaced)
	}
	return true
}

// enableVersioning turns versioning on for bucket; the objects already
// there become version "null". It reports false for an unknown bucket.
func (st *store) enableVersioning(bucket string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	objects, ok := st.buckets[bucket]
	if !ok {
		return false
	}
	if st.versions == nil {
		st.versions = make(map[string]map[string][]*storedObject)
	}
	if st.versions[bucket] != nil {
		return true // already enabled
	}
	history := make(map[string][]*storedObject, len(objects))
	for key, obj := range objects {
		// Stored objects are immutable (handlers may be reading this one):
		// the null version is a copy.
		null := *obj
		null.VersionID = nullVersion
		objects[key] = &null
		history[key] = []*storedObject{&null}
	}
	st.versions[bucket] = history
	return true
}

// nullVersion is the version ID of an object stored before versioning was
// enabled, as on OSS.
const nullVersion = "null"

// getVersion returns the version id of key. In a bucket never versioned,
// the only version is "null", the current object.
func (st *store) getVersion(bucket, key, id string) (*storedObject, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	history := st.versions[bucket]
	if history == nil {
		obj, ok := st.buckets[bucket][key]
		return obj, ok && id == nullVersion
	}
	for _, obj := range history[key] {
		if obj.VersionID == id {
			return obj, true
		}
	}
	return nil, false
}

// newVersionID returns an opaque, unique version ID of the shape OSS gives
// (base64 of a small protobuf-like record, "CAEQ..."): a sequence number,
// a timestamp and 32 random hex digits. It may contain '+' and '/', which
// clients must escape in a query, as with OSS's.
func newVersionID(seq uint64) string {
	b := []byte{0x08, 0x01, 0x10}
	b = binary.AppendUvarint(b, seq)
	b = append(b, 0x18)
	b = binary.AppendUvarint(b, uint64(time.Now().UnixMicro()))
	var r [16]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails on supported platforms
	b = append(b, 0x22, 0x20)
	b = hex.AppendEncode(b, r[:])
	return base64.RawStdEncoding.EncodeToString(b)
}

func (st *store) get(bucket, key string) (*storedObject, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	obj, ok := st.buckets[bucket][key]
	return obj, ok
}

// delete removes key from the current objects. In a versioned bucket its
// versions stay readable by version ID (as behind an OSS delete marker).
func (st *store) delete(bucket, key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.buckets[bucket], key)
	delete(st.sorted, bucket)
}

// sortedKeysLocked returns bucket's keys in byte order (Go compares
// strings that way, as OSS orders keys). The caller holds st.mu for writing.
func (st *store) sortedKeysLocked(bucket string) []string {
	if keys, ok := st.sorted[bucket]; ok {
		return keys
	}
	if st.sorted == nil {
		st.sorted = make(map[string][]string)
	}
	keys := slices.Sorted(maps.Keys(st.buckets[bucket]))
	st.sorted[bucket] = keys
	return keys
}

func (st *store) keys(bucket string) []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return slices.Sorted(maps.Keys(st.buckets[bucket]))
}

// CreateBucket adds an empty bucket; creating an existing one is a no-op.
// It panics on a name that path-style addressing cannot reach (empty or
// containing '/'), since that is a mistake in the calling test.
func (s *Server) CreateBucket(name string) {
	if name == "" || strings.Contains(name, "/") {
		panic("ossserver: invalid bucket name " + `"` + name + `"`)
	}
	s.store.createBucket(name, s.now())
}

// PutObject stores an object directly, bypassing HTTP and authentication, to
// seed tests. Meta names may be given with or without the x-oss-meta- prefix.
// It returns the ETag as the ETag header carries it (quoted); in a versioned
// bucket, Object tells the version ID it got. It panics if the bucket does
// not exist: call CreateBucket first.
func (s *Server) PutObject(bucket, key string, body []byte, contentType string, meta map[string]string) (etag string) {
	obj := newStoredObject(key, bytes.Clone(body), contentType, meta, s.now())
	if !s.store.put(bucket, obj) {
		panic("ossserver: PutObject into unknown bucket " + `"` + bucket + `"; call CreateBucket first`)
	}
	return obj.ETag
}

// DeleteObject removes an object directly, bypassing HTTP and
// authentication, as DeleteObject without a version ID would (in a
// versioned bucket the key is hidden, its versions kept). Tests use it for
// a user deleting an image while the function works on it.
func (s *Server) DeleteObject(bucket, key string) {
	s.store.delete(bucket, key)
}

// EnableVersioning sets the versioning of bucket to "Enabled", as
// PutBucketVersioning would: from then on every upload (and PutObject,
// PutObjectNotify) creates a new version with a new version ID, and GET and
// HEAD answer x-oss-version-id and accept ?versionId=. Objects already
// stored become version "null". Versioning cannot be suspended. It panics
// if the bucket does not exist.
func (s *Server) EnableVersioning(bucket string) {
	if !s.store.enableVersioning(bucket) {
		panic("ossserver: EnableVersioning of unknown bucket " + `"` + bucket + `"; call CreateBucket first`)
	}
}

// Object returns a copy of the stored object (the latest version in a
// versioned bucket), or false if there is none.
func (s *Server) Object(bucket, key string) (Object, bool) {
	obj, ok := s.store.get(bucket, key)
	return copyObject(obj, ok)
}

// ObjectVersion returns a copy of the given version of an object, or false
// if there is no such version. In a bucket never versioned, the current
// object is version "null".
func (s *Server) ObjectVersion(bucket, key, versionID string) (Object, bool) {
	obj, ok := s.store.getVersion(bucket, key, versionID)
	return copyObject(obj, ok)
}

func copyObject(obj *storedObject, ok bool) (Object, bool) {
	if !ok {
		return Object{}, false
	}
	c := obj.Object
	c.Body = bytes.Clone(obj.Body)
	c.Meta = maps.Clone(obj.Meta)
	return c, true
}

// Keys lists the keys stored in bucket, sorted; nil for an unknown or empty
// bucket. Tests use it to assert what was (not) written.
func (s *Server) Keys(bucket string) []string { return s.store.keys(bucket) }
