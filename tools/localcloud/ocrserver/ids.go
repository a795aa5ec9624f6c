package ocrserver

import (
	"crypto/rand"
	"fmt"
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

// newRequestID returns a random version-4 UUID. Both the vendor's reqId and
// the gateway's X-Ca-Request-Id are UUIDs that clients must treat as opaque.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail (it aborts the program instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
