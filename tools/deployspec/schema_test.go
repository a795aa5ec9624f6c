package deployspec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// validateJSON validates the JSON text value against the JSON text schema.
func validateJSON(t *testing.T, schema string, strict bool, value string) []Violation {
	t.Helper()
	s, err := ParseSchema([]byte(schema))
	require.NoError(t, err)
	s.Strict = strict
	var v any
	require.NoError(t, json.Unmarshal([]byte(value), &v), "test value")
	return s.Validate("", v)
}

// assertViolations checks that got holds exactly the wanted violations, each
// matched on its exact path and a fragment of its message.
func assertViolations(t *testing.T, got []Violation, want ...Violation) {
	t.Helper()
	if !assert.Len(t, got, len(want), "violations: %v", got) {
		return
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if g.Path == w.Path && strings.Contains(g.Message, w.Message) {
				found = true
				break
			}
		}
		assert.True(t, found, "want a violation at %s mentioning %q; got %v", w.Path, w.Message, got)
	}
}

const objectSchema = `{
  "type": "object",
  "properties": {
    "name": {"type": "string"},
    "size": {"type": "integer"},
    "mode": {"enum": ["fast", "slow"], "type": "string"}
  },
  "required": ["name"]
}`

func TestValidatorAcceptsValidObject(t *testing.T) {
	assertViolations(t, validateJSON(t, objectSchema, true, `{"name": "a", "size": 3, "mode": "fast"}`))
}

func TestValidatorRejectsUnknownPropertyWhenAdditionalPropertiesFalse(t *testing.T) {
	schema := `{"type": "object", "properties": {"memorySize": {"type": "integer"}}, "additionalProperties": false}`
	got := validateJSON(t, schema, false, `{"memorySise": 128}`)
	assertViolations(t, got, Violation{Path: "memorySise", Message: `unknown property (did you mean "memorySize"?)`})
}

func TestValidatorStrictClosesObjectSchemasWithProperties(t *testing.T) {
	value := `{"name": "a", "nmae": "b"}`
	assertViolations(t, validateJSON(t, objectSchema, false, value)) // draft-07: open
	assertViolations(t, validateJSON(t, objectSchema, true, value),
		Violation{Path: "nmae", Message: `unknown property (did you mean "name"?)`})

	// An explicit additionalProperties wins over strictness, and objects
	// without a property list stay open.
	open := `{"type": "object", "properties": {"a": {}}, "additionalProperties": true}`
	assertViolations(t, validateJSON(t, open, true, `{"a": 1, "b": 2}`))
	assertViolations(t, validateJSON(t, `{"type": "object"}`, true, `{"b": 2}`))
}

func TestValidatorSuggestsOnlyPlausibleNames(t *testing.T) {
	got := validateJSON(t, objectSchema, true, `{"name": "a", "completelyDifferent": 1}`)
	require.Len(t, got, 1)
	assert.Equal(t, "unknown property", got[0].Message)
}

func TestValidatorRejectsWrongType(t *testing.T) {
	got := validateJSON(t, objectSchema, true, `{"name": 7, "size": 1.5}`)
	assertViolations(t, got,
		Violation{Path: "name", Message: "expected string, got integer 7"},
		Violation{Path: "size", Message: "expected integer, got number 1.5"},
	)
	assertViolations(t, validateJSON(t, objectSchema, true, `["name"]`),
		Violation{Path: "(root)", Message: "expected object, got array"})
	assertViolations(t, validateJSON(t, `{"type": ["string", "null"]}`, false, `null`))
	assertViolations(t, validateJSON(t, `{"type": ["string", "null"]}`, false, `true`),
		Violation{Path: "(root)", Message: "expected string or null, got boolean true"})
	// An integer is a number.
	assertViolations(t, validateJSON(t, `{"type": "number"}`, false, `3`))
}

