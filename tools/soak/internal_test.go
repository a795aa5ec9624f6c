package soak

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiceIsDeterministicAndUniform(t *testing.T) {
	d := dice{seed: 7}
	assert.Equal(t, d.unit("ocr", "k", 1), d.unit("ocr", "k", 1))
	assert.NotEqual(t, d.unit("ocr", "k", 1), d.unit("ocr", "k", 2))
	assert.NotEqual(t, d.unit("ocr", "k", 1), dice{seed: 8}.unit("ocr", "k", 1))
	below := 0
	for i := range 10000 {
		if d.below(0.2, "x", i) {
			below++
		}
		n := d.upTo(5, "y", i)
		require.True(t, n >= 0 && n <= 5)
	}
	assert.InDelta(t, 2000, below, 150)
}

func TestMaxConcurrent(t *testing.T) {
	t0 := time.Now()
	at := func(start, d int) attemptRecord {
		return attemptRecord{started: t0.Add(time.Duration(start) * time.Millisecond), duration: time.Duration(d) * time.Millisecond}
	}
	assert.Equal(t, 1, maxConcurrent([]attemptRecord{at(0, 10), at(10, 5), at(20, 1)}), "back to back is not overlapping")
	assert.Equal(t, 2, maxConcurrent([]attemptRecord{at(0, 10), at(5, 10), at(30, 1)}))
}
