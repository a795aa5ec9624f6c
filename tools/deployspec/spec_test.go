package deployspec

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const sampleAccount = "1234567890123456"

// sampleConfig stands in for `s config get` on a deployer's machine.
var sampleConfig = map[string]string{"AccountID": sampleAccount}

// minimalEnv is the least a deployer must export: the endpoint and one auth.
var minimalEnv = map[string]string{
	"OCR_ENDPOINT": "https://vehicle-license.example.com/v1/recognize",
	"OCR_APPCODE":  "sample-appcode-not-a-secret",
}

func loadSpec(t *testing.T) *Spec {
	t.Helper()
	spec, err := LoadSpec(filepath.Join(repoRoot(t), "s.yaml"))
	require.NoError(t, err)
	return spec
}

// fc3Props returns the fc3 resource's props of s.yaml, unresolved and
// resolved with env as the deployer's environment.
func fc3Props(t *testing.T, env map[string]string) (raw, resolved map[string]any) {
	t.Helper()
	spec := loadSpec(t)
	name, res, err := spec.ComponentResource("fc3")
	require.NoError(t, err)
	resolved, err = spec.ResolvedProps(name, &Resolver{Env: env, Config: sampleConfig})
	require.NoError(t, err)
	return res.Props, resolved
}

// dig walks into decoded YAML by keys (string) and indexes (int).
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "%v: not a mapping at %q", path, k)
			v, ok = m[k]
			require.True(t, ok, "%v: no key %q", path, k)
		case int:
			s, ok := v.([]any)
			require.True(t, ok, "%v: not a list at %d", path, k)
			require.Less(t, k, len(s), "%v: index %d out of range", path, k)
			v = s[k]
		}
	}
	return v
}

func digMap(t *testing.T, v any, path ...any) map[string]any {
	t.Helper()
	m, ok := dig(t, v, path...).(map[string]any)
	require.True(t, ok, "%v is not a mapping", path)
	return m
}

func TestSpecPropsMatchFC3Schema(t *testing.T) {
	schema := loadFC3Schema(t)
	everything := map[string]string{
		"OCR_ENDPOINT":   minimalEnv["OCR_ENDPOINT"],
		"OCR_APPCODE":    "sample-appcode",
		"OCR_APP_KEY":    "sample-key",
		"OCR_APP_SECRET": "sample-secret",
	}
	for name, env := range map[string]map[string]string{"minimal env": minimalEnv, "full env": everything} {
		t.Run(name, func(t *testing.T) {
			_, props := fc3Props(t, env)
			for _, v := range schema.Validate("props", props) {
				t.Errorf("s.yaml: %s", v)
			}
		})
	}
}

func TestSpecNeedsOCREndpointFromEnvironment(t *testing.T) {
	spec := loadSpec(t)
	name, _, err := spec.ComponentResource("fc3")
	require.NoError(t, err)
	_, err = spec.ResolvedProps(name, &Resolver{Env: map[string]string{}, Config: sampleConfig})
	assert.ErrorContains(t, err, "props.environmentVariables.OCR_ENDPOINT")
	assert.ErrorContains(t, err, "OCR_ENDPOINT is not set and has no default")
}

