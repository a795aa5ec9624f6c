package bench

import (
	"context"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartToFirstOutputCountsEveryRunButTheFirst(t *testing.T) {
	echo, err := exec.LookPath("echo")
	if err != nil {
		t.Skip("no echo(1) here")
	}
	runs, err := StartToFirstOutput(context.Background(), echo, 3)
	require.NoError(t, err)
	require.Len(t, runs, 3)
	for _, d := range runs {
		assert.Positive(t, d)
	}
}

func TestStartToFirstOutputNeedsOutput(t *testing.T) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) here")
	}
	_, err = StartToFirstOutput(context.Background(), truePath, 1)
	assert.ErrorContains(t, err, "wrote nothing")
}

func TestStartToFirstOutputReportsAFailingProgram(t *testing.T) {
	falsePath, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1) here")
	}
	_, err = StartToFirstOutput(context.Background(), falsePath, 1)
	assert.ErrorContains(t, err, "exit status 1")
}