func TestValidatorRejectsMissingRequired(t *testing.T) {
	assertViolations(t, validateJSON(t, objectSchema, true, `{"size": 1}`),
		Violation{Path: "(root)", Message: `missing required property "name"`})
}

func TestValidatorRejectsEnumAndConstViolations(t *testing.T) {
	assertViolations(t, validateJSON(t, objectSchema, true, `{"name": "a", "mode": "medium"}`),
		Violation{Path: "mode", Message: `"medium" is not one of ["fast", "slow"]`})
	assertViolations(t, validateJSON(t, `{"enum": [512, 10240]}`, false, `512`))
	assertViolations(t, validateJSON(t, `{"const": "auto"}`, false, `"manual"`),
		Violation{Path: "(root)", Message: `"manual" is not the allowed value "auto"`})
}

func TestValidatorFollowsRefs(t *testing.T) {
	schema := `{
	  "definitions": {
	    "Region": {"enum": ["cn-hangzhou", "cn-shanghai"], "type": "string"},
	    "Holder": {"type": "object", "properties": {"region": {"$ref": "#/definitions/Region"}}}
	  },
	  "type": "object",
	  "properties": {"home": {"$ref": "#/definitions/Holder"}, "broken": {"$ref": "#/definitions/Nope"}}
	}`
	assertViolations(t, validateJSON(t, schema, true, `{"home": {"region": "cn-hangzhou"}}`))
	assertViolations(t, validateJSON(t, schema, true, `{"home": {"region": "mars-1", "zone": "a"}}`),
		Violation{Path: "home.region", Message: `"mars-1" is not one of`},
		Violation{Path: "home.zone", Message: "unknown property"},
	)
	assertViolations(t, validateJSON(t, schema, true, `{"broken": 1}`),
		Violation{Path: "broken", Message: `unresolvable $ref "#/definitions/Nope"`})
}

func TestValidatorAnyOfReportsClosestAlternative(t *testing.T) {
	schema := `{
	  "definitions": {
	    "Vpc": {"type": "object", "properties": {"vpcId": {"type": "string"}, "vSwitchIds": {"type": "array", "items": {"type": "string"}}}, "required": ["vpcId", "vSwitchIds"]}
	  },
	  "anyOf": [{"$ref": "#/definitions/Vpc"}, {"const": "auto", "type": "string"}]
	}`
	assertViolations(t, validateJSON(t, schema, true, `"auto"`))
	assertViolations(t, validateJSON(t, schema, true, `{"vpcId": "vpc-1", "vSwitchIds": ["vsw-1"]}`))
	got := validateJSON(t, schema, true, `{"vpcId": "vpc-1", "vSwitchIds": "vsw-1"}`)
	assertViolations(t, got, Violation{Path: "vSwitchIds", Message: "expected array, got string"})
	assert.Contains(t, got[0].Message, "closest of 2 alternatives: #1 #/definitions/Vpc")
}

func TestValidatorOneOfNeedsExactlyOne(t *testing.T) {
	schema := `{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}`
	// On a tie the first alternative is the one reported.
	assertViolations(t, validateJSON(t, schema, false, `2.5`), Violation{Path: "(root)", Message: "expected integer, got number 2.5 (closest of 2 alternatives: #1)"})
	assertViolations(t, validateJSON(t, schema, false, `3`))
	assertViolations(t, validateJSON(t, schema, false, `12`), Violation{Path: "(root)", Message: "matches 2 of the oneOf alternatives"})
}

func TestValidatorAllOfAndNot(t *testing.T) {
	schema := `{"allOf": [{"type": "string"}, {"minLength": 3}], "not": {"const": "bad"}}`
	assertViolations(t, validateJSON(t, schema, false, `"good"`))
	assertViolations(t, validateJSON(t, schema, false, `"ab"`), Violation{Path: "(root)", Message: "shorter than 3 characters"})
	assertViolations(t, validateJSON(t, schema, false, `"bad"`), Violation{Path: "(root)", Message: `must not match the schema under "not"`})
}

