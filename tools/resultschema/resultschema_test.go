package resultschema

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const valid = `{"schemaVersion": 1, "status": "succeeded", "outcome": "succeeded",
 "source": {"bucket": "b-1", "key": "uploads/a.jpg", "etag": "ABC", "size": 10, "eventName": "ObjectCreated:PutObject", "eventTime": "2026-11-27T10:00:00Z"},
 "cardSide": "FRONT", "recognizedAt": "2026-11-27T10:00:01Z", "attempts": 1,
 "response": {"status": 200, "code": 0, "data": {}},
 "vehicle": {"plateNo": "京A12345", "registerDate": "2019-05-20", "approvedPassengers": 5},
 "review": {"status": "accepted", "issues": []}}`

// The schema says what the contract says: a drift either way fails.
func TestSchemaAcceptsTheContractAndRefusesDrift(t *testing.T) {
	s, err := Load()
	require.NoError(t, err)
	require.NoError(t, s.Validate([]byte(valid)))

	cases := map[string][2]string{
		"an unknown top-level field":          {`"attempts": 1,`, `"attempts": 1, "extra": true,`},
		"a renamed vehicle field":             {`"plateNo"`, `"plate"`},
		"a number as a string":                {`"approvedPassengers": 5`, `"approvedPassengers": "5"`},
		"a date in another form":              {`"2019-05-20"`, `"2019年05月20日"`},
		"accepted with issues":                {`"issues": []`, `"issues": [{"field": "vin", "code": "missing", "message": "m"}]`},
		"needs_review without issues":         {`"status": "accepted"`, `"status": "needs_review"`},
		"an unknown issue code":               {`"issues": []}`, `"issues": [{"field": "vin", "code": "guess", "message": "m"}], "status": "needs_review"}`},
		"a failed document with fields":       {`"status": "succeeded", "outcome": "succeeded"`, `"status": "failed", "outcome": "rejected", "error": {"message": "x"}`},
		"a succeeded document with an error":  {`"attempts": 1,`, `"attempts": 1, "error": {"message": "x"},`},
		"a review without the fields":         {`"vehicle": {"plateNo": "京A12345", "registerDate": "2019-05-20", "approvedPassengers": 5},`, ``},
		"a timestamp that is not a date-time": {`"recognizedAt": "2026-11-27T10:00:01Z"`, `"recognizedAt": "yesterday"`},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			doc := strings.Replace(valid, edit[0], edit[1], 1)
			require.NotEqual(t, valid, doc)
			assert.Error(t, s.Validate([]byte(doc)))
		})
	}
}
