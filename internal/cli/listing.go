package cli

import (
	"context"

	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
)

// listing pages through a bucket's prefix for backfill and report, one page
// in memory at a time, whatever the number of objects.
type listing struct {
	store    *objectstore.Store
	bucket   string
	prefix   string
	pageSize int
	progress *progress
}

// each calls visit for every object in key order, until the listing ends or
// ctx is cancelled, and returns how many it visited.
func (l listing) each(ctx context.Context, visit func(objectstore.ListedObject)) (int, error) {
	token, n := "", 0
	for {
		page, err := l.store.List(ctx, l.bucket, l.prefix, token, l.pageSize)
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			return n, err
		}
		l.progress.listed(len(page.Objects), page.Next == "")
		for _, o := range page.Objects {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			visit(o)
			n++
		}
		if page.Next == "" {
			return n, nil
		}
		token = page.Next
	}
}
