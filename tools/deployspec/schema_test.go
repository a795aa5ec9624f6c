package deployspec

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// validateJSON validates the JSON text value against the JSON text schema.
func validateJSON(t *testing.T, schema string, strict bool, value string) []Violation {
	t.Helper()
	s, err := ParseSchema([]byte(schema), strict)
	require.NoError(t, err)
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
		Violation{Path: "name", Message: "got number, want string"},
		Violation{Path: "size", Message: "got number, want integer"},
	)
	assertViolations(t, validateJSON(t, objectSchema, true, `["name"]`),
		Violation{Path: "(root)", Message: "got array, want object"})
	assertViolations(t, validateJSON(t, `{"type": ["string", "null"]}`, false, `null`))
	assertViolations(t, validateJSON(t, `{"type": ["string", "null"]}`, false, `true`),
		Violation{Path: "(root)", Message: "got boolean, want null or string"})
	// An integer is a number.
	assertViolations(t, validateJSON(t, `{"type": "number"}`, false, `3`))
}

func TestValidatorRejectsMissingRequired(t *testing.T) {
	assertViolations(t, validateJSON(t, objectSchema, true, `{"size": 1}`),
		Violation{Path: "(root)", Message: `missing property 'name'`})
}

func TestValidatorRejectsEnumAndConstViolations(t *testing.T) {
	assertViolations(t, validateJSON(t, objectSchema, true, `{"name": "a", "mode": "medium"}`),
		Violation{Path: "mode", Message: `value must be one of 'fast', 'slow'`})
	assertViolations(t, validateJSON(t, `{"enum": [512, 10240]}`, false, `512`))
	assertViolations(t, validateJSON(t, `{"const": "auto"}`, false, `"manual"`),
		Violation{Path: "(root)", Message: `value must be 'auto'`})
}

func TestValidatorFollowsRefs(t *testing.T) {
	schema := `{
	  "definitions": {
	    "Region": {"enum": ["cn-hangzhou", "cn-shanghai"], "type": "string"},
	    "Holder": {"type": "object", "properties": {"region": {"$ref": "#/definitions/Region"}}}
	  },
	  "type": "object",
	  "properties": {"home": {"$ref": "#/definitions/Holder"}}
	}`
	assertViolations(t, validateJSON(t, schema, true, `{"home": {"region": "cn-hangzhou"}}`))
	assertViolations(t, validateJSON(t, schema, true, `{"home": {"region": "mars-1", "zone": "a"}}`),
		Violation{Path: "home.region", Message: `value must be one of`},
		Violation{Path: "home.zone", Message: "unknown property"},
	)

	// A reference that leads nowhere is an error as soon as the schema is
	// read, before any value is checked.
	_, err := ParseSchema([]byte(`{"properties": {"broken": {"$ref": "#/definitions/Nope"}}}`), true)
	assert.ErrorContains(t, err, "#/definitions/Nope")
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
	assertViolations(t, got, Violation{Path: "vSwitchIds", Message: "got string, want array"})
	assert.Contains(t, got[0].Message, "closest of 2 alternatives: #1 #/definitions/Vpc")
}

func TestValidatorOneOfNeedsExactlyOne(t *testing.T) {
	schema := `{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}`
	// On a tie the first alternative is the one reported.
	assertViolations(t, validateJSON(t, schema, false, `2.5`), Violation{Path: "(root)", Message: "got number, want integer (closest of 2 alternatives: #1)"})
	assertViolations(t, validateJSON(t, schema, false, `3`))
	assertViolations(t, validateJSON(t, schema, false, `12`), Violation{Path: "(root)", Message: "'oneOf' failed, subschemas 0, 1 matched"})
}

func TestValidatorAllOfAndNot(t *testing.T) {
	schema := `{"allOf": [{"type": "string"}, {"minLength": 3}], "not": {"const": "bad"}}`
	assertViolations(t, validateJSON(t, schema, false, `"good"`))
	assertViolations(t, validateJSON(t, schema, false, `"ab"`), Violation{Path: "(root)", Message: "minLength: got 2, want 3"})
	assertViolations(t, validateJSON(t, schema, false, `"bad"`), Violation{Path: "(root)", Message: "'not' failed"})
}

