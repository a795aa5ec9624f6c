package deployspec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wantEvents is what each sample payload under events/ must hold: the
// eventName and object key of each record, in order.
var wantEvents = map[string][][2]string{
	"put-object.json":                {{"ObjectCreated:PutObject", "uploads/car-001.jpg"}},
	"post-object.json":               {{"ObjectCreated:PostObject", "uploads/car-002.png"}},
	"complete-multipart-upload.json": {{"ObjectCreated:CompleteMultipartUpload", "uploads/car-003.jpeg"}},
	"chinese-space-key.json":         {{"ObjectCreated:PutObject", "uploads/行驶证 正面 京A12345.jpg"}},
	"non-image.json":                 {{"ObjectCreated:PutObject", "uploads/notes.txt"}},
	"own-result.json":                {{"ObjectCreated:PutObject", "uploads/car-001.jpg.json"}},
	"batch.json": {
		{"ObjectCreated:PutObject", "uploads/batch-1.jpg"},
		{"ObjectCreated:PutObject", "uploads/batch-2.JPG"},
		{"ObjectCreated:PostObject", "uploads/batch-3.png"},
		{"ObjectCreated:PutObject", "uploads/batch-4.bmp"},
		{"ObjectCreated:CompleteMultipartUpload", "uploads/batch-5.jpeg"},
	},
}

// eventFiles decodes every events/*.json file, by base name.
func eventFiles(t *testing.T) map[string]map[string]any {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), "events", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no events/*.json files")
	out := map[string]map[string]any{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(data, &doc), "%s is not a JSON object", p)
		out[filepath.Base(p)] = doc
	}
	return out
}

// records returns the events array of a payload as objects.
func records(t *testing.T, file string, doc map[string]any) []map[string]any {
	t.Helper()
	list, ok := doc["events"].([]any)
	require.True(t, ok, "%s: events is not an array", file)
	require.NotEmpty(t, list, "%s: events is empty", file)
	out := make([]map[string]any, len(list))
	for i, r := range list {
		out[i], ok = r.(map[string]any)
		require.True(t, ok, "%s: events[%d] is not an object", file, i)
	}
	return out
}

// sameShape reports where got differs from want in its keys (at every level)
// or in the JSON kind of a value.
func sameShape(path string, want, got any) []string {
	wantKind, gotKind := jsonKind(want), jsonKind(got)
	if wantKind != gotKind {
		return []string{path + ": is " + gotKind + ", the template has " + wantKind}
	}
	w, ok := want.(map[string]any)
	if !ok {
		return nil
	}
	g := got.(map[string]any)
	var diffs []string
	for _, k := range sortedKeys(w) {
		if _, ok := g[k]; !ok {
			diffs = append(diffs, joinKey(path, k)+": missing")
		}
	}
	for _, k := range sortedKeys(g) {
		if _, ok := w[k]; !ok {
			diffs = append(diffs, joinKey(path, k)+": not in the template")
			continue
		}
		diffs = append(diffs, sameShape(joinKey(path, k), w[k], g[k])...)
	}
	return diffs
}

// jsonKind is the JSON type of a decoded value, without the integer/number
// distinction.
func jsonKind(v any) string {
	if k := jsonType(v); k != "integer" {
		return k
	}
	return "number"
}

func TestEventsHaveTemplateShape(t *testing.T) {
	// The fc3 component's template of an OSS trigger event.
	data, err := os.ReadFile(filepath.Join("testdata", "fc3-oss-event-template.json"))
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	tmplRecord := records(t, "template", template)[0]

	for file, doc := range eventFiles(t) {
		t.Run(file, func(t *testing.T) {
			assert.Equal(t, sortedKeys(template), sortedKeys(doc), "top-level keys")
			for i, rec := range records(t, file, doc) {
				for _, d := range sameShape("events["+strconv.Itoa(i)+"]", tmplRecord, rec) {
					t.Error(d)
				}
			}
		})
	}
}

func TestEventsContent(t *testing.T) {
	const account, region, bucket = "1234567890123456", "cn-hangzhou", "vehicle-docs"
	eTag := regexp.MustCompile(`^[0-9A-F]{32}$`)
	files := eventFiles(t)

	for name := range wantEvents {
		assert.Contains(t, files, name, "events/%s is missing", name)
	}

	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "events", "README.md"))
	require.NoError(t, err, "events/README.md")

	for file, doc := range files {
		t.Run(file, func(t *testing.T) {
			assert.Contains(t, string(readme), "`"+file+"`", "events/README.md does not describe %s", file)
			recs := records(t, file, doc)
			want, known := wantEvents[file]
			if known {
				require.Len(t, recs, len(want))
			}
			for i, rec := range recs {
				at := file + " events[" + strconv.Itoa(i) + "]"
				name, _ := rec["eventName"].(string)
				assert.True(t, strings.HasPrefix(name, "ObjectCreated:"), "%s: eventName %q", at, name)
				assert.Equal(t, "acs:oss", rec["eventSource"], at)
				assert.Equal(t, "1.0", rec["eventVersion"], at)
				assert.Equal(t, region, rec["region"], at)
				ts, _ := rec["eventTime"].(string)
				_, err := time.Parse(time.RFC3339, ts)
				assert.NoError(t, err, "%s: eventTime", at)

				oss, _ := rec["oss"].(map[string]any)
				b, _ := oss["bucket"].(map[string]any)
				obj, _ := oss["object"].(map[string]any)
				require.NotNil(t, b, "%s: oss.bucket", at)
				require.NotNil(t, obj, "%s: oss.object", at)
				assert.Equal(t, bucket, b["name"], at)
				assert.Equal(t, "acs:oss:"+region+":"+account+":"+bucket, b["arn"], at)
				assert.Equal(t, account, b["ownerIdentity"], at)
				size, _ := obj["size"].(float64)
				assert.Greater(t, size, 0.0, "%s: object size", at)
				assert.Regexp(t, eTag, obj["eTag"], "%s: eTag (32 upper-case hex digits)", at)

				if known {
					assert.Equal(t, want[i][0], name, "%s: eventName", at)
					assert.Equal(t, want[i][1], obj["key"], "%s: key", at)
				}
			}
		})
	}
}
