package deployspec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `vlicense backfill --on-fc` names each image's asynchronous task so that a
// resumed backfill is refused (409) for the images it already queued: that
// needs FC's asynchronous task feature, which s.yaml turns on. The fc3
// schema knows the setting, so a misspelling fails TestSpecPropsMatchFC3Schema.
func TestSpecKeepsAsyncTasksOn(t *testing.T) {
	raw, resolved := fc3Props(t, minimalEnv)
	assert.Equal(t, true, dig(t, raw, "asyncInvokeConfig", "asyncTask"), "a literal true, not a variable a deployer could blank")
	assert.Equal(t, true, dig(t, resolved, "asyncInvokeConfig", "asyncTask"))

	schema := loadFC3Schema(t)
	assert.Empty(t, schema.Validate("props", resolved))
	async := digMap(t, resolved, "asyncInvokeConfig")
	async["asyncTask"] = "yes"
	assert.NotEmpty(t, schema.Validate("props", resolved), "the schema wants a boolean")
	delete(async, "asyncTask")
	async["asyncTasks"] = true
	v := schema.Validate("props", resolved)
	require.NotEmpty(t, v, "a misspelt name is reported")
	assert.Equal(t, "props.asyncInvokeConfig.asyncTasks", v[0].Path)
}

func TestLoadFunctionReadsAsyncTask(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join(repoRoot(t), "s.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(spec), "asyncTask: true")
	for _, tc := range []struct {
		name, replace string
		want          bool
		err           string
	}{
		{"on", "asyncTask: true", true, ""},
		{"off", "asyncTask: false", false, ""},
		{"absent: FC's default, off", "", false, ""},
		{"not a boolean", "asyncTask: 'on'", false, "props.asyncInvokeConfig.asyncTask is on, not true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(string(spec), "asyncTask: true", tc.replace, 1)
			path := filepath.Join(t.TempDir(), "s.yaml")
			require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
			f, err := LoadFunction(path, minimalEnv, sampleConfig)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.AsyncTask)
		})
	}
}
