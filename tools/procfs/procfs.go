// Package procfs reads what the Linux kernel says of a process in
// /proc/<pid>: its CPU times and its resident set. The bench and the soak
// measure the function's instances with it.
package procfs

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// ClockTicksPerSecond is USER_HZ, the unit of utime and stime in
// /proc/<pid>/stat. It is 100 on every Linux architecture Go supports
// (sysconf(_SC_CLK_TCK) needs cgo, which this module does without).
const ClockTicksPerSecond = 100

// CPUTimes are a process's CPU times, in clock ticks.
type CPUTimes struct {
	UserTicks, SystemTicks uint64
}

// Total is utime+stime as a duration.
func (c CPUTimes) Total() time.Duration {
	return time.Duration(c.UserTicks+c.SystemTicks) * time.Second / ClockTicksPerSecond
}

// ParseStat reads utime and stime (fields 14 and 15, in clock ticks) of a
// /proc/<pid>/stat line. They count every thread of the process, living or
// exited. The command name (field 2) is in parentheses and may itself hold
// spaces and parentheses, so the fields are counted from the last ')'.
func ParseStat(b []byte) (CPUTimes, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return CPUTimes{}, fmt.Errorf("/proc stat: no command name in %.80q", b)
	}
	fields := bytes.Fields(b[end+1:])
	// fields[0] is field 3 (state), so field n is fields[n-3].
	if len(fields) < 13 {
		return CPUTimes{}, fmt.Errorf("/proc stat: %d fields after the command name, want at least 13", len(fields))
	}
	utime, err := strconv.ParseUint(string(fields[14-3]), 10, 64)
	if err != nil {
		return CPUTimes{}, fmt.Errorf("/proc stat: utime: %w", err)
	}
	stime, err := strconv.ParseUint(string(fields[15-3]), 10, 64)
	if err != nil {
		return CPUTimes{}, fmt.Errorf("/proc stat: stime: %w", err)
	}
	return CPUTimes{UserTicks: utime, SystemTicks: stime}, nil
}

// ParseStatusKB returns the value of a "Name:   1234 kB" line of
// /proc/<pid>/status (VmHWM, VmRSS, ...) in bytes.
func ParseStatusKB(b []byte, name string) (int64, error) {
	prefix := []byte(name + ":")
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, fmt.Errorf("/proc status: %s: unexpected value %q", name, rest)
		}
		kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc status: %s: %w", name, err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("/proc status: no %s line", name)
}

// ProcessCPU reads utime+stime of a running process.
func ProcessCPU(pid int) (CPUTimes, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return CPUTimes{}, err
	}
	return ParseStat(b)
}

// PeakRSS reads VmHWM, the process's peak resident set size, in bytes.
func PeakRSS(pid int) (int64, error) { return statusKB(pid, "VmHWM") }

// RSS reads VmRSS, the process's current resident set size, in bytes.
func RSS(pid int) (int64, error) { return statusKB(pid, "VmRSS") }

func statusKB(pid int, name string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return ParseStatusKB(b, name)
}
