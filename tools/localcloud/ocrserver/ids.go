package ocrserver

import (
	"strconv"
	"sync/atomic"
	"time"
)

// serialEpoch and serialSeq make serial numbers shaped like the vendor's
// (an 18-digit snowflake ID, "360562482416189440" in the contract):
// milliseconds since an epoch shifted left 22 bits, plus a counter so two
// calls in the same millisecond still differ.
var (
	serialEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	serialSeq   atomic.Uint64
)

func newSerialNo() string {
	ms := uint64(time.Since(serialEpoch).Milliseconds())
	seq := serialSeq.Add(1) & (1<<22 - 1)
	return strconv.FormatUint(ms<<22|seq, 10)
}