func TestValidatorIfThenElse(t *testing.T) {
	// The shape the fc3 schema uses: a partial "if" on one property, which
	// strict mode must not close, even when it says it is about an object.
	for _, ifType := range []string{``, `"type": "object", `} {
		schema := `{
		  "type": "object",
		  "properties": {"runtime": {"type": "string"}, "code": {"type": "string"}, "handler": {"type": "string"}, "image": {"type": "string"}},
		  "if": {` + ifType + `"properties": {"runtime": {"enum": ["custom-container"], "type": "string"}}},
		  "then": {"required": ["image"]},
		  "else": {"required": ["code", "handler"]}
		}`
		t.Run("if "+ifType, func(t *testing.T) {
			assertViolations(t, validateJSON(t, schema, true, `{"runtime": "custom-container", "image": "registry/x"}`))
			assertViolations(t, validateJSON(t, schema, true, `{"runtime": "custom-container"}`),
				Violation{Path: "(root)", Message: `missing property 'image'`})
			assertViolations(t, validateJSON(t, schema, true, `{"runtime": "go1", "code": "./build"}`),
				Violation{Path: "(root)", Message: `missing property 'handler'`})
		})
	}
}

func TestValidatorNumericBounds(t *testing.T) {
	schema := `{"type": "integer", "minimum": 128, "maximum": 32768, "multipleOf": 64}`
	assertViolations(t, validateJSON(t, schema, false, `128`))
	assertViolations(t, validateJSON(t, schema, false, `64`), Violation{Path: "(root)", Message: "minimum: got 64, want 128"})
	assertViolations(t, validateJSON(t, schema, false, `65536`), Violation{Path: "(root)", Message: "maximum: got 65,536, want 32,768"})
	assertViolations(t, validateJSON(t, schema, false, `200`), Violation{Path: "(root)", Message: "multipleOf: got 200, want 64"})
	assertViolations(t, validateJSON(t, `{"multipleOf": 0.05}`, false, `0.35`))
	excl := `{"exclusiveMinimum": 0, "exclusiveMaximum": 1}`
	assertViolations(t, validateJSON(t, excl, false, `0.5`))
	assertViolations(t, validateJSON(t, excl, false, `0`), Violation{Path: "(root)", Message: "exclusiveMinimum"})
	assertViolations(t, validateJSON(t, excl, false, `1`), Violation{Path: "(root)", Message: "exclusiveMaximum"})
}

func TestValidatorArrays(t *testing.T) {
	list := `{"type": "array", "items": {"enum": ["GET", "POST"], "type": "string"}, "minItems": 1, "maxItems": 2, "uniqueItems": true}`
	assertViolations(t, validateJSON(t, list, false, `["GET"]`))
	assertViolations(t, validateJSON(t, list, false, `["GET", "PUT"]`), Violation{Path: "[1]", Message: `value must be one of 'GET', 'POST'`})
	assertViolations(t, validateJSON(t, list, false, `[]`), Violation{Path: "(root)", Message: "minItems: got 0, want 1"})
	assertViolations(t, validateJSON(t, list, false, `["GET", "POST", "GET"]`),
		Violation{Path: "(root)", Message: "maxItems: got 3, want 2"},
		Violation{Path: "(root)", Message: "items at 0 and 2 are equal"})

	// The library reports surplus tuple items on the array, not on each item.
	tuple := `{"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}`
	assertViolations(t, validateJSON(t, tuple, false, `["a", 1]`))
	assertViolations(t, validateJSON(t, tuple, false, `[1, 1, "extra"]`),
		Violation{Path: "[0]", Message: "want string"},
		Violation{Path: "(root)", Message: "last 1 additionalItem(s) not allowed"})
}

func TestValidatorStrings(t *testing.T) {
	schema := `{"type": "string", "pattern": "^custom", "maxLength": 8}`
	assertViolations(t, validateJSON(t, schema, false, `"custom.1"`))
	assertViolations(t, validateJSON(t, schema, false, `"go1"`), Violation{Path: "(root)", Message: `'go1' does not match pattern '^custom'`})
	assertViolations(t, validateJSON(t, schema, false, `"custom.debian12"`), Violation{Path: "(root)", Message: "maxLength: got 15, want 8"})
	// Length counts characters, not bytes.
	assertViolations(t, validateJSON(t, `{"maxLength": 3}`, false, `"行驶证"`))

	_, err := ParseSchema([]byte(`{"pattern": "(unclosed"}`), false)
	assert.ErrorContains(t, err, "(unclosed")
}

