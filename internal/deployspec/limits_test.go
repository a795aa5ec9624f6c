package deployspec

import (
	"strconv"
	"strings"
	"testing"
	"time"

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

// GODEBUG's schedtrace keeps Go's sysmon from deep-sleeping at every network
// wait (README, "Performance"). The runtime reads it as an int32 and ignores
// a value it cannot parse, so a typo or an overflow would silently give the
// CPU back: the value must parse and stay within int32.
func TestGODEBUGKeepsSysmonAwake(t *testing.T) {
	_, fn := fc3Props(t, minimalEnv)
	env := digMap(t, fn, "environmentVariables")
	godebug, ok := env["GODEBUG"].(string)
	require.True(t, ok, "s.yaml sets GODEBUG")
	var schedtrace string
	for _, setting := range strings.Split(godebug, ",") {
		if v, found := strings.CutPrefix(setting, "schedtrace="); found {
			schedtrace = v
		}
	}
	require.NotEmpty(t, schedtrace, "GODEBUG=%q has no schedtrace", godebug)
	ms, err := strconv.ParseInt(schedtrace, 10, 32)
	require.NoError(t, err, "the runtime parses schedtrace as an int32")
	assert.Greater(t, time.Duration(ms)*time.Millisecond, 24*24*time.Hour,
		"the trace line it prints must come at most once every few weeks of uptime")
}