// TestSpecSchemaCatchesMistakes makes the mistakes a hand-edited s.yaml is
// prone to, and checks that each is reported where it was made.
func TestSpecSchemaCatchesMistakes(t *testing.T) {
	schema := loadFC3Schema(t)
	_, pristine := fc3Props(t, minimalEnv)
	require.Empty(t, schema.Validate("props", pristine))

	rename := func(m map[string]any, from, to string) {
		require.Contains(t, m, from)
		m[to] = m[from]
		delete(m, from)
	}
	cases := []struct {
		name   string
		mutate func(t *testing.T, props map[string]any)
		want   Violation // exact path, message fragment
	}{
		{
			name:   "misspelt memorySize",
			mutate: func(t *testing.T, p map[string]any) { rename(p, "memorySize", "memorySise") },
			want:   Violation{Path: "props.memorySise", Message: `unknown property (did you mean "memorySize"?)`},
		},
		{
			name: "trigger events given as a string",
			mutate: func(t *testing.T, p map[string]any) {
				digMap(t, p, "triggers", 0, "triggerConfig")["events"] = "oss:ObjectCreated:PutObject"
			},
			want: Violation{Path: "props.triggers[0].triggerConfig.events", Message: "got string, want array"},
		},
		{
			name: "unknown OSS event",
			mutate: func(t *testing.T, p map[string]any) {
				cfg := digMap(t, p, "triggers", 0, "triggerConfig")
				cfg["events"] = append(dig(t, cfg, "events").([]any), "oss:ObjectCreated:Put")
			},
			want: Violation{Path: "props.triggers[0].triggerConfig.events[3]", Message: "value must be one of 'oss:ObjectCreated:*'"},
		},
		{
			name: "misspelt filter suffix",
			mutate: func(t *testing.T, p map[string]any) {
				rename(digMap(t, p, "triggers", 0, "triggerConfig", "filter", "key"), "suffix", "sufix")
			},
			want: Violation{Path: "props.triggers[0].triggerConfig.filter.key.sufix", Message: `did you mean "suffix"?`},
		},
		{
			name: "misspelt qualifier",
			mutate: func(t *testing.T, p map[string]any) {
				rename(digMap(t, p, "triggers", 0), "qualifier", "qualifer")
			},
			want: Violation{Path: "props.triggers[0].qualifer", Message: `did you mean "qualifier"?`},
		},
		{
			name: "misspelt triggerConfig",
			mutate: func(t *testing.T, p map[string]any) {
				rename(digMap(t, p, "triggers", 0), "triggerConfig", "triggerconfig")
			},
			want: Violation{Path: "props.triggers[0]", Message: `missing property 'triggerConfig'`},
		},
		{
			name: "OSS trigger with a timer's config",
			mutate: func(t *testing.T, p map[string]any) {
				digMap(t, p, "triggers", 0)["triggerConfig"] = map[string]any{"cronExpression": "@every 5m", "enable": true}
			},
			want: Violation{Path: "props.triggers[0].triggerConfig.cronExpression", Message: "unknown property"},
		},
		{
			name: "too many async retries",
			mutate: func(t *testing.T, p map[string]any) {
				digMap(t, p, "asyncInvokeConfig")["maxAsyncRetryAttempts"] = 9
			},
			want: Violation{Path: "props.asyncInvokeConfig.maxAsyncRetryAttempts", Message: "maximum: got 9, want 8"},
		},
		{
			name: "misspelt destinationConfig",
			mutate: func(t *testing.T, p map[string]any) {
				digMap(t, p, "asyncInvokeConfig")["destinationconfig"] = map[string]any{}
			},
			want: Violation{Path: "props.asyncInvokeConfig.destinationconfig", Message: `did you mean "destinationConfig"?`},
		},
		{
			name: "unquoted number in the environment",
			mutate: func(t *testing.T, p map[string]any) {
				digMap(t, p, "environmentVariables")["CONCURRENCY"] = 4
			},
			want: Violation{Path: "props.environmentVariables.CONCURRENCY", Message: "got number, want string"},
		},
		{
			name:   "runtime from another platform",
			mutate: func(t *testing.T, p map[string]any) { p["runtime"] = "go1.x" },
			want:   Violation{Path: "props.runtime", Message: "value must be one of"},
		},
		{
			name:   "memory size off the 64 MB grid",
			mutate: func(t *testing.T, p map[string]any) { p["memorySize"] = 200 },
			want:   Violation{Path: "props.memorySize", Message: "multipleOf: got 200, want 64"},
		},
		{
			name:   "handler left out",
			mutate: func(t *testing.T, p map[string]any) { delete(p, "handler") },
			want:   Violation{Path: "props", Message: `missing property 'handler'`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			props, ok := deepNormalize(pristine).(map[string]any) // a deep copy
			require.True(t, ok)
			tc.mutate(t, props)
			got := schema.Validate("props", props)
			found := slices.ContainsFunc(got, func(v Violation) bool {
				return v.Path == tc.want.Path && strings.Contains(v.Message, tc.want.Message)
			})
			assert.True(t, found, "want %s mentioning %q, got %v", tc.want.Path, tc.want.Message, got)
		})
	}
}

