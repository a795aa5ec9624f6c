package vehicle

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkRead measures one whole document: JSON scan, normalisation and
// review. The budget is 20 µs and 30 allocations per document.
func BenchmarkRead(b *testing.B) {
	pages := []struct{ name, side, body string }{
		{"front", Front, cleanFrontJSON},
		{"back", Back, cleanBackJSON},
		// Every date, number and plate in a form that needs rewriting.
		{"front rewritten", Front, front(m{"registerDate": "2019年05月20日", "issueDate": "20190520", "plateNo": "粤b·12345", "vin": "lsvau 2185n 2100001", "address": "广东省深圳市  南山区 示例路1号"})},
		{"back rewritten", Back, back(m{"plateNo": "粤 B12345", "totalMass": "１８２０ＫＧ", "externalSize": "4800 X 1800 X 1460 MM"})},
		{"garbled example", Front, garbledJSON},
	}
	for _, p := range pages {
		body := []byte(p.body)
		_, _, err := Read(body, p.side, recognizedAt)
		require.NoError(b, err)
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				_, _, _ = Read(body, p.side, recognizedAt)
			}
		})
	}
}

// TestAllocationBudget keeps the benchmark's allocation budget in the tests.
func TestAllocationBudget(t *testing.T) {
	for _, c := range corpus {
		body := []byte(c.body)
		allocs := testing.AllocsPerRun(20, func() { _, _, _ = Read(body, c.side, recognizedAt) })
		require.LessOrEqual(t, allocs, 30.0, c.name)
	}
}
