package deployspec

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Spec is a Serverless Devs project description (s.yaml, edition 3).
type Spec struct {
	Edition   string              `yaml:"edition"`
	Name      string              `yaml:"name"`
	Access    string              `yaml:"access"`
	Vars      map[string]any      `yaml:"vars"`
	Resources map[string]Resource `yaml:"resources"`
}

// Resource is one entry of the resources block.
type Resource struct {
	Component string         `yaml:"component"`
	Props     map[string]any `yaml:"props"`
}

// LoadSpec reads and decodes an s.yaml file (a key given twice in one
// mapping is an error). Top-level keys other than those of Spec are ignored.
func LoadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec Spec
	if err := yaml.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &spec, nil
}

// ComponentResource returns the name and content of the only resource that
// uses component (for example "fc3").
func (s *Spec) ComponentResource(component string) (string, Resource, error) {
	var names []string
	for name, r := range s.Resources {
		if r.Component == component {
			names = append(names, name)
		}
	}
	if len(names) != 1 {
		return "", Resource{}, fmt.Errorf("want exactly one resource with component %q, found %d %v", component, len(names), names)
	}
	return names[0], s.Resources[names[0]], nil
}

// ResolvedProps returns the props of a resource with every variable
// substituted by r.
func (s *Spec) ResolvedProps(resource string, r *Resolver) (map[string]any, error) {
	res, ok := s.Resources[resource]
	if !ok {
		return nil, fmt.Errorf("no resource %q", resource)
	}
	if r.Vars == nil {
		r.Vars = s.Vars
	}
	out, err := r.resolve("props", res.Props)
	if err != nil {
		return nil, err
	}
	props, ok := out.(map[string]any)
	if !ok {
		return nil, errors.New("props is not a mapping")
	}
	return props, nil
}

// triggerConfigs names, for each fc3 triggerType, the definition its
// triggerConfig must satisfy. The schema itself only says that triggerConfig
// is one of them (anyOf), and since the tablestore one accepts any object, a
// broken OSS triggerConfig would pass it; fc3 picks the shape by triggerType,
// and so does the schema once chooseTriggerConfigs has added that rule.
var triggerConfigs = map[string]string{
	"oss":         "#/definitions/IOssTriggerConfig",
	"log":         "#/definitions/ILogTriggerConfig",
	"timer":       "#/definitions/ITimerTriggerConfig",
	"http":        "#/definitions/IHttpTriggerConfig",
	"mns_topic":   "#/definitions/IMnsTriggerConfig",
	"cdn_events":  "#/definitions/ICdnTriggerConfig",
	"tablestore":  "#/definitions/IOtsConfig",
	"eventbridge": "#/definitions/IEventBridge",
}

// chooseTriggerConfigs adds to the fc3 trigger definition one rule per
// triggerType of triggerConfigs: if triggerType is that type, triggerConfig
// must match that type's definition. The schema's own anyOf stays, so a
// triggerConfig is still checked when triggerType is missing or unknown.
func chooseTriggerConfigs(doc map[string]any) error {
	defs, _ := doc["definitions"].(map[string]any)
	trigger, ok := defs["ITrigger"].(map[string]any)
	if !ok {
		return errors.New("the schema has no definitions.ITrigger")
	}
	rules, _ := trigger["allOf"].([]any)
	for _, typ := range slices.Sorted(maps.Keys(triggerConfigs)) {
		rules = append(rules, map[string]any{
			"if": map[string]any{
				"properties": map[string]any{"triggerType": map[string]any{"const": typ}},
				"required":   []any{"triggerType"},
			},
			"then": map[string]any{
				"properties": map[string]any{"triggerConfig": map[string]any{"$ref": triggerConfigs[typ]}},
			},
		})
	}
	trigger["allOf"] = rules
	return nil
}

// LoadPropsSchema reads the fc3 component's schema for a function's props,
// the way s.yaml is checked: strictly (see closeObjects), and with each
// trigger's triggerConfig checked against the shape its triggerType calls
// for (see triggerConfigs).
func LoadPropsSchema(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := decodeSchema(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	closeObjects(doc)
	if err := chooseTriggerConfigs(doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, err := compile(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// RepoRoot walks up from the working directory to the directory holding
// go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

// SetVars rewrites entries of the vars block of an s.yaml the way a user
// edits them for their own account (region, bucket, triggerPrefix, ...),
// keeping every other line and comment. A name the file has no entry for is
// an error.
func SetVars(spec []byte, vars map[string]string) ([]byte, error) {
	out := spec
	for name, value := range vars {
		re := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + `: .*$`)
		if !re.Match(out) {
			return nil, fmt.Errorf("s.yaml has no vars entry %q", name)
		}
		out = re.ReplaceAllLiteral(out, []byte("  "+name+": "+value))
	}
	return out, nil
}
