package bench

import (
	"fmt"
	"strings"
)

// EnvFlag is the flag.Func of -env KEY=VALUE (repeatable), which the bench
// commands use to try a setting in the measured process's environment.
func EnvFlag(env *map[string]string) func(string) error {
	return func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("want KEY=VALUE, got %q", kv)
		}
		if *env == nil {
			*env = map[string]string{}
		}
		(*env)[k] = v
		return nil
	}
}
