package fnbuild

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bench and the soak promise to measure the binary `make build`
// produces: the Makefile's build recipe and this package must not drift.
func TestBuildIsMakeBuild(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	var recipe string
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "build:") && i+1 < len(lines) {
			recipe = strings.TrimSpace(lines[i+1])
		}
	}
	require.NotEmpty(t, recipe, "the Makefile has a build target")

	env := strings.Join(Env()[len(os.Environ()):], " ")
	assert.Equal(t, "GOOS=linux GOARCH=amd64 CGO_ENABLED=0", env)
	assert.True(t, strings.HasPrefix(recipe, env+" $(GO) "), "make build's environment: %s", recipe)

	args := Args("build/fc/main", ".")
	quoted := make([]string, len(args))
	for i, a := range args {
		if strings.Contains(a, " ") {
			a = `"` + a + `"`
		}
		quoted[i] = a
	}
	assert.True(t, strings.HasSuffix(recipe, "$(GO) "+strings.Join(quoted, " ")),
		"make build runs %q, fnbuild runs go %s", recipe, strings.Join(quoted, " "))
}
