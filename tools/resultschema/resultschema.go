// Package resultschema checks result documents against the published JSON
// Schema, docs/result.schema.json, with a maintained validator: every test
// that produces a document checks it, so the schema and the code cannot
// drift apart.
package resultschema

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
)

// Path is the schema's place in the repository.
const Path = "docs/result.schema.json"

// Schema is the compiled result schema.
type Schema struct{ compiled *jsonschema.Schema }

// Load compiles the repository's schema, with formats (date-time) asserted.
func Load() (*Schema, error) {
	root, err := deployspec.RepoRoot()
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(root, Path))
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(Path, doc); err != nil {
		return nil, err
	}
	compiled, err := c.Compile(Path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Path, err)
	}
	return &Schema{compiled: compiled}, nil
}

// Validate checks one document (its JSON bytes).
func (s *Schema) Validate(document []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(document))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.compiled.Validate(v)
}

var shared struct {
	once   sync.Once
	schema *Schema
	err    error
}

// Check fails t unless document is valid against the schema; the schema is
// compiled once per test binary.
func Check(t testing.TB, document []byte) {
	t.Helper()
	shared.once.Do(func() { shared.schema, shared.err = Load() })
	if shared.err != nil {
		t.Fatalf("loading %s: %v", Path, shared.err)
	}
	if err := shared.schema.Validate(document); err != nil {
		t.Errorf("result document does not follow %s: %v\n%s", Path, err, document)
	}
}
