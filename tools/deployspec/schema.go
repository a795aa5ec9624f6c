// Package deployspec checks the deployment description (s.yaml) against the
// JSON Schema that the Serverless Devs fc3 component publishes for a
// function's props, so that a misspelt or mistyped property fails a test
// instead of a deployment.
//
// It holds a small JSON Schema (draft-07) validator covering the keywords that
// schema uses, a resolver for the Serverless Devs variables that s.yaml uses
// (${vars.*}, ${env(...)}, ${config(...)}), and the loading of s.yaml itself.
package deployspec

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Violation is one way in which a value fails its schema.
type Violation struct {
	// Path locates the offending value, e.g. props.triggers[0].triggerConfig.events.
	Path string
	// Message says what is wrong with it.
	Message string
}

func (v Violation) String() string { return v.Path + ": " + v.Message }

// Schema is a parsed JSON Schema document.
type Schema struct {
	root map[string]any
	// Strict treats every object schema that lists "properties" (with type
	// "object") but says nothing about "additionalProperties" as closed.
	// The fc3 schema never sets additionalProperties to false, so under plain
	// draft-07 rules a misspelt property would pass unnoticed.
	Strict  bool
	regexps map[string]*regexp.Regexp
}

// keywords the validator evaluates.
var assertionKeywords = map[string]bool{
	"$ref": true, "type": true, "enum": true, "const": true,
	"properties": true, "required": true, "additionalProperties": true,
	"items": true, "additionalItems": true, "minItems": true, "maxItems": true, "uniqueItems": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true,
	"minLength": true, "maxLength": true, "pattern": true,
	"anyOf": true, "oneOf": true, "allOf": true, "not": true,
	"if": true, "then": true, "else": true,
}

// keywords that only annotate and never fail a value.
var annotationKeywords = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "definitions": true,
	"title": true, "description": true, "default": true, "examples": true,
	"readOnly": true, "writeOnly": true,
}

// ParseSchema parses a JSON Schema document.
func ParseSchema(data []byte) (*Schema, error) {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	s := &Schema{root: root, regexps: map[string]*regexp.Regexp{}}
	if err := s.compilePatterns(root); err != nil {
		return nil, err
	}
	return s, nil
}

