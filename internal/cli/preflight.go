package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/tools/deployspec"
)

const preflightIntro = `Usage: vlicense preflight [--spec s.yaml]

Checks, before a deployment, what would otherwise fail in the cloud or, worse, deploy a
function that cannot work: s.yaml names your own bucket, the recognition API's endpoint
and credentials are exported and valid, the Serverless Devs CLI is installed, and the
execution role exists (with the Alibaba Cloud CLI, when it is installed). One line per
problem, each saying what to do. make deploy runs it first. Exit code 2 on any problem.`

// sampleBucket is the bucket s.yaml ships with: a placeholder, since
// bucket names are global.
const sampleBucket = "vehicle-docs"

func runPreflight(ctx context.Context, std IO, args []string) int {
	fs := flag.NewFlagSet("preflight", flag.ContinueOnError)
	spec := fs.String("spec", "s.yaml", "the Serverless Devs project to deploy")
	if ok, code := parseFlags(fs, std, args, preflightIntro); !ok {
		return code
	}
	problems := preflight(ctx, std, *spec)
	for _, p := range problems {
		fmt.Fprintln(std.Stderr, "preflight: "+p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(std.Stderr, "preflight: %d problem(s): nothing was deployed\n", len(problems))
		return ExitUsage
	}
	fmt.Fprintln(std.Stdout, "preflight: ready to deploy")
	return ExitOK
}

// preflight returns one message per problem found.
func preflight(ctx context.Context, std IO, specPath string) []string {
	var problems []string
	spec, err := deployspec.LoadSpec(specPath)
	if err != nil {
		return []string{err.Error()}
	}
	for name, r := range spec.Resources {
		if r.Component != "fc3" {
			problems = append(problems, fmt.Sprintf("%s: resource %s uses component %q: Serverless Devs 3 deploys this project with fc3 only", specPath, name, r.Component))
		}
	}
	vars := func(name string) string { s, _ := spec.Vars[name].(string); return s }
	if vars("bucket") == sampleBucket {
		problems = append(problems, fmt.Sprintf("%s: vars.bucket is still the sample %q: set it to your own bucket (bucket names are global), in the region of vars.region", specPath, sampleBucket))
	}

	// The function's own configuration, as it will start in FC: the values
	// s.yaml resolves with this shell's environment.
	fn, err := deployspec.LoadFunction(specPath, envOf(std), map[string]string{"AccountID": "preflight"})
	switch {
	case err != nil && strings.Contains(err.Error(), "OCR_ENDPOINT is not set"):
		problems = append(problems, "OCR_ENDPOINT is not exported: export OCR_ENDPOINT='https://…' with the request address of the Marketplace API (README, Deploy to your account, step 1)")
	case err != nil:
		problems = append(problems, err.Error())
	default:
		fnEnv := func(k string) string {
			if k == "FC_REGION" {
				return vars("region")
			}
			return fn.Env[k]
		}
		if _, err := config.Load(fnEnv); err != nil {
			problems = append(problems, "the function would not start: "+strings.TrimPrefix(err.Error(), "invalid configuration: ")+" (export the OCR_ variables, or fix vars in "+specPath+")")
		}
	}

	path := std.Getenv("PATH")
	if _, err := lookPath("s", path); err != nil {
		problems = append(problems, "the Serverless Devs CLI (s) is not installed: npm install -g @serverless-devs/s, then s config add (README, Deploy to your account)")
	}
	role := vars("roleName")
	if aliyun, err := lookPath("aliyun", path); err != nil {
		fmt.Fprintf(std.Stderr, "preflight: cannot check that the role %s exists without the Alibaba Cloud CLI: if you have not yet, create it with deploy/create-role.sh\n", role)
	} else if err := roleExists(ctx, aliyun, role); err != nil {
		problems = append(problems, fmt.Sprintf("the execution role %s was not found (%v): create it with deploy/create-role.sh", role, err))
	}
	return problems
}

// roleExists asks RAM through the Alibaba Cloud CLI.
func roleExists(ctx context.Context, aliyun, role string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, aliyun, "ram", "GetRole", "--RoleName", role).CombinedOutput()
	if err != nil {
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		if first == "" {
			first = err.Error()
		}
		return errors.New(first)
	}
	return nil
}

// envOf turns the CLI's environment into the map s.yaml's ${env()} reads.
func envOf(std IO) map[string]string {
	env := map[string]string{}
	for _, k := range []string{"OCR_ENDPOINT", "OCR_APPCODE", "OCR_APP_KEY", "OCR_APP_SECRET"} {
		if v := std.Getenv(k); v != "" {
			env[k] = v
		}
	}
	return env
}

// lookPath finds an executable on path (the PATH of IO, so that tests can
// give their own).
func lookPath(name, path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH", name)
}
