package deployspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolverSubstitutesVariables(t *testing.T) {
	r := &Resolver{
		Vars: map[string]any{
			"region":  "cn-hangzhou",
			"timeout": 60,
			"role":    "acs:ram::${config('AccountID')}:role/app",
			"arn":     "acs:oss:${vars.region}:${config('AccountID')}:${vars.bucket.name}",
			"bucket":  map[string]any{"name": "vehicle-docs", "versioned": true},
			"ratio":   0.5,
		},
		Env:    map[string]string{"OCR_ENDPOINT": "https://ocr.example.com/v1"},
		Config: map[string]string{"AccountID": "1234567890123456"},
	}
	got, err := r.Resolve(map[string]any{
		"region":   "${vars.region}",
		"timeout":  "${vars.timeout}",
		"role":     "${vars.role}",
		"arn":      "${ vars.arn }",
		"bucket":   "${vars.bucket}",
		"label":    "t=${vars.timeout}s r=${vars.ratio} v=${vars.bucket.versioned}",
		"endpoint": "${env('OCR_ENDPOINT')}",
		"list":     []any{"${vars.bucket.name}", 3, nil},
		"plain":    "no variables {here}",
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"region":   "cn-hangzhou",
		"timeout":  float64(60), // a whole-value expression keeps the number type
		"role":     "acs:ram::1234567890123456:role/app",
		"arn":      "acs:oss:cn-hangzhou:1234567890123456:vehicle-docs",
		"bucket":   map[string]any{"name": "vehicle-docs", "versioned": true},
		"label":    "t=60s r=0.5 v=true",
		"endpoint": "https://ocr.example.com/v1",
		"list":     []any{"vehicle-docs", float64(3), nil},
		"plain":    "no variables {here}",
	}, got)
}

func TestResolverEnvDefaults(t *testing.T) {
	r := &Resolver{Env: map[string]string{"SET": "from-env", "EMPTY": ""}}
	for expr, want := range map[string]string{
		`${env('UNSET', '')}`:                  "",
		`${env('UNSET', 'fallback')}`:          "fallback",
		`${env("UNSET", "a, b } c")}`:          "a, b } c",
		`${env('SET', 'fallback')}`:            "from-env",
		`${env('EMPTY', 'fallback')}`:          "", // set but empty is still set
		`${env('SET')}`:                        "from-env",
		`x-${env('UNSET', 'd')}-${env('SET')}`: "x-d-from-env",
	} {
		got, err := r.Resolve(expr)
		if assert.NoError(t, err, expr) {
			assert.Equal(t, want, got, expr)
		}
	}
}

func TestResolverErrors(t *testing.T) {
	r := &Resolver{
		Vars: map[string]any{
			"loop":   "${vars.loop}",
			"a":      "${vars.b}",
			"b":      "${vars.a}",
			"nested": map[string]any{"x": 1},
			"plain":  "text",
		},
		Config: map[string]string{},
	}
	for expr, want := range map[string]string{
		`${env('OCR_ENDPOINT')}`:     "environment variable OCR_ENDPOINT is not set and has no default",
		`${vars.missing}`:            "vars.missing is not defined",
		`${vars.nested.y}`:           "vars.nested.y is not defined",
		`${vars.plain.y}`:            "vars.plain is not a mapping",
		`${vars.loop}`:               "vars.loop refers to itself",
		`${vars.a}`:                  "refers to itself",
		`${config('AccountID')}`:     `no sample value for config "AccountID"`,
		`${file('./a.txt')}`:         "unsupported function file",
		`${resources.fc.output.url}`: "unsupported expression ${resources.fc.output.url}",
		`${env(OCR_ENDPOINT)}`:       "arguments must be quoted strings",
		`${env('A', 'b', 'c')}`:      "env takes a name and an optional default",
		`${env('A',)}`:               "trailing ','",
		`open ${vars.plain`:          "unterminated expression",
		`prefix-${vars.nested}`:      "cannot splice a value of type object into a string",
	} {
		_, err := r.Resolve(map[string]any{"key": expr})
		if assert.Error(t, err, expr) {
			assert.Contains(t, err.Error(), want, expr)
			assert.Contains(t, err.Error(), "key", "the error names where the expression is")
		}
	}
}

func TestEnvRef(t *testing.T) {
	name, def, ok := EnvRef(`${env('OCR_APPCODE')}`)
	assert.True(t, ok)
	assert.Equal(t, "OCR_APPCODE", name)
	assert.Nil(t, def)

	name, def, ok = EnvRef(`${env('OCR_APP_SECRET', '')}`)
	assert.True(t, ok)
	assert.Equal(t, "OCR_APP_SECRET", name)
	require.NotNil(t, def)
	assert.Equal(t, "", *def)

	for _, s := range []string{"abc123", "${vars.appcode}", "x${env('A')}", "${env('A')}${env('B')}", "${config('A')}"} {
		_, _, ok := EnvRef(s)
		assert.False(t, ok, s)
	}
}
