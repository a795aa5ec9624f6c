package deployspec

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Function is what the local cloud needs to know of the deployed function,
// read from s.yaml itself so that local runs behave like the deployment.
type Function struct {
	Name                  string
	Timeout               time.Duration
	MemoryMB              int
	Env                   map[string]string // environmentVariables, resolved
	MaxAsyncRetryAttempts int               // FC's default (3) when s.yaml says nothing
	// AsyncTask is asyncInvokeConfig.asyncTask: FC's asynchronous task
	// feature, without which an invocation may not carry a task id
	// (x-fc-async-task-id). Off when s.yaml says nothing.
	AsyncTask bool
	Triggers  []OSSTrigger
}

// OSSTrigger is one OSS trigger: which events of which keys invoke the
// function.
type OSSTrigger struct {
	Name   string
	Bucket string   // from sourceArn acs:oss:<region>:<account>:<bucket>
	Events []string // as in s.yaml: oss:ObjectCreated:PutObject, ...
	Prefix string
	Suffix string
}

// Matches reports whether an OSS event (eventName as in the payload, such
// as ObjectCreated:PutObject) for key fires this trigger, the way OSS
// filters: one of the events (a trailing * is a wildcard), the key starting
// with the prefix and ending with the suffix.
func (t OSSTrigger) Matches(eventName, key string) bool {
	if !strings.HasPrefix(key, t.Prefix) || !strings.HasSuffix(key, t.Suffix) {
		return false
	}
	for _, e := range t.Events {
		pattern := strings.TrimPrefix(e, "oss:")
		if ok, _ := path.Match(pattern, eventName); ok {
			return true
		}
	}
	return false
}

// defaultMaxAsyncRetryAttempts is what FC does for an asynchronous
// invocation when no asyncInvokeConfig says otherwise.
const defaultMaxAsyncRetryAttempts = 3

// LoadFunction reads the only fc3 resource of the s.yaml at specPath,
// resolving ${env(...)} from env and ${config(...)} from config.
func LoadFunction(specPath string, env, config map[string]string) (Function, error) {
	spec, err := LoadSpec(specPath)
	if err != nil {
		return Function{}, err
	}
	name, _, err := spec.ComponentResource("fc3")
	if err != nil {
		return Function{}, fmt.Errorf("%s: %w", specPath, err)
	}
	props, err := spec.ResolvedProps(name, &Resolver{Env: env, Config: config})
	if err != nil {
		return Function{}, fmt.Errorf("%s: %w", specPath, err)
	}

	f := Function{Env: map[string]string{}, MaxAsyncRetryAttempts: defaultMaxAsyncRetryAttempts}
	var problems []error
	f.Name, _ = props["functionName"].(string)
	if secs, ok := number(props["timeout"]); ok && secs > 0 {
		f.Timeout = time.Duration(secs * float64(time.Second))
	} else {
		problems = append(problems, errors.New("props.timeout is not a positive number of seconds"))
	}
	if mb, ok := number(props["memorySize"]); ok {
		f.MemoryMB = int(mb)
	}
	if vars, ok := normalize(props["environmentVariables"]).(map[string]any); ok {
		for k, v := range vars {
			s, err := scalarText(v)
			if err != nil {
				problems = append(problems, fmt.Errorf("props.environmentVariables.%s: %w", k, err))
				continue
			}
			f.Env[k] = s
		}
	}
	if async, ok := normalize(props["asyncInvokeConfig"]).(map[string]any); ok {
		if n, ok := number(async["maxAsyncRetryAttempts"]); ok {
			f.MaxAsyncRetryAttempts = int(n)
		}
		if v, set := async["asyncTask"]; set {
			if b, ok := v.(bool); ok {
				f.AsyncTask = b
			} else {
				problems = append(problems, fmt.Errorf("props.asyncInvokeConfig.asyncTask is %v, not true or false", v))
			}
		}
	}
	triggers, _ := normalize(props["triggers"]).([]any)
	for i, t := range triggers {
		trig, _ := normalize(t).(map[string]any)
		if typ, _ := trig["triggerType"].(string); typ != "oss" {
			continue
		}
		ot, err := ossTrigger(trig)
		if err != nil {
			problems = append(problems, fmt.Errorf("props.triggers[%d]: %w", i, err))
			continue
		}
		f.Triggers = append(f.Triggers, ot)
	}
	if err := errors.Join(problems...); err != nil {
		return Function{}, fmt.Errorf("%s: %w", specPath, err)
	}
	return f, nil
}

func ossTrigger(trig map[string]any) (OSSTrigger, error) {
	t := OSSTrigger{}
	t.Name, _ = trig["triggerName"].(string)
	arn, _ := trig["sourceArn"].(string)
	if parts := strings.Split(arn, ":"); len(parts) == 5 && parts[0] == "acs" && parts[1] == "oss" && parts[4] != "" {
		t.Bucket = parts[4]
	} else {
		return t, fmt.Errorf("sourceArn %q is not acs:oss:<region>:<account>:<bucket>", arn)
	}
	cfg, _ := normalize(trig["triggerConfig"]).(map[string]any)
	events, _ := normalize(cfg["events"]).([]any)
	for _, e := range events {
		s, ok := e.(string)
		if !ok {
			return t, errors.New("triggerConfig.events holds a non-string")
		}
		t.Events = append(t.Events, s)
	}
	if len(t.Events) == 0 {
		return t, errors.New("triggerConfig.events is empty")
	}
	filter, _ := normalize(cfg["filter"]).(map[string]any)
	key, _ := normalize(filter["key"]).(map[string]any)
	t.Prefix, _ = key["prefix"].(string)
	t.Suffix, _ = key["suffix"].(string)
	return t, nil
}
