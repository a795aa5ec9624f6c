package cli

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	fc "github.com/alibabacloud-go/fc-20230330/v4/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/credentials-go/credentials"
)

// fcTarget is the deployed function a backfill submits to.
type fcTarget struct {
	function  string
	qualifier string
	accountID string
	region    string
	endpoint  string // URL; https://<account>.<region>.fc.aliyuncs.com by default
}

// resolveFCTarget completes the flags from the environment and says what is
// missing.
func resolveFCTarget(std IO, f backfillFlags) (fcTarget, error) {
	t := fcTarget{function: f.onFC, qualifier: "LATEST", accountID: f.accountID, region: f.region, endpoint: f.fcEndpoint}
	if t.accountID == "" {
		t.accountID = std.Getenv("FC_ACCOUNT_ID")
	}
	if t.region == "" {
		t.region = firstNonEmpty(std.Getenv("FC_REGION"), std.Getenv("OSS_REGION"))
	}
	if t.endpoint == "" {
		t.endpoint = std.Getenv("FC_ENDPOINT")
	}
	var problems []error
	if t.region == "" {
		problems = append(problems, errors.New("the function's region is unknown: give --region or set FC_REGION (for example cn-hangzhou)"))
	}
	if t.endpoint == "" {
		if t.accountID == "" {
			problems = append(problems, errors.New("the function's account is unknown: give --account-id or set FC_ACCOUNT_ID (the account id of the console's top right menu)"))
		}
		t.endpoint = fmt.Sprintf("https://%s.%s.fc.aliyuncs.com", t.accountID, t.region)
	}
	return t, errors.Join(problems...)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// fcInvoker submits asynchronous invocations with the official FC 3.0
// OpenAPI SDK.
type fcInvoker struct {
	client *fc.Client
	target fcTarget
}

// errAlreadyQueued is FC's refusal of a task id it has seen: that very
// submission is queued already.
var errAlreadyQueued = errors.New("already queued")

// fcError is FC's refusal of a submission.
type fcError struct {
	status        int
	code, message string
}

func (e *fcError) Error() string {
	return fmt.Sprintf("FC answered HTTP %d %s: %s", e.status, e.code, e.message)
}

// retryable: throttling and FC's own trouble pass; the rest is the
// operator's to fix (function name, permissions, account).
func (e *fcError) retryable() bool { return e.status == 429 || e.status >= 500 || e.status == 0 }

// newFCInvoker builds the client: the AccessKey of the environment when
// ALIBABA_CLOUD_ACCESS_KEY_ID is set (with ALIBABA_CLOUD_SECURITY_TOKEN for
// STS), else the Alibaba Cloud default credential chain (profile files,
// instance roles) that the operator's other tools use.
func newFCInvoker(std IO, t fcTarget) (*fcInvoker, error) {
	u, err := url.Parse(t.endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("the FC endpoint %q is not an http(s) URL", t.endpoint)
	}
	var cred credentials.Credential
	if id := std.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"); id != "" {
		cfg := &credentials.Config{Type: tea.String("access_key"), AccessKeyId: tea.String(id),
			AccessKeySecret: tea.String(std.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"))}
		if token := std.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN"); token != "" {
			cfg.Type, cfg.SecurityToken = tea.String("sts"), tea.String(token)
		}
		cred, err = credentials.NewCredential(cfg)
	} else {
		cred, err = credentials.NewCredential(nil)
	}
	if err != nil {
		return nil, fmt.Errorf("no Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure a profile (aliyun configure): %w", err)
	}
	client, err := fc.NewClient(&openapi.Config{
		Credential: cred,
		Endpoint:   tea.String(u.Host),
		Protocol:   tea.String(u.Scheme),
		RegionId:   tea.String(t.region),
	})
	if err != nil {
		return nil, err
	}
	return &fcInvoker{client: client, target: t}, nil
}

// submit queues one asynchronous invocation with its task id.
func (i *fcInvoker) submit(taskID string, payload []byte) error {
	_, err := i.client.InvokeFunctionWithOptions(tea.String(i.target.function),
		&fc.InvokeFunctionRequest{Body: bytes.NewReader(payload), Qualifier: tea.String(i.target.qualifier)},
		&fc.InvokeFunctionHeaders{XFcInvocationType: tea.String("Async"), XFcAsyncTaskId: tea.String(taskID)},
		&util.RuntimeOptions{ConnectTimeout: tea.Int(10_000), ReadTimeout: tea.Int(30_000)})
	if err == nil {
		return nil
	}
	var sdkErr *tea.SDKError
	if !errors.As(err, &sdkErr) {
		return &fcError{message: strings.TrimSpace(err.Error())}
	}
	e := &fcError{status: tea.IntValue(sdkErr.StatusCode), code: tea.StringValue(sdkErr.Code), message: tea.StringValue(sdkErr.Message)}
	if e.status == 409 {
		return errAlreadyQueued
	}
	return e
}
