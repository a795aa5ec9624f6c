package ossserver_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// recorder collects events; Close delivers every pending one before it
// returns, so a test can read them right after closing the server.
type recorder struct {
	mu     sync.Mutex
	events []ossserver.ObjectCreated
}

func (r *recorder) record(ev ossserver.ObjectCreated) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) all() []ossserver.ObjectCreated {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ossserver.ObjectCreated(nil), r.events...)
}

func TestObjectCreatedEvents(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	f.srv.OnObjectCreated(rec.record)
	b := bucket(t, f.internal, stsIdentity)
	start := time.Now()

	// Seeding does not notify; PutObjectNotify does.
	f.srv.PutObject(bucketName, "seeded.jpg", []byte("seed"), "", nil)
	notified := f.srv.PutObjectNotify(bucketName, "demo/a.jpg", []byte("demo"), "image/jpeg", nil)

	// PutObject through a listener notifies.
	require.NoError(t, b.PutObject(trickyKey, strings.NewReader("jpeg bytes")))
	put := lastRequest(t, f.srv)

	// Multipart: only the completion notifies.
	imur, err := b.InitiateMultipartUpload("multi.jpg")
	require.NoError(t, err)
	p1, err := b.UploadPart(imur, bytes.NewReader(filled("a", minPart)), minPart, 1)
	require.NoError(t, err)
	p2, err := b.UploadPart(imur, bytes.NewReader([]byte("end")), 3, 2)
	require.NoError(t, err)
	_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p1, p2})
	require.NoError(t, err)
	complete := lastRequest(t, f.srv)

	// Neither failures, deletes, reads nor aborted uploads notify.
	wrong := bucket(t, f.internal, identity{id: stsID, secret: "wrong", token: stsToken})
	require.Error(t, wrong.PutObject("refused.jpg", strings.NewReader("x")))
	require.Error(t, b.PutObject("bad-md5.jpg", strings.NewReader("x"), oss.ContentMD5("1B2M2Y8AsgTpgAmY7PhCfg==")))
	require.NoError(t, b.DeleteObject(trickyKey))
	_, err = b.GetObjectMeta("multi.jpg")
	require.NoError(t, err)
	aborted, err := b.InitiateMultipartUpload("aborted.jpg")
	require.NoError(t, err)
	_, err = b.UploadPart(aborted, strings.NewReader("x"), 1, 1)
	require.NoError(t, err)
	require.NoError(t, b.AbortMultipartUpload(aborted))

	require.NoError(t, f.srv.Close())
	events := rec.all()
	require.Len(t, events, 3)

	demo, sdkPut, multi := events[0], events[1], events[2]
	assert.Equal(t, ossserver.EventPutObject, demo.EventName)
	assert.Equal(t, "demo/a.jpg", demo.Key)
	assert.Equal(t, strings.Trim(notified, `"`), demo.ETag)
	assert.Regexp(t, `^[0-9A-F]{24}$`, demo.RequestID)
	assert.Empty(t, demo.Listener)
	assert.Empty(t, demo.SourceIP)

	assert.Equal(t, ossserver.ObjectCreated{
		EventName: ossserver.EventPutObject,
		Bucket:    bucketName,
		Key:       trickyKey,
		Size:      int64(len("jpeg bytes")),
		DeltaSize: int64(len("jpeg bytes")),
		ETag:      strings.Trim(md5ETag([]byte("jpeg bytes")), `"`),
		Time:      sdkPut.Time,
		Region:    region,
		RequestID: put.RequestID,
		Listener:  "internal",
		SourceIP:  "127.0.0.1",
	}, sdkPut)
	assert.WithinDuration(t, start, sdkPut.Time, time.Minute)
	assert.Equal(t, time.UTC, sdkPut.Time.Location())

	assert.Equal(t, ossserver.EventCompleteMultipartUpload, multi.EventName)
	assert.Equal(t, "multi.jpg", multi.Key)
	assert.Equal(t, int64(minPart+3), multi.Size)
	assert.Equal(t, strings.Trim(multipartETag(filled("a", minPart), []byte("end")), `"`), multi.ETag)
	assert.Regexp(t, `^[0-9A-F]{32}-2$`, multi.ETag)
	assert.Equal(t, complete.RequestID, multi.RequestID)
}

func TestObjectCreatedDeltaSize(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	f.srv.OnObjectCreated(rec.record)
	b := bucket(t, f.internal, stsIdentity)

	require.NoError(t, b.PutObject("a.jpg", strings.NewReader("1234567890")))
	require.NoError(t, b.PutObject("a.jpg", strings.NewReader("123")))

	require.NoError(t, f.srv.Close())
	events := rec.all()
	require.Len(t, events, 2)
	assert.Equal(t, int64(10), events[0].DeltaSize, "a new object adds its size")
	assert.Equal(t, int64(3), events[1].Size)
	assert.Equal(t, int64(-7), events[1].DeltaSize, "an overwrite adds the difference")
}

