// Package deployspec checks the deployment description (s.yaml) against the
// JSON Schema that the Serverless Devs fc3 component publishes for a
// function's props, so that a misspelt or mistyped property fails a test
// instead of a deployment.
//
// Validation itself is the jsonschema library's; this package reads the
// schema more strictly than draft-07 does (see closeObjects), turns the
// library's error tree into one Violation per problem, resolves the Serverless
// Devs variables that s.yaml uses (${vars.*}, ${env(...)}, ${config(...)}),
// and loads s.yaml itself.
package deployspec

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Violation is one way in which a value fails its schema.
type Violation struct {
	// Path locates the offending value, e.g. props.triggers[0].triggerConfig.events.
	Path string
	// Message says what is wrong with it.
	Message string
}

func (v Violation) String() string { return v.Path + ": " + v.Message }

// Schema is a compiled JSON Schema document.
type Schema struct {
	compiled *jsonschema.Schema
	// doc is the document as compiled, where hints look up the properties
	// an object schema declares.
	doc any
}

// schemaURL names the document inside the compiler; nothing is fetched.
const schemaURL = "mem:///schema.json"

var printer = message.NewPrinter(language.English)

// ParseSchema compiles a JSON Schema document (draft-07 unless it says
// otherwise). With strict, object schemas are closed first (see
// closeObjects).
func ParseSchema(data []byte, strict bool) (*Schema, error) {
	doc, err := decodeSchema(data)
	if err != nil {
		return nil, err
	}
	if strict {
		closeObjects(doc)
	}
	return compile(doc)
}

func decodeSchema(data []byte) (map[string]any, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, errors.New("parse schema: the document is not an object")
	}
	return m, nil
}

func compile(doc map[string]any) (*Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7) // the draft the fc3 schema declares
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	compiled, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	return &Schema{compiled: compiled, doc: doc}, nil
}

// closeObjects adds "additionalProperties": false to every object schema
// that lists properties and says nothing about additionalProperties: the fc3
// schema leaves its objects open, so under plain draft-07 a misspelt property
// would pass unnoticed, and the library has no option to read it otherwise.
// Schemas under "if" and "not" stay as written: they only ask a question, and
// closing a partial "if" (the fc3 schema has one on runtime) would change the
// answer.
func closeObjects(sch map[string]any) {
	_, listed := sch["properties"]
	_, said := sch["additionalProperties"]
	if listed && !said && sch["type"] == "object" {
		sch["additionalProperties"] = false
	}
	eachSubschema(sch, func(keyword string, sub map[string]any) {
		if keyword != "if" && keyword != "not" {
			closeObjects(sub)
		}
	})
}

// eachSubschema calls fn for each schema directly inside sch, with the
// keyword it sits under. The library keeps its own walk private.
func eachSubschema(sch map[string]any, fn func(keyword string, sub map[string]any)) {
	for keyword, v := range sch {
		var subs []any
		switch keyword {
		case "enum", "const", "default", "examples", "required":
			continue // values, not schemas
		case "properties", "patternProperties", "definitions", "dependencies":
			m, _ := v.(map[string]any) // keyed by name, not by keyword
			for _, sub := range m {
				subs = append(subs, sub)
			}
		default:
			if list, ok := v.([]any); ok { // allOf, anyOf, oneOf, tuple items
				subs = list
			} else {
				subs = []any{v}
			}
		}
		for _, sub := range subs {
			if m, ok := sub.(map[string]any); ok {
				fn(keyword, m)
			}
		}
	}
}

// Validate checks value (as decoded from JSON or YAML) against the schema.
// path names the value in the violations, for example "props".
func (s *Schema) Validate(path string, value any) []Violation {
	// The library takes only the JSON data model; YAML mappings with
	// non-string keys decode to map[any]any.
	value = deepNormalize(value)
	err := s.compiled.Validate(value)
	var verr *jsonschema.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &verr):
		// The library walks mappings in Go's random order.
		out := s.violations(verr, path, value)
		slices.SortStableFunc(out, func(a, b Violation) int { return strings.Compare(a.Path, b.Path) })
		return out
	default:
		return []Violation{{Path: displayPath(path), Message: err.Error()}}
	}
}

