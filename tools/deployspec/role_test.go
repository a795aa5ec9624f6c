package deployspec

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// policy is a RAM policy document as deploy/create-role.sh prints it.
type policy struct {
	Version   string
	Statement []struct {
		Effect    string
		Action    []string
		Resource  []string
		Principal map[string][]string
	}
}

// createRole runs deploy/create-role.sh with args and decodes what it prints.
func createRole(t *testing.T, args ...string) policy {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(repoRoot(t), "deploy", "create-role.sh")}, args...)...)
	out, err := cmd.Output()
	require.NoError(t, err, "create-role.sh %v: %s", args, exitOutput(err))
	var p policy
	require.NoError(t, json.Unmarshal(out, &p), "the script prints one JSON document: %s", out)
	require.Equal(t, "1", p.Version)
	return p
}

func exitOutput(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// grants maps each granted action to the resources it is granted on.
func (p policy) grants(t *testing.T) map[string][]string {
	t.Helper()
	g := map[string][]string{}
	for _, s := range p.Statement {
		require.Equal(t, "Allow", s.Effect)
		for _, a := range s.Action {
			assert.NotContains(t, a, "*", "no wildcard actions")
			g[a] = append(g[a], s.Resource...)
		}
		for _, r := range s.Resource {
			assert.NotEqual(t, "*", r, "no statement on every resource")
		}
	}
	return g
}

// editedSpec copies s.yaml with vars changed the way a user edits them
// for their own account, and returns the copy's path.
func editedSpec(t *testing.T, vars map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "s.yaml"))
	require.NoError(t, err)
	edited, err := SetVars(b, vars)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "s.yaml")
	require.NoError(t, os.WriteFile(path, edited, 0o644))
	return path
}

// The execution role may do what the function does, on what it serves, and
// nothing else, for each supported setup of the bucket.
func TestExecutionRoleIsLeastPrivilegeForEverySetup(t *testing.T) {
	vars := loadSpec(t).Vars
	objects := "acs:oss:*:*:" + vars["bucket"].(string) + "/" + vars["triggerPrefix"].(string) + "*"
	results := objects + vars["resultSuffix"].(string)
	logs := "acs:log:" + vars["region"].(string) + ":*:project/serverless-" + vars["region"].(string) + "-*/logstore/default-logs"
	base := map[string][]string{
		"oss:GetObject":        {objects}, // HEAD of image and result, the signed GET
		"oss:PutObject":        {results}, // results only: never an image
		"oss:PutObjectAcl":     {results}, // the private ACL each result is written with
		"log:PostLogStoreLogs": {logs},
	}
	kms := "acs:kms:" + vars["region"].(string) + ":*:key/key-hzz0123456789"
	cases := []struct {
		name string
		args []string
		want map[string][]string
	}{
		{name: "plain bucket", want: base},
		{name: "versioned bucket", args: []string{"--versioned"}, want: with(base, map[string][]string{"oss:GetObjectVersion": {objects}})},
		{name: "KMS-encrypted bucket", args: []string{"--kms-key-id", "key-hzz0123456789"},
			want: with(base, map[string][]string{"kms:Decrypt": {kms}, "kms:GenerateDataKey": {kms}})},
		{name: "KMS-encrypted results", args: []string{"--spec", editedSpec(t, map[string]string{"resultEncryption": "KMS", "resultKmsKeyId": "key-hzz0123456789"})},
			want: with(base, map[string][]string{"kms:Decrypt": {kms}, "kms:GenerateDataKey": {kms}})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := createRole(t, append([]string{"--policy"}, tc.args...)...).grants(t)
			assert.Equal(t, tc.want, got)
			for action := range got {
				assert.False(t, slices.ContainsFunc([]string{"List", "Delete", "Copy"}, func(w string) bool { return strings.Contains(action, w) }),
					"%s: the function never lists, deletes or copies", action)
			}
		})
	}
}

func with(base, more map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// The role follows the user's own bucket, prefix and region in s.yaml.
func TestExecutionRoleFollowsSYAML(t *testing.T) {
	spec := editedSpec(t, map[string]string{"region": "cn-shanghai", "bucket": "acme-fleet-photos", "triggerPrefix": "onboarding/2026/"})
	got := createRole(t, "--policy", "--spec", spec).grants(t)
	assert.Equal(t, []string{"acs:oss:*:*:acme-fleet-photos/onboarding/2026/*"}, got["oss:GetObject"])
	assert.Equal(t, []string{"acs:oss:*:*:acme-fleet-photos/onboarding/2026/*.json"}, got["oss:PutObject"])
	assert.Equal(t, []string{"acs:log:cn-shanghai:*:project/serverless-cn-shanghai-*/logstore/default-logs"}, got["log:PostLogStoreLogs"])
}

// Only Function Compute may assume the role, and s.yaml runs the function
// with it.
func TestExecutionRoleTrustsOnlyFunctionCompute(t *testing.T) {
	p := createRole(t, "--trust")
	require.Len(t, p.Statement, 1)
	assert.Equal(t, []string{"sts:AssumeRole"}, p.Statement[0].Action)
	assert.Equal(t, map[string][]string{"Service": {"fc.aliyuncs.com"}}, p.Statement[0].Principal)

	_, fn := fc3Props(t, minimalEnv)
	assert.Equal(t, "acs:ram::"+sampleAccount+":role/"+loadSpec(t).Vars["roleName"].(string), fn["role"])
}
