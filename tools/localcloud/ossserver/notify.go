package ossserver

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"time"
)

// The event names OSS gives uploads, as an FC OSS trigger subscribes to
// them. This server produces EventPutObject, EventCompleteMultipartUpload
// and EventCopyObject; it does not implement PostObject, and
// EventPostObject is here for callers that build an ObjectCreated by hand.
const (
	EventPutObject               = "ObjectCreated:PutObject"
	EventPostObject              = "ObjectCreated:PostObject"
	EventCompleteMultipartUpload = "ObjectCreated:CompleteMultipartUpload"
	EventCopyObject              = "ObjectCreated:CopyObject"
)

// ObjectCreated describes one object written by an upload, what OSS would
// turn into an ObjectCreated event for an FC trigger (see EventPayload).
type ObjectCreated struct {
	EventName string // EventPutObject, EventCompleteMultipartUpload or EventCopyObject
	Bucket    string
	Key       string // as stored, not URL-encoded
	Size      int64
	// DeltaSize is how much the bucket grew: Size, less the size of the
	// object this one replaced (so it may be negative), as OSS reports it.
	// In a versioned bucket nothing is replaced (the previous version stays
	// stored), so it is Size.
	DeltaSize int64
	// ETag is unquoted, as OSS events carry it: upper-case hex MD5, or
	// "<hex>-<parts>" after CompleteMultipartUpload.
	ETag string
	// Time is when the object was stored, by Config.Now, in UTC and with
	// sub-second precision (unlike Object.LastModified).
	Time      time.Time
	Region    string // Config.Region
	RequestID string // the x-oss-request-id of the upload
	Listener  string // which listener served the upload; "" for PutObjectNotify
	SourceIP  string // the client's IP address; "" for PutObjectNotify
	// VersionID is the version the upload created, as its x-oss-version-id
	// header said; "" in a bucket never versioned.
	VersionID string
}

// OnObjectCreated sets the function called once for every object created
// through a listener by PutObject, CompleteMultipartUpload or CopyObject
// (never by InitiateMultipartUpload, UploadPart, PutObjectAcl, a deletion
// or a failed request), and by PutObjectNotify. PutObject, the Go method that seeds tests, does
// not notify. f == nil stops notifications for uploads that complete
// afterwards.
//
// Delivery: f runs on a goroutine of the server, never while a lock of the
// store is held, and only once the upload's response has been logged and
// flushed to the client, so neither the HTTP response nor other requests
// wait for it, and Requests already lists the upload when f runs. Calls
// are made one at a time, in the order the objects were stored (so, per
// key, in the order of the writes); a slow f delays later events, not
// uploads. Each event goes to the f that was set when its object was
// stored. WaitNotifications waits for the events queued so far; Close
// waits until every event of an upload that completed before it has been
// delivered, so f must not block for ever, nor call Close. Unlike OSS,
// delivery is exactly once.
func (s *Server) OnObjectCreated(f func(ObjectCreated)) {
	s.notify.mu.Lock()
	defer s.notify.mu.Unlock()
	s.notify.fn = f
}