// violations flattens the library's error tree into its leaves, since a
// reader wants the problems, not the schema's structure. Two nodes are read
// differently: an unknown property is reported at its own path with a hint,
// and a failed anyOf/oneOf reports only its closest branch, since the
// failures of every other branch are noise.
func (s *Schema) violations(e *jsonschema.ValidationError, base string, value any) []Violation {
	at := instancePath(base, value, e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		declared := s.declaredProperties(e.SchemaURL)
		out := make([]Violation, 0, len(k.Properties))
		for _, name := range k.Properties {
			msg := "unknown property"
			if guess := closest(name, declared); guess != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", guess)
			}
			out = append(out, Violation{Path: displayPath(joinKey(at, name)), Message: msg})
		}
		return out
	case *kind.AnyOf:
		return s.closestBranch(e.Causes, base, value)
	case *kind.OneOf:
		if k.Subschemas == nil { // none matched; otherwise too many did
			return s.closestBranch(e.Causes, base, value)
		}
	}
	if len(e.Causes) == 0 {
		return []Violation{{Path: displayPath(at), Message: e.ErrorKind.LocalizedString(printer)}}
	}
	var out []Violation
	for _, cause := range e.Causes {
		out = append(out, s.violations(cause, base, value)...)
	}
	return out
}

// closestBranch reports the violations of the branch with the fewest (the
// first on a tie), each labelled with that branch. When no branch matches,
// the library lists every branch's failure, in order.
func (s *Schema) closestBranch(branches []*jsonschema.ValidationError, base string, value any) []Violation {
	var best []Violation
	bestIdx := -1
	for i, b := range branches {
		if vs := s.violations(b, base, value); bestIdx < 0 || len(vs) < len(best) {
			best, bestIdx = vs, i
		}
	}
	if bestIdx < 0 {
		return nil
	}
	label := fmt.Sprintf(" (closest of %d alternatives: #%d", len(branches), bestIdx+1)
	if ref, ok := branches[bestIdx].ErrorKind.(*kind.Reference); ok {
		_, frag, _ := strings.Cut(ref.URL, "#")
		if frag, err := url.PathUnescape(frag); err == nil {
			label += " #" + frag
		}
	}
	label += ")"
	for i := range best {
		best[i].Message += label
	}
	return best
}

// instancePath turns the library's instance location, a list of tokens that
// does not say which are indexes, into a readable path by looking at value.
func instancePath(base string, value any, loc []string) string {
	path := base
	for _, tok := range loc {
		if arr, ok := value.([]any); ok {
			i, _ := strconv.Atoi(tok)
			path = indexPath(path, i)
			if i < len(arr) {
				value = arr[i]
			}
			continue
		}
		path = joinKey(path, tok)
		m, _ := value.(map[string]any)
		value = m[tok]
	}
	return path
}

// declaredProperties lists the properties of the schema at location, a
// URL whose fragment is a JSON pointer into the compiled document: the
// library's error names the schema that refused a property, not the
// properties it would have taken.
func (s *Schema) declaredProperties(location string) []string {
	_, frag, _ := strings.Cut(location, "#")
	node := s.doc
	for _, tok := range strings.Split(frag, "/")[1:] {
		tok, err := url.PathUnescape(tok)
		if err != nil {
			return nil
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			node = n[i]
		default:
			return nil
		}
	}
	sch, _ := node.(map[string]any)
	props, _ := sch["properties"].(map[string]any)
	return sortedKeys(props)
}

// closest suggests the declared property nearest to a misspelt name, if any
// is near enough to be a plausible typo. Hand-written: an edit distance is
// too small to justify another module.
func closest(name string, declared []string) string {
	best, bestDist := "", -1
	for _, candidate := range declared {
		d := editDistance(strings.ToLower(name), strings.ToLower(candidate))
		if bestDist < 0 || d < bestDist {
			best, bestDist = candidate, d
		}
	}
	if best == "" || bestDist > 2 && bestDist > len(name)/3 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
