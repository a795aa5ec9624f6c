package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// NodeNotMeasured is printed when the Node.js baseline cannot run.
const NodeNotMeasured = "node: not measured (run make bench-node-deps)"

// NodeDir is the Node.js baseline, relative to the module root.
const NodeDir = "tools/bench/node"

// NodeBaseline is an installed Node.js baseline.
type NodeBaseline struct {
	Node          string // absolute path of the node binary
	Version       string // node --version
	AliOSSVersion string // the installed ali-oss
	Index         string // absolute path of index.js
	ModulesBytes  int64  // size of node_modules: the code package beside index.js
}

// FindNode returns the baseline if `node` is on PATH and the baseline's
// node_modules (with ali-oss) exist; otherwise an error saying what is
// missing.
func FindNode(root string) (NodeBaseline, error) {
	dir := filepath.Join(root, NodeDir)
	node, err := exec.LookPath("node")
	if err != nil {
		return NodeBaseline{}, errors.New("node is not on PATH")
	}
	if node, err = filepath.Abs(node); err != nil {
		return NodeBaseline{}, err
	}
	if resolved, err := filepath.EvalSymlinks(node); err == nil {
		node = resolved
	}
	pkg, err := os.ReadFile(filepath.Join(dir, "node_modules", "ali-oss", "package.json"))
	if err != nil {
		return NodeBaseline{}, fmt.Errorf("%s/node_modules/ali-oss is not installed", NodeDir)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(pkg, &meta); err != nil {
		return NodeBaseline{}, fmt.Errorf("ali-oss package.json: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return NodeBaseline{}, fmt.Errorf("node --version: %w", err)
	}
	size, err := dirSize(filepath.Join(dir, "node_modules"))
	if err != nil {
		return NodeBaseline{}, err
	}
	return NodeBaseline{
		Node:          node,
		Version:       strings.TrimSpace(string(out)),
		AliOSSVersion: meta.Version,
		Index:         filepath.Join(dir, "index.js"),
		ModulesBytes:  size,
	}, nil
}

// Launcher writes an executable script into dir that the FC emulator can
// run like a binary: the kernel hands it to node (its #! line names node by
// absolute path, so no shell or env process sits in between and the
// emulator's PID is node's own), and it loads index.js.
func (n NodeBaseline) Launcher(dir string) (string, error) {
	path := filepath.Join(dir, "node-function")
	index, err := json.Marshal(n.Index)
	if err != nil {
		return "", err
	}
	script := "#!" + n.Node + "\n" + "require(" + string(index) + ");\n"
	if len(n.Node) > 120 {
		return "", fmt.Errorf("node's path is too long for a #! line: %s", n.Node)
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return "", err
	}
	return path, nil
}

func dirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	return total, err
}
