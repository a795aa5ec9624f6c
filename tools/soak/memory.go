package soak

import (
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/fcemulator"
	"github.com/vlicense/fc-vehicle-license/tools/procfs"
)

// InstanceMemory is what was measured of one function instance (one child
// process of the FC emulator).
type InstanceMemory struct {
	ID          string
	PID         int
	Invocations int
	// PeakRSS is the largest VmHWM (the kernel's high-water mark of the
	// process's resident set) read from /proc/<pid>/status while the
	// process was alive; 0 if it was never sampled (it lived less than a
	// sampling period).
	PeakRSS int64
	// LastRSS is the last VmRSS read.
	LastRSS int64
	Samples int
	// ExitStatus is empty while it runs.
	ExitStatus string
}

// memorySampler reads /proc/<pid>/status of every running instance.
type memorySampler struct {
	mu        sync.Mutex
	instances map[int]*InstanceMemory
}

func newMemorySampler() *memorySampler {
	return &memorySampler{instances: map[int]*InstanceMemory{}}
}

// sample reads every instance that runs now. A process can exit between
// the listing and the read; it is skipped then.
func (m *memorySampler) sample(infos []fcemulator.InstanceInfo) {
	for _, in := range infos {
		m.mu.Lock()
		im, ok := m.instances[in.PID]
		if !ok {
			im = &InstanceMemory{ID: in.ID, PID: in.PID}
			m.instances[in.PID] = im
		}
		im.Invocations, im.ExitStatus = in.Invocations, in.ExitStatus
		m.mu.Unlock()
		if !in.Running() {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", in.PID))
		if err != nil {
			continue
		}
		hwm, err1 := procfs.ParseStatusKB(b, "VmHWM")
		rss, err2 := procfs.ParseStatusKB(b, "VmRSS")
		if err1 != nil || err2 != nil {
			continue
		}
		m.mu.Lock()
		im.PeakRSS = max(im.PeakRSS, hwm)
		im.LastRSS = rss
		im.Samples++
		m.mu.Unlock()
	}
}

// result lists the instances in start order (by pid as a tie-break).
func (m *memorySampler) result(order []fcemulator.InstanceInfo) []InstanceMemory {
	m.mu.Lock()
	defer m.mu.Unlock()
	rank := map[int]int{}
	for i, in := range order {
		rank[in.PID] = i
	}
	out := make([]InstanceMemory, 0, len(m.instances))
	for _, im := range m.instances {
		out = append(out, *im)
	}
	sort.Slice(out, func(i, j int) bool { return rank[out[i].PID] < rank[out[j].PID] })
	return out
}
