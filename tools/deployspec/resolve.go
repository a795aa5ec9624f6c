package deployspec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Resolver substitutes the Serverless Devs variables that s.yaml uses, with
// stand-in values, the way `s deploy` does before it hands props to fc3:
//
//	${vars.a.b}             the document's vars block (whose values may use variables too)
//	${env('NAME')}          the deployer's environment; an error if NAME is unset
//	${env('NAME', 'dflt')}  the same, with a default
//	${config('AccountID')}  the Serverless Devs configuration (`s config get`)
//
// A string that is exactly one ${...} expression takes the value's own type
// (a number var stays a number); anywhere else the value is spliced into the
// string. Any other expression is an error, so that a new kind of variable
// gets a deliberate sample value here rather than passing through unchecked.
type Resolver struct {
	// Vars is the vars block as written in the document.
	Vars map[string]any
	// Env stands in for the deployer's environment.
	Env map[string]string
	// Config stands in for the configured access (AccountID, ...).
	Config map[string]string

	resolved  map[string]any
	resolving map[string]bool
}

// Resolve returns a copy of v with every variable substituted.
func (r *Resolver) Resolve(v any) (any, error) {
	return r.resolve("", v)
}

func (r *Resolver) resolve(path string, v any) (any, error) {
	switch t := normalize(v).(type) {
	case string:
		out, err := r.resolveString(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", displayPath(path), err)
		}
		return out, nil
	case map[string]any:
		m := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			val, err := r.resolve(joinKey(path, k), t[k])
			if err != nil {
				return nil, err
			}
			m[k] = val
		}
		return m, nil
	case []any:
		s := make([]any, len(t))
		for i, item := range t {
			val, err := r.resolve(indexPath(path, i), item)
			if err != nil {
				return nil, err
			}
			s[i] = val
		}
		return s, nil
	default:
		return t, nil
	}
}

// expression is one ${...} occurrence in a string.
type expression struct {
	start, end int // s[start:end] is the whole "${...}"
	body       string
}

// findExpressions locates the ${...} occurrences in s. A '}' inside quotes
// does not end an expression.
func findExpressions(s string) ([]expression, error) {
	var out []expression
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			break
		}
		start := i + j
		var quote byte
		end := -1
		for k := start + 2; k < len(s); k++ {
			c := s[k]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '}':
				end = k + 1
			}
			if end >= 0 {
				break
			}
		}
		if end < 0 {
			return nil, fmt.Errorf("unterminated expression in %q", s)
		}
		out = append(out, expression{start: start, end: end, body: strings.TrimSpace(s[start+2 : end-1])})
		i = end
	}
	return out, nil
}

func (r *Resolver) resolveString(s string) (any, error) {
	exprs, err := findExpressions(s)
	if err != nil {
		return nil, err
	}
	if len(exprs) == 0 {
		return s, nil
	}
	if len(exprs) == 1 && exprs[0].start == 0 && exprs[0].end == len(s) {
		return r.eval(exprs[0].body)
	}
	var b strings.Builder
	last := 0
	for _, e := range exprs {
		b.WriteString(s[last:e.start])
		val, err := r.eval(e.body)
		if err != nil {
			return nil, err
		}
		text, err := scalarText(val)
		if err != nil {
			return nil, fmt.Errorf("${%s}: %w", e.body, err)
		}
		b.WriteString(text)
		last = e.end
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

func scalarText(v any) (string, error) {
	switch t := normalize(v).(type) {
	case string:
		return t, nil
	case bool:
		return strconv.FormatBool(t), nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("cannot splice a value of type %s into a string", jsonType(v))
}

var (
	varsExpr = regexp.MustCompile(`^vars((?:\.[A-Za-z0-9_-]+)+)$`)
	callExpr = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)$`)
)

func (r *Resolver) eval(body string) (any, error) {
	if m := varsExpr.FindStringSubmatch(body); m != nil {
		return r.lookupVar(strings.Split(m[1][1:], "."))
	}
	call := callExpr.FindStringSubmatch(body)
	if call == nil {
		return nil, fmt.Errorf("unsupported expression ${%s}", body)
	}
	name := call[1]
	args, err := parseArgs(call[2])
	if err != nil {
		return nil, fmt.Errorf("${%s}: %w", body, err)
	}
	switch name {
	case "env":
		if len(args) < 1 || len(args) > 2 {
			return nil, fmt.Errorf("${%s}: env takes a name and an optional default", body)
		}
		if val, ok := r.Env[args[0]]; ok {
			return val, nil
		}
		if len(args) == 2 {
			return args[1], nil
		}
		return nil, fmt.Errorf("${%s}: environment variable %s is not set and has no default", body, args[0])
	case "config":
		if len(args) != 1 {
			return nil, fmt.Errorf("${%s}: config takes one name", body)
		}
		if val, ok := r.Config[args[0]]; ok {
			return val, nil
		}
		return nil, fmt.Errorf("${%s}: no sample value for config %q", body, args[0])
	}
	return nil, fmt.Errorf("unsupported function %s in ${%s}", name, body)
}

// parseArgs reads a comma-separated list of quoted strings.
func parseArgs(s string) ([]string, error) {
	var args []string
	s = strings.TrimSpace(s)
	for s != "" {
		if s[0] != '\'' && s[0] != '"' {
			return nil, fmt.Errorf("arguments must be quoted strings, got %q", s)
		}
		q := s[0]
		end := strings.IndexByte(s[1:], q)
		if end < 0 {
			return nil, fmt.Errorf("unterminated string in %q", s)
		}
		args = append(args, s[1:1+end])
		s = strings.TrimSpace(s[end+2:])
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil, fmt.Errorf("expected ',' before %q", s)
		}
		s = strings.TrimSpace(s[1:])
		if s == "" {
			return nil, fmt.Errorf("trailing ','")
		}
	}
	return args, nil
}

func (r *Resolver) lookupVar(path []string) (any, error) {
	name := path[0]
	if r.resolved == nil {
		r.resolved = map[string]any{}
		r.resolving = map[string]bool{}
	}
	val, done := r.resolved[name]
	if !done {
		raw, ok := r.Vars[name]
		if !ok {
			return nil, fmt.Errorf("vars.%s is not defined", name)
		}
		if r.resolving[name] {
			return nil, fmt.Errorf("vars.%s refers to itself", name)
		}
		r.resolving[name] = true
		var err error
		val, err = r.resolve("vars."+name, raw)
		delete(r.resolving, name)
		if err != nil {
			return nil, err
		}
		r.resolved[name] = val
	}
	for i, key := range path[1:] {
		m, ok := val.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("vars.%s is not a mapping", strings.Join(path[:i+1], "."))
		}
		if val, ok = m[key]; !ok {
			return nil, fmt.Errorf("vars.%s is not defined", strings.Join(path[:i+2], "."))
		}
	}
	return val, nil
}

// EnvRef reports whether s is exactly one ${env(...)} expression, and if so
// the variable it reads and its default (nil when there is none).
func EnvRef(s string) (name string, def *string, ok bool) {
	exprs, err := findExpressions(s)
	if err != nil || len(exprs) != 1 || exprs[0].start != 0 || exprs[0].end != len(s) {
		return "", nil, false
	}
	call := callExpr.FindStringSubmatch(exprs[0].body)
	if call == nil || call[1] != "env" {
		return "", nil, false
	}
	args, err := parseArgs(call[2])
	if err != nil || len(args) < 1 || len(args) > 2 {
		return "", nil, false
	}
	if len(args) == 2 {
		return args[0], &args[1], true
	}
	return args[0], nil, true
}