// WaitNotifications waits until every ObjectCreated event queued so far,
// which includes the events of every upload whose response a client has
// received, has been delivered and its callback has returned; or until ctx
// ends, returning ctx.Err(). Tests call it before asserting on what their
// callback did. Calling it from a callback can only end with ctx.
func (s *Server) WaitNotifications(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.notify.drain() // if ctx ends first, this goroutine ends with the queue
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PutObjectNotify stores an object like PutObject (same arguments, same
// result) and notifies as an upload through a listener would (the callback
// runs asynchronously, as for those), with EventName EventPutObject and a
// fresh RequestID but no Listener or SourceIP. It lets a demo upload "as a
// user" without an SDK client; it is not in the request log.
func (s *Server) PutObjectNotify(bucket, key string, body []byte, contentType string, meta map[string]string) (etag string) {
	obj := newStoredObject(key, bytes.Clone(body), contentType, meta, s.now())
	if !s.commit(bucket, obj, EventPutObject, eventOrigin{requestID: newRequestID(), ready: true}) {
		panic("ossserver: PutObjectNotify into unknown bucket " + `"` + bucket + `"; call CreateBucket first`)
	}
	return obj.ETag
}

// eventOrigin is what an event says about the upload that caused it.
type eventOrigin struct {
	requestID, listener, sourceIP string
	// ready is false for an upload through a listener: its event waits
	// until ServeHTTP has written and logged the response (see release).
	ready bool
}

// commit stores obj and, when a callback is set, queues its event while
// the store's lock is still held, so that events leave in the order the
// writes happened. It reports false when the bucket does not exist.
func (s *Server) commit(bucket string, obj *storedObject, eventName string, origin eventOrigin) bool {
	at := s.now().UTC()
	size := int64(len(obj.Body))
	return s.store.putThen(bucket, obj, func(replaced *storedObject) {
		delta := size
		if replaced != nil {
			delta -= int64(len(replaced.Body))
		}
		s.notify.enqueue(ObjectCreated{
			EventName: eventName,
			Bucket:    bucket,
			Key:       obj.Key,
			Size:      size,
			DeltaSize: delta,
			ETag:      strings.Trim(obj.ETag, `"`),
			Time:      at,
			Region:    s.region,
			RequestID: origin.requestID,
			Listener:  origin.listener,
			SourceIP:  origin.sourceIP,
			VersionID: obj.VersionID,
		}, origin.ready)
	})
}

// httpOrigin is the origin of an upload served by a listener.
func httpOrigin(rec *Request, remoteAddr string) eventOrigin {
	ip, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		ip = remoteAddr
	}
	return eventOrigin{requestID: rec.RequestID, listener: rec.Listener, sourceIP: ip}
}

// notifier queues events and delivers them, in order, on one goroutine that
// runs only while there is something to deliver.
type notifier struct {
	mu      sync.Mutex
	cond    *sync.Cond // signalled when the queue or running changes
	fn      func(ObjectCreated)
	queue   []*queuedEvent
	running bool // a delivery goroutine exists
}

type queuedEvent struct {
	ev    ObjectCreated
	fn    func(ObjectCreated)
	ready bool
}

func (n *notifier) init() { n.cond = sync.NewCond(&n.mu) }

// enqueue queues ev for the current callback, if any. It is called with the
// store's lock held and only takes n.mu, which is never held while the
// store is used.
func (n *notifier) enqueue(ev ObjectCreated, ready bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fn == nil {
		return
	}
	n.queue = append(n.queue, &queuedEvent{ev: ev, fn: n.fn, ready: ready})
	if !n.running {
		n.running = true
		go n.deliver()
	}
	n.cond.Broadcast()
}

// pending reports whether an event of the request is waiting for release.
func (n *notifier) pending(requestID string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, q := range n.queue {
		if !q.ready && q.ev.RequestID == requestID {
			return true
		}
	}
	return false
}

// release lets the events of a request go, once its response is out.
func (n *notifier) release(requestID string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, q := range n.queue {
		if q.ev.RequestID == requestID {
			q.ready = true
		}
	}
	n.cond.Broadcast()
}

// deliver calls the callbacks in queue order; an event not yet released
// holds back the ones behind it, which keeps the order of the writes. It
// returns when the queue is empty.
func (n *notifier) deliver() {
	n.mu.Lock()
	for len(n.queue) > 0 {
		head := n.queue[0]
		if !head.ready {
			n.cond.Wait()
			continue
		}
		n.queue[0] = nil
		n.queue = n.queue[1:]
		n.mu.Unlock()
		n.call(head)
		n.mu.Lock()
	}
	n.running = false
	n.cond.Broadcast()
	n.mu.Unlock()
}

// call runs one callback. If the callback never returns, because it
// panicked or called runtime.Goexit (as t.FailNow does from a test's
// callback), a new goroutine takes over the rest of the queue, so that the
// remaining events are still delivered and Close does not wait for ever.
func (n *notifier) call(q *queuedEvent) {
	returned := false
	defer func() {
		if !returned {
			go n.deliver() // running stays true: the new goroutine inherits it
		}
	}()
	q.fn(q.ev)
	returned = true
}

// drain waits until every queued event has been delivered.
func (n *notifier) drain() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for n.running {
		n.cond.Wait()
	}
}