// LoadSchema reads and parses a JSON Schema file.
func LoadSchema(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSchema(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// compilePatterns compiles every "pattern" up front, so that a pattern Go's
// regexp syntax cannot read is reported once, at load time.
func (s *Schema) compilePatterns(node any) error {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if k == "pattern" {
				if p, ok := v.(string); ok {
					re, err := regexp.Compile(p)
					if err != nil {
						return fmt.Errorf("schema pattern %q: %w", p, err)
					}
					s.regexps[p] = re
					continue
				}
			}
			if k == "properties" || k == "definitions" {
				// Their keys are names, not keywords: recurse into the values only.
				if m, ok := v.(map[string]any); ok {
					for _, sub := range m {
						if err := s.compilePatterns(sub); err != nil {
							return err
						}
					}
				}
				continue
			}
			if err := s.compilePatterns(v); err != nil {
				return err
			}
		}
	case []any:
		for _, v := range n {
			if err := s.compilePatterns(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// UnsupportedKeywords lists the keywords of the document that the validator
// neither evaluates nor knows to be annotations, sorted. A non-empty answer
// means the validator would silently ignore part of the schema.
func (s *Schema) UnsupportedKeywords() []string {
	seen := map[string]bool{}
	var walk func(node any)
	walkSchemas := func(v any) {
		if m, ok := v.(map[string]any); ok {
			for _, sub := range m {
				walk(sub)
			}
		}
	}
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			for k, v := range n {
				if !assertionKeywords[k] && !annotationKeywords[k] {
					seen[k] = true
				}
				switch k {
				case "properties", "definitions":
					walkSchemas(v)
				case "enum", "const", "default", "examples", "required":
					// values, not schemas
				default:
					walk(v)
				}
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(s.root)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Validate checks value (as decoded from JSON or YAML: maps, slices, strings,
// numbers, booleans, nil) against the whole document. path names the value in
// the messages (for example "props").
func (s *Schema) Validate(path string, value any) []Violation {
	return s.validate(s.root, path, value, s.Strict)
}

// ValidateRef checks value against the part of the document that ref points
// to, e.g. "#/definitions/IOssTriggerConfig".
func (s *Schema) ValidateRef(ref, path string, value any) []Violation {
	target, err := s.resolveRef(ref)
	if err != nil {
		return []Violation{{Path: path, Message: err.Error()}}
	}
	return s.validate(target, path, value, s.Strict)
}

// resolveRef follows a local JSON pointer ("#", "#/definitions/X").
func (s *Schema) resolveRef(ref string) (map[string]any, error) {
	if ref != "#" && !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("unsupported $ref %q: only references inside the document are supported", ref)
	}
	var node any = s.root
	if ref != "#" {
		for _, tok := range strings.Split(ref[2:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			m, ok := node.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("unresolvable $ref %q", ref)
			}
			if node, ok = m[tok]; !ok {
				return nil, fmt.Errorf("unresolvable $ref %q", ref)
			}
		}
	}
	m, ok := node.(map[string]any)
	if !ok {
		if b, isBool := node.(bool); isBool {
			return boolSchema(b), nil
		}
		return nil, fmt.Errorf("$ref %q does not point to a schema", ref)
	}
	return m, nil
}

// boolSchema turns the boolean schemas true/false into their object forms.
func boolSchema(b bool) map[string]any {
	if b {
		return map[string]any{}
	}
	return map[string]any{"not": map[string]any{}}
}

// asSchema interprets a subschema, which may be an object or a boolean.
func asSchema(v any) (map[string]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		return t, true
	case bool:
		return boolSchema(t), true
	}
	return nil, false
}

func (s *Schema) validate(sch map[string]any, path string, value any, strict bool) []Violation {
	value = normalize(value)
	var out []Violation
	add := func(format string, args ...any) {
		out = append(out, Violation{Path: displayPath(path), Message: fmt.Sprintf(format, args...)})
	}

	if ref, ok := sch["$ref"].(string); ok {
		target, err := s.resolveRef(ref)
		if err != nil {
			add("%v", err)
		} else {
			out = append(out, s.validate(target, path, value, strict)...)
		}
	}

	if t, ok := sch["type"]; ok {
		if !matchesType(t, value) {
			// Nothing else about this schema can be checked meaningfully.
			add("expected %s, got %s", typeList(t), describe(value))
			return out
		}
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if equal(e, value) {
				found = true
				break
			}
		}
		if !found {
			add("%s is not one of %s", show(value), showList(enum))
		}
	}
	if c, ok := sch["const"]; ok && !equal(c, value) {
		add("%s is not the allowed value %s", show(value), show(c))
	}

	switch v := value.(type) {
	case map[string]any:
		out = append(out, s.validateObject(sch, path, v, strict)...)
	case []any:
		out = append(out, s.validateArray(sch, path, v, strict)...)
	case string:
		n := utf8.RuneCountInString(v)
		if lo, ok := number(sch["minLength"]); ok && float64(n) < lo {
			add("%s is shorter than %v characters", show(v), lo)
		}
		if hi, ok := number(sch["maxLength"]); ok && float64(n) > hi {
			add("%s is longer than %v characters", show(v), hi)
		}
		if p, ok := sch["pattern"].(string); ok {
			if re := s.regexps[p]; re != nil && !re.MatchString(v) {
				add("%s does not match pattern %q", show(v), p)
			}
		}
	case float64:
		if lo, ok := number(sch["minimum"]); ok && v < lo {
			add("%v is less than the minimum %v", v, lo)
		}
		if hi, ok := number(sch["maximum"]); ok && v > hi {
			add("%v is greater than the maximum %v", v, hi)
		}
		if lo, ok := number(sch["exclusiveMinimum"]); ok && v <= lo {
			add("%v is not greater than %v", v, lo)
		}
		if hi, ok := number(sch["exclusiveMaximum"]); ok && v >= hi {
			add("%v is not less than %v", v, hi)
		}
		if m, ok := number(sch["multipleOf"]); ok && m > 0 {
			q := v / m
			if math.Abs(q-math.Round(q)) > 1e-9 {
				add("%v is not a multiple of %v", v, m)
			}
		}
	}

	if all, ok := sch["allOf"].([]any); ok {
		for _, sub := range all {
			if subSch, ok := asSchema(sub); ok {
				out = append(out, s.validate(subSch, path, value, strict)...)
			}
		}
	}
	if alts, ok := sch["anyOf"].([]any); ok {
		if best, matched := s.alternatives(alts, path, value, strict); matched == 0 {
			out = append(out, best...)
		}
	}
	if alts, ok := sch["oneOf"].([]any); ok {
		best, matched := s.alternatives(alts, path, value, strict)
		switch {
		case matched == 0:
			out = append(out, best...)
		case matched > 1:
			add("matches %d of the oneOf alternatives, exactly one is allowed", matched)
		}
	}
	if not, ok := asSchema(sch["not"]); ok {
		if len(s.validate(not, path, value, false)) == 0 {
			add("must not match the schema under \"not\"")
		}
	}
	if cond, ok := asSchema(sch["if"]); ok {
		// A condition only asks a question; it is never read strictly, or
		// a partial "if" schema would never hold.
		if len(s.validate(cond, path, value, false)) == 0 {
			if then, ok := asSchema(sch["then"]); ok {
				out = append(out, s.validate(then, path, value, strict)...)
			}
		} else if els, ok := asSchema(sch["else"]); ok {
			out = append(out, s.validate(els, path, value, strict)...)
		}
	}
	return out
}

// alternatives evaluates anyOf/oneOf branches. It returns how many branches
// match and, when none does, the violations of the closest branch (the one
// with the fewest), each marked with the branch it comes from.
func (s *Schema) alternatives(alts []any, path string, value any, strict bool) ([]Violation, int) {
	matched := 0
	var best []Violation
	bestIdx := -1
	for i, alt := range alts {
		sub, ok := asSchema(alt)
		if !ok {
			continue
		}
		vs := s.validate(sub, path, value, strict)
		if len(vs) == 0 {
			matched++
			continue
		}
		if bestIdx < 0 || len(vs) < len(best) {
			best, bestIdx = vs, i
		}
	}
	if matched > 0 || bestIdx < 0 {
		return nil, matched
	}
	label := fmt.Sprintf(" (closest of %d alternatives: #%d", len(alts), bestIdx+1)
	if sub, ok := alts[bestIdx].(map[string]any); ok {
		if ref, ok := sub["$ref"].(string); ok {
			label += " " + ref
		}
	}
	label += ")"
	out := make([]Violation, len(best))
	for i, v := range best {
		out[i] = Violation{Path: v.Path, Message: v.Message + label}
	}
	return out, 0
}

func (s *Schema) validateObject(sch map[string]any, path string, obj map[string]any, strict bool) []Violation {
	var out []Violation
	props, _ := sch["properties"].(map[string]any)

	if req, ok := sch["required"].([]any); ok {
		for _, r := range req {
			name, _ := r.(string)
			if _, present := obj[name]; !present {
				out = append(out, Violation{Path: displayPath(path), Message: fmt.Sprintf("missing required property %q", name)})
			}
		}
	}

	addl, hasAddl := sch["additionalProperties"]
	closed := false
	var addlSchema map[string]any
	switch {
	case hasAddl:
		if b, ok := addl.(bool); ok {
			closed = !b
		} else {
			addlSchema, _ = asSchema(addl)
		}
	case strict && props != nil && sch["type"] == "object":
		closed = true
	}

	for _, key := range sortedKeys(obj) {
		child := joinKey(path, key)
		if ps, ok := props[key]; ok {
			if sub, ok := asSchema(ps); ok {
				out = append(out, s.validate(sub, child, obj[key], strict)...)
			}
			continue
		}
		switch {
		case closed:
			msg := "unknown property"
			if guess := closest(key, props); guess != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", guess)
			}
			out = append(out, Violation{Path: displayPath(child), Message: msg})
		case addlSchema != nil:
			out = append(out, s.validate(addlSchema, child, obj[key], strict)...)
		}
	}
	return out
}

func (s *Schema) validateArray(sch map[string]any, path string, arr []any, strict bool) []Violation {
	var out []Violation
	add := func(format string, args ...any) {
		out = append(out, Violation{Path: displayPath(path), Message: fmt.Sprintf(format, args...)})
	}
	if lo, ok := number(sch["minItems"]); ok && float64(len(arr)) < lo {
		add("has %d items, fewer than the minimum %v", len(arr), lo)
	}
	if hi, ok := number(sch["maxItems"]); ok && float64(len(arr)) > hi {
		add("has %d items, more than the maximum %v", len(arr), hi)
	}
	if unique, _ := sch["uniqueItems"].(bool); unique {
		for i := range arr {
			for j := i + 1; j < len(arr); j++ {
				if equal(arr[i], arr[j]) {
					add("items %d and %d are equal, items must be unique", i, j)
				}
			}
		}
	}
	switch items := sch["items"].(type) {
	case []any:
		// Tuple form: one schema per position, then additionalItems for the rest.
		for i, v := range arr {
			var sub map[string]any
			var ok bool
			if i < len(items) {
				sub, ok = asSchema(items[i])
			} else {
				sub, ok = asSchema(sch["additionalItems"])
			}
			if ok {
				out = append(out, s.validate(sub, indexPath(path, i), v, strict)...)
			}
		}
	default:
		if sub, ok := asSchema(items); ok {
			for i, v := range arr {
				out = append(out, s.validate(sub, indexPath(path, i), v, strict)...)
			}
		}
	}
	return out
}

// normalize maps the Go values YAML and JSON decoders produce onto the JSON
// data model: every number becomes float64, every mapping map[string]any.
func normalize(v any) any {
	switch t := v.(type) {
	case int:
		return float64(t)
	case int8:
		return float64(t)
	case int16:
		return float64(t)
	case int32:
		return float64(t)
	case int64:
		return float64(t)
	case uint:
		return float64(t)
	case uint8:
		return float64(t)
	case uint16:
		return float64(t)
	case uint32:
		return float64(t)
	case uint64:
		return float64(t)
	case float32:
		return float64(t)
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			m[fmt.Sprint(k)] = val
		}
		return m
	}
	return v
}

func number(v any) (float64, bool) {
	f, ok := normalize(v).(float64)
	return f, ok
}

func jsonType(v any) string {
	switch t := normalize(v).(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if t == math.Trunc(t) && !math.IsInf(t, 0) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("unsupported Go type %T", v)
}

func matchesType(t any, value any) bool {
	actual := jsonType(value)
	ok := func(name string) bool {
		return name == actual || (name == "number" && actual == "integer")
	}
	switch tt := t.(type) {
	case string:
		return ok(tt)
	case []any:
		for _, x := range tt {
			if name, _ := x.(string); ok(name) {
				return true
			}
		}
	}
	return false
}

func typeList(t any) string {
	if list, ok := t.([]any); ok {
		parts := make([]string, len(list))
		for i, x := range list {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, " or ")
	}
	return fmt.Sprint(t)
}

func describe(v any) string {
	switch jsonType(v) {
	case "object", "array", "null":
		return jsonType(v)
	}
	return jsonType(v) + " " + show(v)
}

func equal(a, b any) bool {
	return reflect.DeepEqual(deepNormalize(a), deepNormalize(b))
}

func deepNormalize(v any) any {
	switch t := normalize(v).(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			m[k] = deepNormalize(val)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, val := range t {
			s[i] = deepNormalize(val)
		}
		return s
	default:
		return t
	}
}

func show(v any) string {
	b, err := json.Marshal(deepNormalize(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	const limit = 80
	if len(b) > limit {
		return string(b[:limit]) + "..."
	}
	return string(b)
}

func showList(list []any) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = show(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

func joinKey(path, key string) string {
	if !plainKey.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func displayPath(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

// closest suggests the declared property nearest to a misspelt name, if any
// is near enough to be a plausible typo.
func closest(name string, props map[string]any) string {
	best, bestDist := "", -1
	for candidate := range props {
		d := editDistance(strings.ToLower(name), strings.ToLower(candidate))
		if bestDist < 0 || d < bestDist || (d == bestDist && candidate < best) {
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