func TestValidatorIfThenElse(t *testing.T) {
	// The shape the fc3 schema uses: a partial "if" on one property, which
	// strict mode must not close.
	schema := `{
	  "type": "object",
	  "properties": {"runtime": {"type": "string"}, "code": {"type": "string"}, "handler": {"type": "string"}, "image": {"type": "string"}},
	  "if": {"properties": {"runtime": {"enum": ["custom-container"], "type": "string"}}},
	  "then": {"required": ["image"]},
	  "else": {"required": ["code", "handler"]}
	}`
	assertViolations(t, validateJSON(t, schema, true, `{"runtime": "custom-container", "image": "registry/x"}`))
	assertViolations(t, validateJSON(t, schema, true, `{"runtime": "custom-container"}`),
		Violation{Path: "(root)", Message: `missing required property "image"`})
	assertViolations(t, validateJSON(t, schema, true, `{"runtime": "go1", "code": "./build"}`),
		Violation{Path: "(root)", Message: `missing required property "handler"`})
}

func TestValidatorNumericBounds(t *testing.T) {
	schema := `{"type": "integer", "minimum": 128, "maximum": 32768, "multipleOf": 64}`
	assertViolations(t, validateJSON(t, schema, false, `128`))
	assertViolations(t, validateJSON(t, schema, false, `64`), Violation{Path: "(root)", Message: "less than the minimum 128"})
	assertViolations(t, validateJSON(t, schema, false, `65536`), Violation{Path: "(root)", Message: "greater than the maximum 32768"})
	assertViolations(t, validateJSON(t, schema, false, `200`), Violation{Path: "(root)", Message: "not a multiple of 64"})
	assertViolations(t, validateJSON(t, `{"multipleOf": 0.05}`, false, `0.35`))
	excl := `{"exclusiveMinimum": 0, "exclusiveMaximum": 1}`
	assertViolations(t, validateJSON(t, excl, false, `0.5`))
	assertViolations(t, validateJSON(t, excl, false, `0`), Violation{Path: "(root)", Message: "not greater than 0"})
	assertViolations(t, validateJSON(t, excl, false, `1`), Violation{Path: "(root)", Message: "not less than 1"})
}

func TestValidatorArrays(t *testing.T) {
	list := `{"type": "array", "items": {"enum": ["GET", "POST"], "type": "string"}, "minItems": 1, "maxItems": 2, "uniqueItems": true}`
	assertViolations(t, validateJSON(t, list, false, `["GET"]`))
	assertViolations(t, validateJSON(t, list, false, `["GET", "PUT"]`), Violation{Path: "[1]", Message: `"PUT" is not one of`})
	assertViolations(t, validateJSON(t, list, false, `[]`), Violation{Path: "(root)", Message: "fewer than the minimum 1"})
	assertViolations(t, validateJSON(t, list, false, `["GET", "POST", "GET"]`),
		Violation{Path: "(root)", Message: "more than the maximum 2"},
		Violation{Path: "(root)", Message: "items 0 and 2 are equal"})

	tuple := `{"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}`
	assertViolations(t, validateJSON(t, tuple, false, `["a", 1]`))
	assertViolations(t, validateJSON(t, tuple, false, `[1, 1, "extra"]`),
		Violation{Path: "[0]", Message: "expected string"},
		Violation{Path: "[2]", Message: "must not match"})
}

func TestValidatorStrings(t *testing.T) {
	schema := `{"type": "string", "pattern": "^custom", "maxLength": 8}`
	assertViolations(t, validateJSON(t, schema, false, `"custom.1"`))
	assertViolations(t, validateJSON(t, schema, false, `"go1"`), Violation{Path: "(root)", Message: `does not match pattern "^custom"`})
	assertViolations(t, validateJSON(t, schema, false, `"custom.debian12"`), Violation{Path: "(root)", Message: "longer than 8 characters"})
	// Length counts characters, not bytes.
	assertViolations(t, validateJSON(t, `{"maxLength": 3}`, false, `"行驶证"`))

	_, err := ParseSchema([]byte(`{"pattern": "(unclosed"}`))
	assert.ErrorContains(t, err, "(unclosed")
}

