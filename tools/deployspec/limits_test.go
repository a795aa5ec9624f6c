package deployspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The function's role grants only what the function does: read images and
// write results, under the served prefix of the served bucket.
func TestFunctionRoleIsLeastPrivilege(t *testing.T) {
	spec := loadSpec(t)
	name, _, err := spec.ComponentResource("ram")
	require.NoError(t, err)
	role, err := spec.ResolvedProps(name, &Resolver{Env: minimalEnv, Config: sampleConfig})
	require.NoError(t, err)
	_, fn := fc3Props(t, minimalEnv)

	assert.Equal(t, "fc.aliyuncs.com", role["service"], "only Function Compute may assume it")
	assert.Regexp(t, `:role/`+role["name"].(string)+`$`, fn["role"], "the function runs with this role")

	env := digMap(t, fn, "environmentVariables")
	served := "acs:oss:*:*:" + env["SOURCE_BUCKETS"].(string) + "/" + env["SOURCE_PREFIX"].(string) + "*"
	policies := dig(t, role, "policies").([]any)
	require.Len(t, policies, 1)
	var granted []string
	for _, st := range dig(t, policies[0], "statement").([]any) {
		s := st.(map[string]any)
		assert.Equal(t, "Allow", s["Effect"])
		assert.Equal(t, served, s["Resource"], "nothing outside the served bucket and prefix")
		for _, a := range s["Action"].([]any) {
			granted = append(granted, a.(string))
		}
	}
	assert.ElementsMatch(t, []string{"oss:GetObject", "oss:PutObject"}, granted,
		"HEAD and signed GETs need oss:GetObject, results need oss:PutObject; nothing else (no List, no Delete, no wildcards)")
}

// FC scales out on its own while the vendor limits calls per second: the
// instance cap is what keeps instances × CONCURRENCY within the plan.
func TestInstanceCapIsSet(t *testing.T) {
	_, fn := fc3Props(t, minimalEnv)
	reserved, ok := dig(t, fn, "concurrencyConfig", "reservedConcurrency").(float64)
	require.True(t, ok, "reservedConcurrency is a number")
	assert.GreaterOrEqual(t, reserved, 1.0)
}
