package vehicle

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/resultschema"
)

var (
	frontKeys = []string{"plateNo", "vehicleType", "owner", "address", "useCharacter", "model", "vin", "engineNo", "registerDate", "issueDate", "seal"}
	backKeys  = []string{"plateNo", "fileNo", "allowNum", "totalMass", "curbWeight", "loadQuality", "totalQuasiMass", "externalSize", "energy", "record", "marks", "barcode"}
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	monthRE   = regexp.MustCompile(`^\d{4}-\d{2}$`)
)

// vehicleFields are the JSON names of Vehicle's fields.
func vehicleFields() []string {
	var names []string
	for f := range reflect.TypeFor[Vehicle]().Fields() {
		names = append(names, strings.TrimSuffix(f.Tag.Get("json"), ",omitempty"))
	}
	return names
}

// TestFieldNames ties the issue field names to Vehicle's JSON names and the
// vendor's keys, and checks that the vendor keys reach their slots.
func TestFieldNames(t *testing.T) {
	known := append(vehicleFields(), append(frontKeys, backKeys...)...)
	for _, name := range fieldNames {
		assert.Contains(t, known, name)
	}
	for _, name := range vehicleFields() {
		assert.Contains(t, fieldNames[:], name, "every Vehicle field has a place in the issue order")
	}
	var f frontInfo
	var b backInfo
	for _, k := range frontKeys {
		assert.NotNil(t, f.slot(k), k)
	}
	for _, k := range backKeys {
		assert.NotNil(t, b.slot(k), k)
	}
}

func FuzzRead(f *testing.F) {
	for _, c := range corpus {
		f.Add([]byte(c.body), c.side == Back, recognizedAt.Unix())
	}
	for _, body := range []string{`{"data":{}}`, `{"data":null}`, `[]`, `{"data":{"frontInfo":{"vin":"\ud800"}}}`} {
		f.Add([]byte(body), false, int64(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, back bool, unix int64) {
		side := Front
		if back {
			side = Back
		}
		checkRead(t, body, side, time.Unix(unix, 0))
	})
}

// FuzzValues puts arbitrary text into two vendor fields of an otherwise
// clean page, which reaches the normalisers far more often than mutating
// whole bodies does.
func FuzzValues(f *testing.F) {
	keys := append(frontKeys, backKeys...)
	for _, c := range corpus {
		var blocks struct {
			Data struct{ FrontInfo, BackInfo map[string]any }
		}
		require.NoError(f, json.Unmarshal([]byte(c.body), &blocks))
		for k, v := range blocks.Data.FrontInfo {
			if s, ok := v.(string); ok {
				f.Add(uint8(slices.Index(keys, k)), s, uint8(0), "", c.side == Back)
			}
		}
		for k, v := range blocks.Data.BackInfo {
			if s, ok := v.(string); ok {
				f.Add(uint8(len(frontKeys)+slices.Index(backKeys, k)), s, uint8(0), "", c.side == Back)
			}
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, a string, j uint8, b string, back bool) {
		frontBlock, backBlock := maps.Clone(cleanFrontInfo), maps.Clone(cleanBackInfo)
		for _, kv := range []struct {
			k uint8
			v string
		}{{i, a}, {j, b}} {
			k := int(kv.k) % len(keys)
			if k < len(frontKeys) {
				frontBlock[keys[k]] = kv.v
			} else {
				backBlock[keys[k]] = kv.v
			}
		}
		side := Front
		if back {
			side = Back
		}
		checkRead(t, []byte(answer(frontBlock, backBlock)), side, recognizedAt)
	})
}

// checkRead checks what must hold for every body.
func checkRead(t *testing.T, body []byte, side string, at time.Time) {
	fields := append(vehicleFields(), append(frontKeys, backKeys...)...)
	v, r, err := Read(body, side, at)
	if err != nil {
		require.True(t, slices.Contains([]error{ErrMalformed, ErrNoData}, err), err)
		return
	}
	require.NotNil(t, r.Issues)
	require.Equal(t, len(r.Issues) == 0, r.Status == Accepted)
	require.Equal(t, len(r.Issues) > 0, r.Status == NeedsReview)
	for i, is := range r.Issues {
		require.Contains(t, codeNames[:], is.Code)
		require.Contains(t, fields, is.Field)
		require.NotEmpty(t, is.Message)
		if i > 0 {
			prev := r.Issues[i-1]
			pf, f := slices.Index(fieldNames[:], prev.Field), slices.Index(fieldNames[:], is.Field)
			pc, c := slices.Index(codeNames[:], prev.Code), slices.Index(codeNames[:], is.Code)
			require.True(t, pf < f || pf == f && pc < c, "issues in order and unique")
		}
	}
	for _, d := range []string{v.RegisterDate, v.IssueDate} {
		if d != "" {
			require.Regexp(t, dateRE, d)
		}
	}
	if v.InspectionValidUntil != "" {
		require.Regexp(t, monthRE, v.InspectionValidUntil)
	}
	for _, n := range []int{v.ApprovedPassengers, v.TotalMassKg, v.CurbWeightKg, v.ApprovedLoadKg, v.TowingMassKg, v.LengthMm, v.WidthMm, v.HeightMm} {
		require.GreaterOrEqual(t, n, 0)
	}

	b, err := json.Marshal(v)
	require.NoError(t, err)
	var v2 Vehicle
	require.NoError(t, json.Unmarshal(b, &v2))
	require.Equal(t, v, v2)
	b, err = json.Marshal(r)
	require.NoError(t, err)
	var r2 Review
	require.NoError(t, json.Unmarshal(b, &r2))
	require.Equal(t, r, r2)

	v3, r3, err := Read(body, side, at)
	require.NoError(t, err)
	require.Equal(t, v, v3, "deterministic")
	require.Equal(t, r, r3, "deterministic")

	// What Read returns is what a succeeded result document carries: it
	// must follow the published schema.
	doc, err := json.Marshal(map[string]any{
		"schemaVersion": 1, "status": "succeeded", "outcome": "succeeded", "cardSide": side,
		"source":       map[string]any{"bucket": "b-1", "key": "k.jpg", "etag": "E", "size": 1, "eventName": "ObjectCreated:PutObject", "eventTime": "t"},
		"recognizedAt": "2026-11-27T10:00:01Z", "attempts": 1, "response": map[string]any{"status": 200},
		"vehicle": v, "review": r,
	})
	require.NoError(t, err)
	resultschema.Check(t, doc)
}