func TestValidatorAdditionalPropertiesSchema(t *testing.T) {
	// The fc3 IKV shape: a map of strings.
	schema := `{"type": "object", "additionalProperties": {"type": "string"}}`
	assertViolations(t, validateJSON(t, schema, true, `{"A": "1", "B": "x"}`))
	assertViolations(t, validateJSON(t, schema, true, `{"A": 1, "B": "x"}`), Violation{Path: "A", Message: "got number, want string"})
}

func TestValidatorBooleanSubschemas(t *testing.T) {
	schema := `{"type": "object", "properties": {"anything": true, "nothing": false}}`
	assertViolations(t, validateJSON(t, schema, false, `{"anything": [1, {"x": null}]}`))
	assertViolations(t, validateJSON(t, schema, false, `{"nothing": 1}`), Violation{Path: "nothing", Message: "false schema"})
}

func TestValidatorPathsAreReadable(t *testing.T) {
	schema := `{"type": "object", "properties": {"list": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "integer"}}}}}`
	got := validateJSON(t, schema, true, `{"list": [{}, {"ok": 1, "odd key": "x"}]}`)
	assertViolations(t, got, Violation{Path: `list[1]["odd key"]`, Message: `got string, want integer`})
	assert.Equal(t, `list[1]["odd key"]: got string, want integer`, got[0].String())

	s, err := ParseSchema([]byte(objectSchema), true)
	require.NoError(t, err)
	got = s.Validate("props", map[string]any{"size": "big"})
	assertViolations(t, got,
		Violation{Path: "props", Message: `missing property 'name'`},
		Violation{Path: "props.size", Message: "want integer"})
}

func TestValidatorAcceptsYAMLDecodedValues(t *testing.T) {
	var v any
	require.NoError(t, yaml.Unmarshal([]byte("name: a\nsize: 128\nnested:\n  1: one\n"), &v))
	s, err := ParseSchema([]byte(`{"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer", "minimum": 128}, "nested": {"type": "object", "properties": {"1": {"type": "string"}}}}}`), true)
	require.NoError(t, err)
	assertViolations(t, s.Validate("", v))

	got := s.Validate("", map[string]any{"name": "a", "size": int64(64), "nested": map[any]any{1: 1}})
	assertViolations(t, got,
		Violation{Path: "size", Message: "minimum: got 64, want 128"},
		Violation{Path: `nested["1"]`, Message: "want string"})
}

// TestLibraryKnowsEveryFC3Keyword proves that every keyword of the fc3
// schema is a draft-07 keyword, all of which the library evaluates: a
// keyword it does not know would be ignored without a word.
func TestLibraryKnowsEveryFC3Keyword(t *testing.T) {
	meta, err := jsonschema.NewCompiler().Compile("http://json-schema.org/draft-07/schema")
	require.NoError(t, err)
	fc3, err := os.ReadFile(fc3SchemaPath)
	require.NoError(t, err)

	cases := []struct {
		name    string
		schema  string
		unknown []string
	}{
		{name: "fc3 schema", schema: string(fc3)},
		{
			name:    "keywords from later drafts and extensions",
			schema:  `{"properties": {"a": {"dependentRequired": {}, "items": [{"x-note": 1}]}}}`,
			unknown: []string{"dependentRequired", "x-note"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := decodeSchema([]byte(tc.schema))
			require.NoError(t, err)
			seen := map[string]bool{}
			var walk func(sch map[string]any)
			walk = func(sch map[string]any) {
				for k := range sch {
					if _, known := meta.Properties[k]; !known {
						seen[k] = true
					}
				}
				eachSubschema(sch, func(_ string, sub map[string]any) { walk(sub) })
			}
			walk(doc)
			assert.ElementsMatch(t, tc.unknown, slices.Collect(maps.Keys(seen)))
		})
	}
}

// fc3SchemaPath is the fc3 component's schema for a function's props.
var fc3SchemaPath = filepath.Join("testdata", "fc3-props.schema.json")

func loadFC3Schema(t *testing.T) *Schema {
	t.Helper()
	s, err := LoadPropsSchema(fc3SchemaPath)
	require.NoError(t, err)
	return s
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := RepoRoot()
	require.NoError(t, err)
	return root
}