// One trigger per image extension of IMAGE_EXTENSIONS, in the lower and
// upper case that cameras and scanners write (OSS suffix filters are
// case-sensitive), within OSS's 10 triggers per bucket, and none that a
// result key could match.
func TestSpecOSSTriggers(t *testing.T) {
	vars := loadSpec(t).Vars
	_, props := fc3Props(t, minimalEnv)
	env := digMap(t, props, "environmentVariables")
	resultSuffix := env["RESULT_SUFFIX"].(string)
	extensions := strings.Split(strings.ToLower(env["IMAGE_EXTENSIONS"].(string)), ",")

	triggers := dig(t, props, "triggers").([]any)
	var oss []map[string]any
	for i := range triggers {
		if trig := digMap(t, triggers, i); trig["triggerType"] == "oss" {
			oss = append(oss, trig)
		}
	}
	require.NotEmpty(t, oss, "s.yaml has no OSS trigger")
	assert.LessOrEqual(t, len(oss), 10, "OSS allows 10 triggers (event notification rules) per bucket")

	suffixes := map[string]bool{}
	names := map[string]bool{}
	for _, trig := range oss {
		name := trig["triggerName"].(string)
		assert.False(t, names[name], "trigger name %s used twice", name)
		names[name] = true
		cfg := digMap(t, trig, "triggerConfig")

		var events []string
		for _, e := range dig(t, cfg, "events").([]any) {
			events = append(events, e.(string))
		}
		slices.Sort(events)
		assert.Equal(t, []string{
			"oss:ObjectCreated:CompleteMultipartUpload",
			"oss:ObjectCreated:PostObject",
			"oss:ObjectCreated:PutObject",
		}, events, "trigger %v: subscribe to exactly these (a wildcard fires per multipart part)", name)

		key := digMap(t, cfg, "filter", "key")
		suffix, _ := key["suffix"].(string)
		prefix, _ := key["prefix"].(string)
		require.NotEmpty(t, suffix, "trigger %v needs a suffix filter: it guards against re-triggering on results", name)
		assert.Equal(t, vars["triggerPrefix"], prefix, "trigger %v prefix", name)
		assert.Equal(t, env["SOURCE_PREFIX"], prefix, "trigger %v: the prefix the function serves", name)
		assert.Contains(t, extensions, strings.ToLower(suffix), "trigger %v suffix is not one of IMAGE_EXTENSIONS: the handler would skip what it fires for", name)
		assert.False(t, strings.HasSuffix(resultSuffix, suffix) || strings.HasSuffix(suffix, resultSuffix),
			"trigger %v suffix %q matches result keys (suffix %q): the function would trigger itself", name, suffix, resultSuffix)
		assert.False(t, suffixes[suffix], "two OSS triggers share suffix %q", suffix)
		suffixes[suffix] = true

		assert.Equal(t, "acs:oss:"+vars["region"].(string)+":"+sampleAccount+":"+vars["bucket"].(string), trig["sourceArn"])
		assert.NotContains(t, trig, "invocationRole", "trigger %v: without it fc3 creates and uses the OSS event notification role", name)
	}
	for _, ext := range extensions {
		for _, variant := range []string{ext, strings.ToUpper(ext)} {
			assert.True(t, suffixes[variant], "no trigger for %s: such uploads would never be recognised", variant)
		}
	}
}

// Serverless Devs 3 loads fc3; the old ram component is not published for
// it, so s.yaml uses no other component (the role comes from
// deploy/create-role.sh).
func TestSpecUsesOnlyTheFC3Component(t *testing.T) {
	for name, r := range loadSpec(t).Resources {
		assert.Equal(t, "fc3", r.Component, "resource %s", name)
	}
}

// A bare `s deploy` builds first, so it never uploads a stale binary, and
// it packages a directory that holds the function alone.
func TestSpecBuildsBeforeDeployingAndPackagesOnlyTheFunction(t *testing.T) {
	spec := loadSpec(t)
	name, _, err := spec.ComponentResource("fc3")
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "s.yaml"))
	require.NoError(t, err)
	var doc struct {
		Resources map[string]struct {
			Actions map[string][]struct{ Run, Path string }
		}
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	pre := doc.Resources[name].Actions["pre-deploy"]
	require.Len(t, pre, 1, "one pre-deploy action")
	assert.Equal(t, "make build", pre[0].Run)
	assert.Equal(t, "./", pre[0].Path)

	_, props := fc3Props(t, minimalEnv)
	code := strings.TrimPrefix(props["code"].(string), "./")
	makefile, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	require.NoError(t, err)
	var writers []string
	for _, line := range strings.Split(string(makefile), "\n") {
		if strings.Contains(line, code+"/") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			writers = append(writers, strings.TrimSpace(line))
		}
	}
	binary := code + "/" + props["handler"].(string)
	require.NotEmpty(t, writers, "the Makefile builds %s", binary)
	for _, w := range writers {
		if strings.Contains(w, "-o "+code+"/") {
			assert.Contains(t, w, "-o "+binary+" ", "make build writes the handler binary, nothing else, into %s", code)
		}
	}
	assert.Equal(t, 1, strings.Count(string(makefile), "-o "+code+"/"), "only make build writes into %s", code)
}

// Logs go to Simple Log Service, or FC shows nothing of them.
func TestSpecConfiguresLogging(t *testing.T) {
	_, props := fc3Props(t, minimalEnv)
	assert.Equal(t, "auto", props["logConfig"], "fc3 creates the project and logstore; deploy/create-role.sh grants writing to it")
}

