package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindNodeNeedsTheInstalledBaseline(t *testing.T) {
	_, err := FindNode(t.TempDir()) // no tools/bench/node/node_modules there
	assert.Error(t, err)
}

func TestLauncherHandsIndexJSToNode(t *testing.T) {
	dir := t.TempDir()
	n := NodeBaseline{Node: "/usr/bin/node", Index: `/work/a "quoted" dir/index.js`}
	path, err := n.Launcher(dir)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "#!/usr/bin/node\nrequire(\"/work/a \\\"quoted\\\" dir/index.js\");\n", string(b))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&0o100, "executable")
	assert.Equal(t, filepath.Join(dir, "node-function"), path)
}
