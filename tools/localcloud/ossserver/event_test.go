package ossserver_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// eventTemplate reads the fc3 component's OSS event template, kept with its
// licence notice in tools/deployspec/testdata.
func eventTemplate(t *testing.T) []byte {
	t.Helper()
	root, err := deployspec.RepoRoot()
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(root, "tools", "deployspec", "testdata", "fc3-oss-event-template.json"))
	require.NoError(t, err)
	return raw
}

// shape describes a decoded JSON value by its keys and value kinds,
// recursively: objects list "key:kind" for every key, arrays the shape of
// their elements.
func shape(v any) []string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			out = append(out, path+":object")
			for k, child := range v {
				walk(path+"."+k, child)
			}
		case []any:
			out = append(out, path+":array")
			for _, child := range v {
				walk(path+"[]", child)
			}
		case string:
			out = append(out, path+":string")
		case float64:
			out = append(out, path+":number")
		default:
			out = append(out, fmt.Sprintf("%s:%T", path, v))
		}
	}
	walk("", v)
	slices.Sort(out)
	return slices.Compact(out)
}

func TestEventPayloadHasTheTemplateShape(t *testing.T) {
	var template any
	require.NoError(t, json.Unmarshal(eventTemplate(t), &template))

	payload := ossserver.EventPayload(ossserver.ObjectCreated{
		EventName: ossserver.EventCompleteMultipartUpload, Bucket: "images", Key: "行驶证/a b+c.jpg",
		Size: 122539, DeltaSize: 122539, ETag: "688A7BF4F233DC9C88A80BF985AB7329-2",
		Time: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), Region: "cn-shanghai",
		RequestID: "58F9FF2D3DF792092E12044C", Listener: "internal", SourceIP: "127.0.0.1",
	}, "123456789")
	var got any
	require.NoError(t, json.Unmarshal(payload, &got))

	assert.Equal(t, shape(template), shape(got), "same keys and value kinds at every level")
}

func TestEventPayloadValues(t *testing.T) {
	ev := ossserver.ObjectCreated{
		EventName: ossserver.EventPutObject, Bucket: "images", Key: "行驶证/a&b <1>.jpg",
		Size: 29203, DeltaSize: -5, ETag: "7D73E105A1B2C3D4E5F60718293A4B5C",
		Time: time.Date(2026, 11, 27, 18, 0, 1, 234567890, time.FixedZone("CST", 8*3600)), Region: "cn-hangzhou",
		RequestID: "58F9FF2D3DF792092E12044C", Listener: "internal", SourceIP: "10.0.0.7",
	}
	payload := ossserver.EventPayload(ev, "1234567890123456")

	assert.Equal(t, `{"events":[{"eventName":"ObjectCreated:PutObject","eventSource":"acs:oss",`+
		`"eventTime":"2026-11-27T10:00:01.234Z","eventVersion":"1.0",`+
		`"oss":{"bucket":{"arn":"acs:oss:cn-hangzhou:1234567890123456:images","name":"images",`+
		`"ownerIdentity":"1234567890123456","virtualBucket":""},`+
		`"object":{"deltaSize":-5,"eTag":"7D73E105A1B2C3D4E5F60718293A4B5C","key":"行驶证/a&b <1>.jpg","size":29203},`+
		`"ossSchemaVersion":"1.0","ruleId":"`+ruleID(t, payload)+`"},"region":"cn-hangzhou",`+
		`"requestParameters":{"sourceIPAddress":"10.0.0.7"},"responseElements":{"requestId":"58F9FF2D3DF792092E12044C"},`+
		`"userIdentity":{"principalId":"1234567890123456"}}]}`, string(payload))
	assert.Regexp(t, `^[0-9a-f]{40}$`, ruleID(t, payload))
	assert.Equal(t, ruleID(t, payload), ruleID(t, ossserver.EventPayload(ossserver.ObjectCreated{Bucket: "images"}, "1")),
		"the rule ID is stable per bucket")
}

func ruleID(t *testing.T, payload []byte) string {
	t.Helper()
	var p struct {
		Events []struct {
			OSS struct {
				RuleID string `json:"ruleId"`
			} `json:"oss"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal(payload, &p))
	require.Len(t, p.Events, 1)
	return p.Events[0].OSS.RuleID
}

// From an upload through the SDK to what the function would decode.
func TestEventPayloadOfARealUpload(t *testing.T) {
	f := newFixture(t)
	events := make(chan ossserver.ObjectCreated, 1)
	f.srv.OnObjectCreated(func(ev ossserver.ObjectCreated) { events <- ev })
	require.NoError(t, bucket(t, f.internal, stsIdentity).PutObject(trickyKey, strings.NewReader("jpeg")))

	var p struct {
		Events []struct {
			EventName string `json:"eventName"`
			EventTime string `json:"eventTime"`
			OSS       struct {
				Bucket struct {
					Name string `json:"name"`
				} `json:"bucket"`
				Object struct {
					ETag string `json:"eTag"`
					Key  string `json:"key"`
					Size int64  `json:"size"`
				} `json:"object"`
			} `json:"oss"`
			Region string `json:"region"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal(ossserver.EventPayload(<-events, "1234567890123456"), &p))
	require.Len(t, p.Events, 1)
	got := p.Events[0]
	stored, ok := f.srv.Object(bucketName, trickyKey)
	require.True(t, ok)
	assert.Equal(t, "ObjectCreated:PutObject", got.EventName)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, got.EventTime)
	assert.Equal(t, bucketName, got.OSS.Bucket.Name)
	assert.Equal(t, trickyKey, got.OSS.Object.Key, "the key as stored, not URL-encoded")
	assert.Equal(t, strings.Trim(stored.ETag, `"`), got.OSS.Object.ETag)
	assert.Equal(t, int64(4), got.OSS.Object.Size)
	assert.Equal(t, region, got.Region)
}
