package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/fnbuild"
)

// ParseInitTrace reads the lines GODEBUG=inittrace=1 writes to stderr,
//
//	init go.yaml.in/yaml/v3 @5.1 ms, 0.64 ms clock, 36816 bytes, 519 allocs
//
// and returns the wall-clock time of each package's initialisation. Other
// lines are ignored.
func ParseInitTrace(b []byte) map[string]time.Duration {
	out := map[string]time.Duration{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "init ")
		if !ok {
			continue
		}
		pkg, rest, ok := strings.Cut(rest, " @")
		if !ok {
			continue
		}
		_, rest, ok = strings.Cut(rest, ", ")
		if !ok {
			continue
		}
		clock, _, ok := strings.Cut(rest, " ms clock")
		if !ok {
			continue
		}
		ms, err := strconv.ParseFloat(clock, 64)
		if err != nil {
			continue
		}
		out[pkg] += time.Duration(ms * float64(time.Millisecond))
	}
	return out
}

// PackageInit is the median initialisation time of a set of packages.
type PackageInit struct {
	Runs  int
	Total time.Duration // median over runs of the set's sum
	Top   []PackageTime // the costliest packages, by median, costliest first
}

// PackageTime is one package's median initialisation time.
type PackageTime struct {
	Package string
	Time    time.Duration
}

// MeasureInit runs binary n times with GODEBUG=inittrace=1 and without
// FC_RUNTIME_API, so that it only prints its usage (package initialisation
// happens before main either way), and sums the init times of the packages
// in set.
func MeasureInit(ctx context.Context, binary string, n int, set map[string]bool) (PackageInit, error) {
	var totals []time.Duration
	per := map[string][]time.Duration{}
	for range n {
		cmd := exec.CommandContext(ctx, binary)
		cmd.Env = []string{"GODEBUG=inittrace=1"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run() // the usage exits 2
		times := ParseInitTrace(stderr.Bytes())
		if len(times) == 0 {
			return PackageInit{}, fmt.Errorf("%s printed no inittrace lines", binary)
		}
		var sum time.Duration
		for pkg, d := range times {
			if set[pkg] {
				sum += d
				per[pkg] = append(per[pkg], d)
			}
		}
		totals = append(totals, sum)
	}
	res := PackageInit{Runs: n, Total: Percentile(totals, 50)}
	for pkg, ds := range per {
		for len(ds) < n { // a package absent from a run took no time there
			ds = append(ds, 0)
		}
		res.Top = append(res.Top, PackageTime{Package: pkg, Time: Percentile(ds, 50)})
	}
	slices.SortFunc(res.Top, func(a, b PackageTime) int {
		if a.Time != b.Time {
			return int(b.Time - a.Time)
		}
		return strings.Compare(a.Package, b.Package)
	})
	return res, nil
}

// OnlyIn lists the packages linked into pkg built with tags (relative to
// the module root) but not into baseline built with baselineTags, for the
// platform the function is built for.
func OnlyIn(ctx context.Context, root, pkg, tags, baseline, baselineTags string) (map[string]bool, error) {
	deps := func(p, tags string) ([]string, error) {
		cmd := exec.CommandContext(ctx, fnbuild.GoTool(), "list", "-deps", "-tags", tags, p)
		cmd.Dir = root
		cmd.Env = fnbuild.Env()
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go list -deps %s: %w", p, err)
		}
		return strings.Fields(string(out)), nil
	}
	all, err := deps(pkg, tags)
	if err != nil {
		return nil, err
	}
	base, err := deps(baseline, baselineTags)
	if err != nil {
		return nil, err
	}
	only := map[string]bool{}
	for _, p := range all {
		if !slices.Contains(base, p) {
			only[p] = true
		}
	}
	return only, nil
}
