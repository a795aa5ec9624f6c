package ossserver_test

import (
	"net/http"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListBucketsPages(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"cards-a", "cards-b", "cards-c", "photos"} {
		f.srv.CreateBucket(name)
	}
	client, err := oss.New(f.internal, stsID, stsSecret, oss.SecurityToken(stsToken))
	require.NoError(t, err)

	cases := []struct {
		name          string
		opts          []oss.Option
		wantNames     []string
		wantTruncated bool
		wantNext      string
	}{
		{"all", nil, []string{"cards-a", "cards-b", "cards-c", bucketName, "photos"}, false, ""},
		{"prefix", []oss.Option{oss.Prefix("cards-")}, []string{"cards-a", "cards-b", "cards-c"}, false, ""},
		{"first page", []oss.Option{oss.Prefix("cards-"), oss.MaxKeys(2)}, []string{"cards-a", "cards-b"}, true, "cards-b"},
		{"next page", []oss.Option{oss.Prefix("cards-"), oss.MaxKeys(2), oss.Marker("cards-b")}, []string{"cards-c"}, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := client.ListBuckets(tc.opts...)
			require.NoError(t, err)
			var names []string
			for _, b := range res.Buckets {
				names = append(names, b.Name)
				assert.Equal(t, "oss-"+region, b.Location)
				assert.Equal(t, region, b.Region)
				assert.Equal(t, "Standard", b.StorageClass)
				assert.False(t, b.CreationDate.IsZero())
			}
			assert.Equal(t, tc.wantNames, names)
			assert.Equal(t, tc.wantTruncated, res.IsTruncated)
			assert.Equal(t, tc.wantNext, res.NextMarker)
			assert.Equal(t, "1000000000000000", res.Owner.ID)
		})
	}

	t.Run("anonymous is refused", func(t *testing.T) {
		resp := httpGet(t, f.internal+"/")
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
	t.Run("max-keys out of range", func(t *testing.T) {
		_, err := client.ListBuckets(oss.MaxKeys(1001))
		requireServiceError(t, err, http.StatusBadRequest, "InvalidArgument")
	})
}