// TestSpecSecretsComeFromEnvironment keeps credentials out of the file: they
// must be read from the deployer's environment, with no default but empty.
func TestSpecSecretsComeFromEnvironment(t *testing.T) {
	raw, _ := fc3Props(t, minimalEnv)
	env := digMap(t, raw, "environmentVariables")

	fromEnv := []string{"OCR_ENDPOINT", "OCR_APPCODE", "OCR_APP_KEY", "OCR_APP_SECRET"}
	secretName := regexp.MustCompile(`(?i)secret|appcode|app_key|token|password|access_?key`)
	for name := range env {
		if secretName.MatchString(name) && !slices.Contains(fromEnv, name) {
			fromEnv = append(fromEnv, name)
		}
	}
	for _, name := range fromEnv {
		value, present := env[name]
		if !assert.True(t, present, "environmentVariables.%s is missing", name) {
			continue
		}
		text, _ := value.(string)
		ref, def, ok := EnvRef(text)
		if assert.True(t, ok, "environmentVariables.%s must be ${env('%s')} or ${env('%s', '')}, not %q", name, name, name, text) {
			assert.Equal(t, name, ref, "environmentVariables.%s reads another variable", name)
			if def != nil {
				assert.Empty(t, *def, "environmentVariables.%s has a literal default", name)
			}
		}
	}
	// OCR_ENDPOINT has no sensible default: the deploy must stop without it.
	_, def, _ := EnvRef(env["OCR_ENDPOINT"].(string))
	assert.Nil(t, def, "OCR_ENDPOINT must not have a default")

	for name := range loadSpec(t).Vars {
		assert.NotRegexp(t, secretName, name, "vars.%s looks like a credential: read it with ${env(...)} instead", name)
	}
}

func TestSpecFunctionSettings(t *testing.T) {
	_, props := fc3Props(t, minimalEnv)
	vars := loadSpec(t).Vars
	assert.Equal(t, vars["region"], props["region"])
	assert.NotEmpty(t, props["functionName"])
	assert.Equal(t, "go1", props["runtime"])
	assert.Equal(t, "main", props["handler"])
	assert.Equal(t, "./build/fc", props["code"], "a directory holding only the function binary")
	assert.EqualValues(t, 128, props["memorySize"])
	assert.EqualValues(t, 60, props["timeout"])
	assert.Equal(t, true, props["internetAccess"], "the recognition API is on the internet")
	assert.NotContains(t, props, "instanceConcurrency", "go1 serves one invocation per instance")
	assert.Regexp(t, `^acs:ram::`+sampleAccount+`:role/.+`, props["role"])
	assert.EqualValues(t, 3, dig(t, props, "asyncInvokeConfig", "maxAsyncRetryAttempts"))

	// The defaults of the README's configuration table.
	env := digMap(t, props, "environmentVariables")
	for name, want := range map[string]string{
		"OCR_ENDPOINT":     minimalEnv["OCR_ENDPOINT"],
		"OCR_APPCODE":      minimalEnv["OCR_APPCODE"],
		"OCR_APP_KEY":      "",
		"OCR_APP_SECRET":   "",
		"OSS_REGION":       vars["region"].(string),
		"CARD_SIDE":        "FRONT",
		"RESULT_SUFFIX":    ".json",
		"IMAGE_EXTENSIONS": ".jpg,.jpeg,.png,.bmp",
		"SIGNED_URL_TTL":   "5m",
		"OCR_TIMEOUT":      "10s",
		"OCR_MAX_ATTEMPTS": "3",
		"CONCURRENCY":      "4",
		"SOURCE_BUCKETS":   vars["bucket"].(string),
		"SOURCE_PREFIX":    vars["triggerPrefix"].(string),
	} {
		assert.Equal(t, want, env[name], "environmentVariables.%s", name)
	}

	// The function writes a failed result on FC's last attempt only if it
	// knows which attempt is the last.
	assert.Equal(t, fmt.Sprint(dig(t, props, "asyncInvokeConfig", "maxAsyncRetryAttempts")), env["MAX_ASYNC_RETRY_ATTEMPTS"],
		"MAX_ASYNC_RETRY_ATTEMPTS must equal asyncInvokeConfig.maxAsyncRetryAttempts")

	// The function must outlive its own retries of the recognition call.
	attempts, err := strconv.Atoi(env["OCR_MAX_ATTEMPTS"].(string))
	require.NoError(t, err)
	perAttempt, err := time.ParseDuration(env["OCR_TIMEOUT"].(string))
	require.NoError(t, err)
	timeout := time.Duration(props["timeout"].(float64)) * time.Second
	assert.Greater(t, timeout, time.Duration(attempts)*perAttempt,
		"timeout %v leaves no room for %d attempts of %v", timeout, attempts, perAttempt)
}

// TestMakefileBuildsWhatSpecDeploys ties `make build` to code and handler.
func TestMakefileBuildsWhatSpecDeploys(t *testing.T) {
	_, props := fc3Props(t, minimalEnv)
	makefile, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	require.NoError(t, err)
	want := "-o " + filepath.ToSlash(filepath.Join(props["code"].(string), props["handler"].(string))) + " "
	assert.Contains(t, string(makefile), want, "make build must write the binary that s.yaml deploys")
	assert.Contains(t, string(makefile), "GOOS=linux GOARCH=amd64 CGO_ENABLED=0")
}
