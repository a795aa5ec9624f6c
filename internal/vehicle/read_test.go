package vehicle

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func issueKeys(r Review) []string {
	keys := make([]string, 0, len(r.Issues))
	for _, is := range r.Issues {
		keys = append(keys, is.Field+"/"+is.Code)
	}
	return keys
}

func TestRead(t *testing.T) {
	for _, c := range corpus {
		t.Run(c.name, func(t *testing.T) {
			v, r, err := Read([]byte(c.body), c.side, recognizedAt)
			require.NoError(t, err)
			assert.Equal(t, c.want, v)
			want := c.issues
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, issueKeys(r))
			require.NotNil(t, r.Issues)
			if len(c.issues) == 0 {
				assert.Equal(t, Accepted, r.Status)
			} else {
				assert.Equal(t, NeedsReview, r.Status)
			}
		})
	}
}

func TestCorpusNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range corpus {
		assert.False(t, seen[c.name], c.name)
		seen[c.name] = true
	}
}

// TestGarbledExample pins the exact output for the vendor's own example,
// which is what downstream teams see for a garbled answer.
func TestGarbledExample(t *testing.T) {
	v, r, err := Read([]byte(garbledJSON), Front, recognizedAt)
	require.NoError(t, err)
	got, err := json.MarshalIndent(struct {
		Vehicle Vehicle `json:"vehicle"`
		Review  Review  `json:"review"`
	}{v, r}, "", "  ")
	require.NoError(t, err)
	assert.JSONEq(t, `{
	  "vehicle": {
	    "plateNo": "粤V",
	    "vehicleType": "质",
	    "useCharacter": "非营运",
	    "issuer": "广东省揭阳市公安局交通警察支队"
	  },
	  "review": {
	    "status": "needs_review",
	    "issues": [
	      {"field": "plateNo", "code": "plate_format", "message": "Not a mainland China plate number."},
	      {"field": "owner", "code": "misplaced", "message": "Looks like a passenger count, not a value of this field."},
	      {"field": "address", "code": "misplaced", "message": "Looks like a VIN, not a value of this field."},
	      {"field": "vin", "code": "missing", "message": "Required on the FRONT side but empty."},
	      {"field": "engineNo", "code": "misplaced", "message": "Looks like a mass, not a value of this field."},
	      {"field": "registerDate", "code": "date_format", "message": "Not a readable date."},
	      {"field": "issueDate", "code": "date_format", "message": "Not a readable date."}
	    ]
	  }
	}`, string(got))
}

func TestAcceptedIssuesEncodeAsEmptyList(t *testing.T) {
	_, r, err := Read([]byte(cleanFrontJSON), Front, recognizedAt)
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"accepted","issues":[]}`, string(b))
}

func TestZeroRecognitionTimeSkipsTheUpperBound(t *testing.T) {
	body := []byte(front(m{"issueDate": "2999-01-01"}))
	_, r, err := Read(body, Front, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, r.Issues)
	_, r, err = Read(body, Front, recognizedAt)
	require.NoError(t, err)
	assert.Equal(t, []string{"issueDate/date_range"}, issueKeys(r))
}

func TestReadErrors(t *testing.T) {
	cases := []struct {
		name, side, body string
		err              error
	}{
		{"unknown side", "LEFT", cleanFrontJSON, ErrCardSide},
		{"not JSON", Front, `{"data":`, ErrMalformed},
		{"empty body", Front, ``, ErrMalformed},
		{"array", Front, `[{"data":{}}]`, ErrMalformed},
		{"string", Front, `"data"`, ErrMalformed},
		{"vendor failure answer", Front, `{"serialNo":"343841871253995520","message":"存在非法参数","status":400,"code":1009}`, ErrNoData},
		{"data null", Front, `{"status":200,"data":null}`, ErrNoData},
		{"data a string", Front, `{"status":200,"data":"x"}`, ErrNoData},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Read([]byte(c.body), c.side, recognizedAt)
			assert.ErrorIs(t, err, c.err)
		})
	}
}

func TestEmptyDataIsMissingEverything(t *testing.T) {
	_, r, err := Read([]byte(`{"data":{}}`), Front, recognizedAt)
	require.NoError(t, err)
	assert.Equal(t, []string{"plateNo/missing", "owner/missing", "vin/missing", "registerDate/missing"}, issueKeys(r))
	_, r, err = Read([]byte(`{"data":{"frontInfo":null,"backInfo":"x"}}`), Back, recognizedAt)
	require.NoError(t, err)
	assert.Equal(t, []string{"plateNo/missing"}, issueKeys(r))
}

// TestMessagesNeverQuoteValues feeds distinctive values into every field and
// checks that no message repeats any of them.
func TestMessagesNeverQuoteValues(t *testing.T) {
	values := m{
		"owner": "QZXW9876543210ABC", "address": "7人", "vehicleType": "88888kg", "model": "粤B99999",
		"vin": "ZZZZ1234", "plateNo": "粤ZZZZZZZ", "engineNo": "粤B88888", "registerDate": "7777-77-77",
		"issueDate": "1888-01-01", "seal": "9999人", "useCharacter": "ABCDEFGHJ12345678",
	}
	backValues := m{
		"plateNo": "京Q1", "fileNo": "粤B77777", "allowNum": "777人", "totalMass": "777777kg",
		"curbWeight": "abc777", "loadQuality": "6人", "externalSize": "77×77", "record": "七七七",
		"marks": "粤B66666", "barcode": "BARCODE123456789", "totalQuasiMass": "京A12345", "energy": "99kg",
	}
	for _, side := range []string{Front, Back} {
		_, r, err := Read([]byte(answer(values, backValues)), side, recognizedAt)
		require.NoError(t, err)
		require.NotEmpty(t, r.Issues)
		for _, is := range r.Issues {
			for _, block := range []m{values, backValues} {
				for _, v := range block {
					s := v.(string)
					assert.NotContains(t, is.Message, s, "%s/%s", is.Field, is.Code)
					for _, part := range []string{strings.TrimSuffix(s, "人"), strings.TrimSuffix(s, "kg")} {
						if len(part) >= 4 {
							assert.NotContains(t, is.Message, part, "%s/%s", is.Field, is.Code)
						}
					}
				}
			}
		}
	}
}
