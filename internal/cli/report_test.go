package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/resultschema"
)

// garbled is the vendor manual's own success answer, values in the wrong
// fields.
const garbled = `{"code":0,"status":200,"message":"success","data":{"backInfo":{},"frontInfo":{"owner":"5人","address":"0k4582X1T95X1458",
"vehicleType":"质","model":"","registerDate":"20","issueDate":"20","seal":"广东省揭阳市公安局交通警察支队","vin":"","plateNo":"粤V","useCharacter":"非营运","engineNo":"1820KG"}}}`

// reportBucket fills the test bucket through the real pipeline (a
// backfill): clean licences, one the vendor garbles, one it refuses, and
// images that get no result. Keys are chosen so that an image's result is
// not next to it in the listing.
func reportBucket(t *testing.T) *servers {
	t.Helper()
	s := startServers(t, func(r ocrserver.Request) ocrserver.Reply {
		switch {
		case strings.Contains(r.ImagePath, "garbled"):
			return ocrserver.Raw(http.StatusOK, "application/json", []byte(garbled))
		case strings.Contains(r.ImagePath, "refused"):
			return ocrserver.BusinessError(ocrserver.CodeIllegalParam, ocrserver.MsgIllegalParam)
		}
		return ocrserver.Success()
	})
	for i, k := range []string{"r/a.jpg", "r/a.jpg-2.jpg", "r/b garbled.png", "r/c refused.jpg"} {
		s.oss.PutObject(testBucket, k, img(i+1), "image/png", nil)
	}
	var o output
	require.Equal(t, ExitOK, Run([]string{"backfill", "--bucket", testBucket, "--prefix", "r/"}, o.io(s.env, nil)), o.String())
	s.oss.PutObject(testBucket, "r/a.jpg-1.JPG", img(9), "image/png", nil) // uploaded after: no result yet
	s.oss.PutObject(testBucket, "r/z.jpg", img(10), "image/png", nil)
	s.oss.PutObject(testBucket, "r/notes.txt", []byte("x"), "text/plain", nil)
	return s
}

func readCSV(t *testing.T, b []byte) (header []string, rows map[string]map[string]string) {
	t.Helper()
	require.True(t, bytes.HasPrefix(b, []byte("\xef\xbb\xbf")), "UTF-8 BOM first, for Excel")
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	rows = map[string]map[string]string{}
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		rows[m["key"]] = m
	}
	return recs[0], rows
}

func TestReportCSV(t *testing.T) {
	s := reportBucket(t)
	out := filepath.Join(t.TempDir(), "report.csv")
	var o output
	require.Equal(t, ExitOK, Run([]string{"report", "--bucket", testBucket, "--prefix", "r/", "--out", out, "--page-size", "2"}, o.io(s.env, nil)), o.String())

	b, err := os.ReadFile(out)
	require.NoError(t, err)
	header, rows := readCSV(t, b)
	assert.Equal(t, []string{"key", "status", "outcome", "reviewStatus", "issues", "plateNo", "vehicleType", "owner"}, header[:8])
	assert.Contains(t, header, "inspectionValidUntil")
	require.Len(t, rows, 6, "one row per image, whether it has a result or not: %v", rows)

	clean := rows["r/a.jpg"]
	assert.Equal(t, "succeeded", clean["status"])
	assert.Equal(t, "accepted", clean["reviewStatus"])
	assert.NotEmpty(t, clean["vin"])
	assert.NotEmpty(t, clean["plateNo"])

	bad := rows["r/b garbled.png"]
	assert.Equal(t, "needs_review", bad["reviewStatus"])
	assert.Contains(t, bad["issues"], "owner:misplaced")
	assert.Contains(t, bad["issues"], "vin:missing")
	assert.Empty(t, bad["owner"])

	assert.Equal(t, "failed", rows["r/c refused.jpg"]["status"])
	assert.Equal(t, "rejected", rows["r/c refused.jpg"]["outcome"])
	for _, k := range []string{"r/a.jpg-1.JPG", "r/z.jpg"} {
		assert.Equal(t, "no_result", rows[k]["status"], k)
	}
	assert.Equal(t, "succeeded", rows["r/a.jpg-2.jpg"]["status"], "an image between another and its result")

	assert.Contains(t, o.stderr.String(), "report: 6 images, 4 results (succeeded 3 · failed 1; rejected 1 · transient 0 · misconfigured 0; accepted 2 · needs_review 1), 2 images without a result")
}

func TestReportOnlyAndJSONL(t *testing.T) {
	s := reportBucket(t)
	cases := []struct {
		only string
		want []string
	}{
		{"needs_review", []string{"r/b garbled.png"}},
		{"no_result", []string{"r/a.jpg-1.JPG", "r/z.jpg"}},
		{"rejected", []string{"r/c refused.jpg"}},
		{"succeeded", []string{"r/a.jpg", "r/a.jpg-2.jpg", "r/b garbled.png"}},
	}
	for _, tc := range cases {
		t.Run(tc.only, func(t *testing.T) {
			var o output
			require.Equal(t, ExitOK, Run([]string{"report", "--bucket", testBucket, "--prefix", "r/", "--only", tc.only}, o.io(s.env, nil)))
			_, rows := readCSV(t, []byte(o.stdout.String()))
			var keys []string
			for k := range rows {
				keys = append(keys, k)
			}
			assert.ElementsMatch(t, tc.want, keys)
		})
	}

	var o output
	require.Equal(t, ExitOK, Run([]string{"report", "--bucket", testBucket, "--prefix", "r/", "--format", "jsonl"}, o.io(s.env, nil)))
	lines := strings.Split(strings.TrimSpace(o.stdout.String()), "\n")
	require.Len(t, lines, 4, "one line per result document")
	for _, l := range lines {
		resultschema.Check(t, []byte(l))
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &doc))
	}
}

func TestReportRefusesBadUsage(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"report"}, want: "--bucket is required"},
		{args: []string{"report", "--bucket", "b", "--format", "xlsx"}, want: "--format must be csv or jsonl"},
		{args: []string{"report", "--bucket", "b", "--only", "maybe"}, want: "--only must be one of"},
		{args: []string{"report", "--bucket", "b", "--concurrency", "0"}, want: "--concurrency must be from 1"},
		{args: []string{"report", "--bucket", "b"}, env: map[string]string{"OSS_REGION": "cn-hangzhou"}, want: "no credentials"},
		{args: []string{"report", "--bucket", "b"}, env: map[string]string{}, want: "OSS_REGION is required"},
	}
	for _, tc := range cases {
		var o output
		assert.Equal(t, ExitUsage, Run(tc.args, o.io(tc.env, nil)), tc.args)
		assert.Contains(t, o.String(), tc.want)
	}
}