func TestValidatorAdditionalPropertiesSchema(t *testing.T) {
	// The fc3 IKV shape: a map of strings.
	schema := `{"type": "object", "additionalProperties": {"type": "string"}}`
	assertViolations(t, validateJSON(t, schema, true, `{"A": "1", "B": "x"}`))
	assertViolations(t, validateJSON(t, schema, true, `{"A": 1, "B": "x"}`), Violation{Path: "A", Message: "expected string, got integer 1"})
}

func TestValidatorBooleanSubschemas(t *testing.T) {
	schema := `{"type": "object", "properties": {"anything": true, "nothing": false}}`
	assertViolations(t, validateJSON(t, schema, false, `{"anything": [1, {"x": null}]}`))
	assertViolations(t, validateJSON(t, schema, false, `{"nothing": 1}`), Violation{Path: "nothing", Message: "must not match"})
}

func TestValidatorPathsAreReadable(t *testing.T) {
	schema := `{"type": "object", "properties": {"list": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "integer"}}}}}`
	got := validateJSON(t, schema, true, `{"list": [{}, {"ok": 1, "odd key": "x"}]}`)
	assertViolations(t, got, Violation{Path: `list[1]["odd key"]`, Message: `expected integer, got string "x"`})
	assert.Equal(t, `list[1]["odd key"]: expected integer, got string "x"`, got[0].String())

	s, err := ParseSchema([]byte(objectSchema))
	require.NoError(t, err)
	got = s.Validate("props", map[string]any{"size": "big"})
	assertViolations(t, got,
		Violation{Path: "props", Message: `missing required property "name"`},
		Violation{Path: "props.size", Message: "expected integer"})
}

func TestValidatorAcceptsYAMLDecodedValues(t *testing.T) {
	var v any
	require.NoError(t, yaml.Unmarshal([]byte("name: a\nsize: 128\nnested:\n  1: one\n"), &v))
	s, err := ParseSchema([]byte(`{"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer", "minimum": 128}, "nested": {"type": "object", "properties": {"1": {"type": "string"}}}}}`))
	require.NoError(t, err)
	s.Strict = true
	assertViolations(t, s.Validate("", v))

	got := s.Validate("", map[string]any{"name": "a", "size": int64(64), "nested": map[any]any{1: 1}})
	assertViolations(t, got,
		Violation{Path: "size", Message: "less than the minimum 128"},
		Violation{Path: `nested["1"]`, Message: "expected string"})
}

// TestValidatorCoversFC3SchemaKeywords proves the validator evaluates every
// keyword the fc3 schema uses: none would be silently ignored.
func TestValidatorCoversFC3SchemaKeywords(t *testing.T) {
	s := loadFC3Schema(t)
	assert.Empty(t, s.UnsupportedKeywords())

	other, err := ParseSchema([]byte(`{"properties": {"a": {"format": "uri", "dependencies": {}}}}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"dependencies", "format"}, other.UnsupportedKeywords())
}

// loadFC3Schema reads the fc3 component's schema from the shared reference
// directory beside the repository, or skips the test when it is absent.
func loadFC3Schema(t *testing.T) *Schema {
	t.Helper()
	path := filepath.Join(ReferenceDir(repoRoot(t)), "fc3-props.schema.json")
	if _, err := os.Stat(path); os.IsNotExist(err) {
		t.Skipf("fc3 schema not found at %s: clone the repository with shared/ beside it to run this check", path)
	}
	s, err := LoadSchema(path)
	require.NoError(t, err)
	return s
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := RepoRoot()
	require.NoError(t, err)
	return root
}
