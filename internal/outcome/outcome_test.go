package outcome

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEveryOutcomeIsEitherFinalRetriedOrNeither(t *testing.T) {
	cases := []struct {
		o              Outcome
		final, retried bool
	}{
		{Succeeded, true, false},
		{Rejected, true, false},
		{"", true, false}, // documents older than the outcome metadata
		{Transient, false, true},
		{Misconfigured, false, true},
		{Skipped, false, false},
		{Planned, false, false},
		{"something-else", false, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.o), func(t *testing.T) {
			assert.Equal(t, tc.final, tc.o.Final())
			assert.Equal(t, tc.retried, tc.o.Retried())
		})
	}
	assert.NotContains(t, All, Planned, "dry runs are not invocation outcomes")
}