// The callback runs after the response: a callback that blocks delays
// neither the upload's response nor other requests, and by the time it
// runs the upload is stored and in the request log.
func TestObjectCreatedRunsAfterTheResponse(t *testing.T) {
	f := newFixture(t)
	release := make(chan struct{})
	type seen struct {
		stored, logged bool
	}
	got := make(chan seen, 1)
	f.srv.OnObjectCreated(func(ev ossserver.ObjectCreated) {
		_, stored := f.srv.Object(ev.Bucket, ev.Key)
		logged := false
		for _, r := range f.srv.Requests() {
			logged = logged || r.RequestID == ev.RequestID && r.Status == http.StatusOK
		}
		got <- seen{stored, logged}
		<-release
	})
	b := bucket(t, f.internal, stsIdentity)

	require.NoError(t, b.PutObject("a.jpg", strings.NewReader("x")))
	assert.Equal(t, seen{stored: true, logged: true}, <-got)
	// The callback is still blocked; uploads and reads go on.
	require.NoError(t, b.PutObject("b.jpg", strings.NewReader("y")))
	_, err := b.GetObjectMeta("b.jpg")
	require.NoError(t, err)

	close(release)
	assert.Equal(t, seen{stored: true, logged: true}, <-got)
}

// Events leave in the order the objects were stored, so for every key the
// last event describes the object that is stored in the end.
func TestObjectCreatedKeepsTheOrderOfWrites(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	f.srv.OnObjectCreated(func(ev ossserver.ObjectCreated) {
		time.Sleep(100 * time.Microsecond) // a slow consumer: events queue up
		rec.record(ev)
	})
	internal := bucket(t, f.internal, stsIdentity)
	public := bucket(t, f.public, permanentIdentity)

	const writers, writes = 8, 15
	keys := []string{"k/0.jpg", "k/1.jpg", "k/2.jpg"}
	type write struct{ writer, index int }
	byETag := make(map[string]write) // every body is distinct, so is its ETag
	for w := range writers {
		for i := range writes {
			byETag[strings.Trim(md5ETag([]byte(fmt.Sprintf("writer %d write %d", w, i))), `"`)] = write{w, i}
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := internal
			if w%2 == 1 {
				b = public
			}
			for i := range writes {
				body := fmt.Sprintf("writer %d write %d", w, i)
				assert.NoError(t, b.PutObject(keys[(w+i)%len(keys)], strings.NewReader(body)))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, f.srv.Close())

	events := rec.all()
	require.Len(t, events, writers*writes)
	last := make(map[string]ossserver.ObjectCreated)
	next := make([]int, writers) // the write each writer's next event must be
	for _, ev := range events {
		last[ev.Key] = ev
		wr, ok := byETag[ev.ETag]
		require.True(t, ok, ev.ETag)
		// A writer's writes are sequential, so its events come in its order.
		assert.Equal(t, next[wr.writer], wr.index, "writer %d", wr.writer)
		next[wr.writer] = wr.index + 1
	}
	for _, key := range keys {
		obj, ok := f.srv.Object(bucketName, key)
		require.True(t, ok)
		assert.Equal(t, strings.Trim(obj.ETag, `"`), last[key].ETag, "the last event of %s describes the stored object", key)
	}
}

func TestOnObjectCreatedNilStopsNotifications(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	f.srv.OnObjectCreated(rec.record)
	b := bucket(t, f.internal, stsIdentity)
	require.NoError(t, b.PutObject("a.jpg", strings.NewReader("x")))

	f.srv.OnObjectCreated(nil)
	require.NoError(t, b.PutObject("b.jpg", strings.NewReader("x")))
	f.srv.PutObjectNotify(bucketName, "c.jpg", []byte("x"), "", nil)

	require.NoError(t, f.srv.Close())
	events := rec.all()
	require.Len(t, events, 1)
	assert.Equal(t, "a.jpg", events[0].Key)
}

// A callback that never returns normally (runtime.Goexit is what t.FailNow
// does) loses only its own event: the rest are delivered and Close returns.
func TestObjectCreatedSurvivesAGoexitingCallback(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	f.srv.OnObjectCreated(func(ev ossserver.ObjectCreated) {
		if ev.Key == "first.jpg" {
			runtime.Goexit()
		}
		rec.record(ev)
	})
	f.srv.PutObjectNotify(bucketName, "first.jpg", []byte("x"), "", nil)
	f.srv.PutObjectNotify(bucketName, "second.jpg", []byte("x"), "", nil)

	done := make(chan error, 1)
	go func() { done <- f.srv.Close() }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	events := rec.all()
	require.Len(t, events, 1)
	assert.Equal(t, "second.jpg", events[0].Key)
}

func TestPutObjectNotifyIntoUnknownBucketPanics(t *testing.T) {
	f := newFixture(t)
	assert.PanicsWithValue(t, `ossserver: PutObjectNotify into unknown bucket "nope"; call CreateBucket first`, func() {
		f.srv.PutObjectNotify("nope", "a.jpg", nil, "", nil)
	})
}

func TestWaitNotifications(t *testing.T) {
	f := newFixture(t)
	release := make(chan struct{})
	rec := &recorder{}
	f.srv.OnObjectCreated(func(ev ossserver.ObjectCreated) {
		<-release
		rec.record(ev)
	})
	require.NoError(t, f.srv.WaitNotifications(context.Background()), "nothing queued")

	require.NoError(t, bucket(t, f.internal, stsIdentity).PutObject("a.jpg", strings.NewReader("x")))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, f.srv.WaitNotifications(ctx), context.DeadlineExceeded, "the callback is still blocked")

	close(release)
	require.NoError(t, f.srv.WaitNotifications(context.Background()))
	events := rec.all()
	require.Len(t, events, 1, "delivered by the time WaitNotifications returns")
	assert.Equal(t, "a.jpg", events[0].Key)
}
