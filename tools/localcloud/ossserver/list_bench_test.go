package ossserver

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkListPageOfALargeBucket pages through a bucket of 200,000 keys, as
// a backfill or report over a large bucket does: each page must cost what
// it returns, not a sort of the whole bucket.
func BenchmarkListPageOfALargeBucket(b *testing.B) {
	st := &store{}
	st.createBucket("b", time.Now())
	for i := range 200_000 {
		st.put("b", newStoredObject(fmt.Sprintf("uploads/%07d.jpg", i), nil, "", nil, time.Now()))
	}
	after := ""
	for b.Loop() {
		page, ok := st.listPage("b", listQuery{prefix: "uploads/", after: after, maxKeys: 1000})
		if !ok || len(page.contents) == 0 {
			b.Fatal("empty page")
		}
		after = page.next // wraps around to the start at the end
	}
}
