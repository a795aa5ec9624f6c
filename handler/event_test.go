package handler

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeEventRefusesMalformedPayloads(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		want    string
	}{
		{name: "not JSON", payload: "hello", want: "payload is not an OSS trigger event"},
		{name: "empty", payload: "", want: "payload is not an OSS trigger event"},
		{name: "JSON array", payload: `[{"eventName":"ObjectCreated:PutObject"}]`, want: "payload is not an OSS trigger event"},
		{name: "events of the wrong type", payload: `{"events":{"a":1}}`, want: "payload is not an OSS trigger event"},
		{name: "size of the wrong type", payload: `{"events":[{"oss":{"bucket":{"name":"b"},"object":{"key":"a.jpg","size":"12"}}}]}`, want: "payload is not an OSS trigger event"},
		{name: "no events key", payload: `{}`, want: "payload has no events"},
		{name: "empty events", payload: `{"events":[]}`, want: "payload has no events"},
		{name: "null events", payload: `{"events":null}`, want: "payload has no events"},
		{name: "missing bucket", payload: `{"events":[{"eventName":"ObjectCreated:PutObject","oss":{"object":{"key":"a.jpg","size":1}}}]}`, want: "events[0] has no oss.bucket.name"},
		{name: "missing key in the second record", payload: `{"events":[{"oss":{"bucket":{"name":"b"},"object":{"key":"a.jpg"}}},{"oss":{"bucket":{"name":"b"},"object":{}}}]}`, want: "events[1] has no oss.object.key"},
		{name: "bucket name OSS would never send", payload: `{"events":[{"oss":{"bucket":{"name":"../Other"},"object":{"key":"a.jpg"}}}]}`, want: "not a valid OSS bucket name"},
		{name: "record not an object", payload: `{"events":[42]}`, want: "payload is not an OSS trigger event"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeEvent([]byte(tc.payload))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDecodeEventReadsTheOSSTriggerShape(t *testing.T) {
	ev, err := DecodeEvent([]byte(`{"events":[{"eventName":"ObjectCreated:PutObject","eventSource":"acs:oss",
		"eventTime":"2026-11-27T10:00:00.000Z","eventVersion":"1.0","region":"cn-hangzhou",
		"oss":{"bucket":{"arn":"acs:oss:cn-hangzhou:1:vehicle-docs","name":"vehicle-docs"},
		"object":{"deltaSize":5,"eTag":"688A7BF4F233DC9C88A80BF985AB7329","key":"行驶证/a b.jpg","size":5}}}]}`))
	require.NoError(t, err)
	require.Len(t, ev.Events, 1)
	r := ev.Events[0]
	assert.Equal(t, "ObjectCreated:PutObject", r.EventName)
	assert.Equal(t, "2026-11-27T10:00:00.000Z", r.EventTime)
	assert.Equal(t, "vehicle-docs", r.OSS.Bucket.Name)
	assert.Equal(t, "行驶证/a b.jpg", r.OSS.Object.Key)
	assert.Equal(t, "688A7BF4F233DC9C88A80BF985AB7329", r.OSS.Object.ETag)
	assert.Equal(t, int64(5), r.OSS.Object.Size)
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"events":[{"eventName":"ObjectCreated:PutObject","oss":{"bucket":{"name":"vehicle-docs"},"object":{"key":"a.jpg","size":1}}}]}`))
	f.Add([]byte(`{"events":[]}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(`{"events":[{"oss":{"object":{"size":1e99}}}]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		ev, err := DecodeEvent(payload)
		if err != nil {
			return
		}
		// Whatever is accepted is something the handler can rely on.
		if len(ev.Events) == 0 {
			t.Fatal("accepted a payload without events")
		}
		for _, r := range ev.Events {
			if r.OSS.Bucket.Name == "" || r.OSS.Object.Key == "" {
				t.Fatal("accepted a record without bucket or key")
			}
		}
	})
}
