package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseInitTrace(t *testing.T) {
	out := []byte(`init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs
init runtime @0.13 ms, 0.25 ms clock, 0 bytes, 0 allocs
Usage: main <command>
init go.yaml.in/yaml/v3 @5.1 ms, 0.640 ms clock, 36816 bytes, 519 allocs
init broken @x ms
init also/broken @1 ms, many ms clock, 0 bytes, 0 allocs
`)
	assert.Equal(t, map[string]time.Duration{
		"internal/bytealg":   0,
		"runtime":            250 * time.Microsecond,
		"go.yaml.in/yaml/v3": 640 * time.Microsecond,
	}, ParseInitTrace(out))
}

func TestCPUModel(t *testing.T) {
	info := []byte("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n")
	assert.Equal(t, "AMD EPYC 7B13", CPUModel(info))
	assert.Equal(t, "unknown CPU", CPUModel([]byte("processor\t: 0\n")))
}
