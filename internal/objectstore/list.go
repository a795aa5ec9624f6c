package objectstore

import (
	"context"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// ListedObject is one entry of a listing.
type ListedObject struct {
	Key          string
	Size         int64
	ETag         string // normalized
	LastModified time.Time
}

// Page is one page of a listing; Next is empty on the last page.
type Page struct {
	Objects []ListedObject
	Next    string
}

// List returns one page of up to pageSize (1 to 1,000) objects under
// prefix, starting at the continuation token (empty for the first page).
func (s *Store) List(ctx context.Context, bucket, prefix, token string, pageSize int) (Page, error) {
	b, err := s.internal.Bucket(bucket)
	if err != nil {
		return Page{}, &Error{Op: "LIST", Err: err}
	}
	opts := []oss.Option{oss.WithContext(ctx), oss.Prefix(prefix), oss.MaxKeys(pageSize)}
	if token != "" {
		opts = append(opts, oss.ContinuationToken(token))
	}
	out, err := b.ListObjectsV2(opts...)
	if err != nil {
		return Page{}, wrap("LIST", err)
	}
	page := Page{Objects: make([]ListedObject, 0, len(out.Objects))}
	for _, o := range out.Objects {
		page.Objects = append(page.Objects, ListedObject{Key: o.Key, Size: o.Size, ETag: NormalizeETag(o.ETag), LastModified: o.LastModified})
	}
	if out.IsTruncated {
		page.Next = out.NextContinuationToken
	}
	return page, nil
}
