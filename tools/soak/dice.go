package soak

import (
	"encoding/binary"
	"hash/fnv"
	"strconv"
)

// dice makes every decision of a run from the seed and what the decision is
// about, so that one seed gives the same faults to the same images whatever
// the timing: unit("ocr", key, 3) is the same number on every run.
type dice struct{ seed int64 }

// unit returns a number in [0, 1) for parts, uniformly distributed.
func (d dice) unit(parts ...any) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(d.seed))
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte{0})
		switch v := p.(type) {
		case string:
			h.Write([]byte(v))
		case int:
			h.Write([]byte(strconv.Itoa(v)))
		default:
			panic("soak: dice part of unexpected type")
		}
	}
	return float64(mix(h.Sum64())>>11) / (1 << 53)
}

// below reports whether the decision about parts falls under rate.
func (d dice) below(rate float64, parts ...any) bool { return d.unit(parts...) < rate }

// upTo returns an integer in [0, n].
func (d dice) upTo(n int, parts ...any) int {
	return min(int(d.unit(parts...)*float64(n+1)), n)
}

// mix is SplitMix64's finaliser: FNV's low bits alone are poorly mixed.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
