package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
)

// userSpec copies the repository's s.yaml with vars set as a user sets them.
func userSpec(t *testing.T, vars map[string]string) string {
	t.Helper()
	root, err := deployspec.RepoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "s.yaml"))
	require.NoError(t, err)
	edited, err := deployspec.SetVars(b, vars)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "s.yaml")
	require.NoError(t, os.WriteFile(path, edited, 0o644))
	return path
}

// fakeTools puts executables named like the deployer's tools on a PATH of
// their own; aliyun answers GetRole with the given exit code.
func fakeTools(t *testing.T, aliyunExit string, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		script := "#!/bin/sh\nexit 0\n"
		if n == "aliyun" {
			script = "#!/bin/sh\necho 'ERROR: SDK.ServerError ErrorCode: EntityNotExist.Role'\nexit " + aliyunExit + "\n"
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(script), 0o755))
	}
	return dir
}

func TestPreflight(t *testing.T) {
	ready := map[string]string{"OCR_ENDPOINT": "https://vehicle.market.alicloudapi.com/v1/recognize", "OCR_APPCODE": "appcode-0123"}
	own := map[string]string{"bucket": "acme-fleet-photos"}
	sample := map[string]string{"bucket": sampleBucket} // whatever the repository's s.yaml says now
	cases := []struct {
		name     string
		vars     map[string]string
		env      map[string]string
		tools    []string
		aliyun   string
		wantCode int
		want     []string
	}{
		{name: "ready", vars: own, env: ready, tools: []string{"s", "aliyun"}, aliyun: "0", wantCode: ExitOK, want: []string{"ready to deploy"}},
		{name: "ready without the Alibaba Cloud CLI", vars: own, env: ready, tools: []string{"s"}, wantCode: ExitOK,
			want: []string{"cannot check that the role fc-vehicle-license exists", "deploy/create-role.sh"}},
		{name: "the sample bucket", vars: sample, env: ready, tools: []string{"s"}, wantCode: ExitUsage, want: []string{`vars.bucket is still the sample "vehicle-docs"`}},
		{name: "no endpoint", vars: own, env: map[string]string{"OCR_APPCODE": "x"}, tools: []string{"s"}, wantCode: ExitUsage, want: []string{"OCR_ENDPOINT is not exported"}},
		{name: "no credentials", vars: own, env: map[string]string{"OCR_ENDPOINT": ready["OCR_ENDPOINT"]}, tools: []string{"s"}, wantCode: ExitUsage,
			want: []string{"the function would not start", "OCR_APPCODE is required"}},
		{name: "no Serverless Devs", vars: own, env: ready, wantCode: ExitUsage, want: []string{"npm install -g @serverless-devs/s"}},
		{name: "no role", vars: own, env: ready, tools: []string{"s", "aliyun"}, aliyun: "1", wantCode: ExitUsage,
			want: []string{"the execution role fc-vehicle-license was not found", "EntityNotExist.Role", "deploy/create-role.sh"}},
		{name: "every problem at once", vars: sample, env: map[string]string{}, wantCode: ExitUsage,
			want: []string{"vars.bucket is still the sample", "OCR_ENDPOINT is not exported", "@serverless-devs/s", "3 problem(s)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PATH": fakeTools(t, tc.aliyun, tc.tools...)}
			for k, v := range tc.env {
				env[k] = v
			}
			var o output
			code := Run([]string{"preflight", "--spec", userSpec(t, tc.vars)}, o.io(env, nil))
			assert.Equal(t, tc.wantCode, code, o.String())
			for _, w := range tc.want {
				assert.Contains(t, o.String(), w)
			}
			assert.NotContains(t, o.String(), "appcode-0123", "no secret is echoed")
		})
	}
}
