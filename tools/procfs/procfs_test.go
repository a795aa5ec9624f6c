package procfs

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStat(t *testing.T) {
	// A real line, with a command name holding a space and parentheses;
	// utime 1234 and stime 56 are fields 14 and 15.
	line := []byte("4242 (my (odd) fn) S 1 4242 4242 0 -1 4194560 1390 0 0 0 1234 56 0 0 20 0 7 0 123456 1263104000 2400 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0\n")
	c, err := ParseStat(line)
	require.NoError(t, err)
	assert.Equal(t, CPUTimes{UserTicks: 1234, SystemTicks: 56}, c)
	assert.Equal(t, 12900*time.Millisecond, c.Total())

	_, err = ParseStat([]byte("4242 no parentheses 1 2 3"))
	assert.Error(t, err)
	_, err = ParseStat([]byte("4242 (fn) S 1 2"))
	assert.Error(t, err)
	_, err = ParseStat([]byte("4242 (fn) S 1 4242 4242 0 -1 4194560 1390 0 0 0 x 56 0"))
	assert.Error(t, err)
}

func TestParseStatusKB(t *testing.T) {
	status := []byte("Name:\tmain\nVmPeak:\t 1237000 kB\nVmHWM:\t    9876 kB\nVmRSS:\t    8000 kB\nThreads:\t7\n")
	hwm, err := ParseStatusKB(status, "VmHWM")
	require.NoError(t, err)
	assert.Equal(t, int64(9876*1024), hwm)
	rss, err := ParseStatusKB(status, "VmRSS")
	require.NoError(t, err)
	assert.Equal(t, int64(8000*1024), rss)

	_, err = ParseStatusKB(status, "VmSwap")
	assert.Error(t, err, "a missing line")
	_, err = ParseStatusKB(status, "Threads")
	assert.Error(t, err, "a line that is not in kB")
	_, err = ParseStatusKB(status, "VmH")
	assert.Error(t, err, "a prefix of a name is not the name")
}

func TestReadsThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	_, err := ProcessCPU(os.Getpid())
	require.NoError(t, err)
	rss, err := RSS(os.Getpid())
	require.NoError(t, err)
	hwm, err := PeakRSS(os.Getpid()) // read second: the peak is at least the earlier RSS
	require.NoError(t, err)
	assert.Positive(t, rss)
	assert.GreaterOrEqual(t, hwm, rss)
}
