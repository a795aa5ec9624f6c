package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvFlag(t *testing.T) {
	var env map[string]string
	set := EnvFlag(&env)
	require.NoError(t, set("GOGC=50"))
	require.NoError(t, set("GODEBUG=a=1,b=2"))
	assert.Equal(t, map[string]string{"GOGC": "50", "GODEBUG": "a=1,b=2"}, env)
	assert.Error(t, set("GOGC"))
	assert.Error(t, set("=1"))
}
