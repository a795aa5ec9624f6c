package deployspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FC scales out on its own while the vendor limits calls per second: the
// instance cap is what keeps instances × CONCURRENCY within the plan.
func TestInstanceCapIsSet(t *testing.T) {
	_, fn := fc3Props(t, minimalEnv)
	reserved, ok := dig(t, fn, "concurrencyConfig", "reservedConcurrency").(float64)
	require.True(t, ok, "reservedConcurrency is a number")
	assert.GreaterOrEqual(t, reserved, 1.0)
}
