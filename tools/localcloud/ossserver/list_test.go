package ossserver_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// listAll follows continuation tokens through bucket.ListObjectsV2 and
// returns every key and common prefix, and the number of pages.
func listAll(t *testing.T, b *oss.Bucket, opts ...oss.Option) (keys, prefixes []string, pages int) {
	t.Helper()
	return followPages(t, func(token string) (listPage, error) {
		res, err := b.ListObjectsV2(append(slices.Clone(opts), oss.ContinuationToken(token))...)
		page := listPage{next: res.NextContinuationToken, truncated: res.IsTruncated, prefixes: res.CommonPrefixes}
		for _, o := range res.Objects {
			page.keys = append(page.keys, o.Key)
		}
		return page, err
	})
}

// followPages lists from the first page to the last, each page starting at
// the previous one's next marker or token.
func followPages(t *testing.T, list func(next string) (listPage, error)) (keys, prefixes []string, pages int) {
	t.Helper()
	next := ""
	for {
		page, err := list(next)
		require.NoError(t, err)
		pages++
		keys, prefixes = append(keys, page.keys...), append(prefixes, page.prefixes...)
		if !page.truncated {
			assert.Empty(t, page.next, "nothing to follow after the last page")
			return keys, prefixes, pages
		}
		require.NotEmpty(t, page.next)
		require.Less(t, pages, 10000, "the listing does not end")
		next = page.next
	}
}

func TestListObjectsV2Pagination(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i := range 3000 {
		key := fmt.Sprintf("pages/%05d.jpg", i)
		f.srv.PutObject(bucketName, key, []byte(key), "image/jpeg", nil)
		want = append(want, key)
	}
	// Byte order, not Unicode collation: 'Z' < 'a' < '~' < 'é' < '行'.
	for _, key := range []string{"pages/行驶证.jpg", "pages/é.jpg", "pages/~.jpg", "pages/a.jpg", "pages/Z.jpg"} {
		f.srv.PutObject(bucketName, key, []byte(key), "", nil)
		want = append(want, key)
	}
	slices.Sort(want)
	for i := range 50 {
		f.srv.PutObject(bucketName, fmt.Sprintf("other/%d", i), nil, "", nil)
	}
	b := bucket(t, f.internal, stsIdentity)

	cases := []struct {
		name      string
		opts      []oss.Option
		wantPages int
	}{
		{"max-keys 1000", []oss.Option{oss.Prefix("pages/"), oss.MaxKeys(1000)}, 4},
		{"max-keys 250", []oss.Option{oss.Prefix("pages/"), oss.MaxKeys(250)}, 13},
		{"default page of 100", []oss.Option{oss.Prefix("pages/")}, 31},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys, prefixes, pages := listAll(t, b, tc.opts...)
			assert.Equal(t, want, keys)
			assert.Empty(t, prefixes)
			assert.Equal(t, tc.wantPages, pages)
		})
	}

	t.Run("pages are full, then the rest", func(t *testing.T) {
		first, err := b.ListObjectsV2(oss.Prefix("pages/"), oss.MaxKeys(1000))
		require.NoError(t, err)
		assert.Len(t, first.Objects, 1000)
		assert.Equal(t, 1000, first.MaxKeys)
		assert.True(t, first.IsTruncated)
		assert.Regexp(t, `^[A-Za-z0-9+/]+-*$`, first.NextContinuationToken, "OSS's token shape: base64, '=' as '-'")

		last, err := b.ListObjectsV2(oss.Prefix("pages/"), oss.MaxKeys(1000), oss.StartAfter(want[len(want)-6]))
		require.NoError(t, err)
		assert.Len(t, last.Objects, 5)
		assert.False(t, last.IsTruncated)
		assert.Equal(t, want[len(want)-6], last.StartAfter)
	})

	t.Run("objects carry their properties", func(t *testing.T) {
		page, err := b.ListObjectsV2(oss.Prefix("pages/00000"))
		require.NoError(t, err)
		require.Len(t, page.Objects, 1)
		o := page.Objects[0]
		stored, ok := f.srv.Object(bucketName, "pages/00000.jpg")
		require.True(t, ok)
		assert.Equal(t, stored.ETag, o.ETag)
		assert.Equal(t, int64(len("pages/00000.jpg")), o.Size)
		assert.Equal(t, "Normal", o.Type)
		assert.Equal(t, "Standard", o.StorageClass)
		assert.True(t, stored.LastModified.Equal(o.LastModified))
		assert.Empty(t, o.Owner.ID, "no owner unless fetch-owner=true")

		page, err = b.ListObjectsV2(oss.Prefix("pages/00000"), oss.FetchOwner(true))
		require.NoError(t, err)
		require.Len(t, page.Objects, 1)
		assert.Equal(t, ossserver.DefaultAccountID, page.Objects[0].Owner.ID)
	})
}

func TestListObjectsV2Delimiter(t *testing.T) {
	f := newFixture(t)
	for _, key := range []string{"a/1.jpg", "a/2.jpg", "b/x/1.jpg", "b/y.jpg", "b/", "c.jpg", "d/e/f.jpg", "行驶证/1.jpg"} {
		f.srv.PutObject(bucketName, key, []byte("x"), "", nil)
	}
	b := bucket(t, f.internal, permanentIdentity)

	cases := []struct {
		name         string
		opts         []oss.Option
		wantKeys     []string
		wantPrefixes []string
	}{
		{"top level", []oss.Option{oss.Delimiter("/")}, []string{"c.jpg"}, []string{"a/", "b/", "d/", "行驶证/"}},
		{"one folder down", []oss.Option{oss.Prefix("b/"), oss.Delimiter("/")}, []string{"b/", "b/y.jpg"}, []string{"b/x/"}},
		{"one page per entry", []oss.Option{oss.Delimiter("/"), oss.MaxKeys(1)}, []string{"c.jpg"}, []string{"a/", "b/", "d/", "行驶证/"}},
		{"multi-character delimiter", []oss.Option{oss.Delimiter("/1")}, []string{"a/2.jpg", "b/", "b/y.jpg", "c.jpg", "d/e/f.jpg"},
			[]string{"a/1", "b/x/1", "行驶证/1"}},
		{"start-after inside a folder still returns the folder", []oss.Option{oss.Delimiter("/"), oss.StartAfter("a/1.jpg")},
			[]string{"c.jpg"}, []string{"a/", "b/", "d/", "行驶证/"}},
		{"no match", []oss.Option{oss.Prefix("zzz"), oss.Delimiter("/")}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys, prefixes, _ := listAll(t, b, tc.opts...)
			assert.Equal(t, tc.wantKeys, keys)
			assert.Equal(t, tc.wantPrefixes, prefixes)
		})
	}

	t.Run("a common prefix counts once against max-keys", func(t *testing.T) {
		page, err := b.ListObjectsV2(oss.Delimiter("/"), oss.MaxKeys(2))
		require.NoError(t, err)
		assert.Empty(t, page.Objects)
		assert.Equal(t, []string{"a/", "b/"}, page.CommonPrefixes)
		assert.True(t, page.IsTruncated)
		assert.Equal(t, "/", page.Delimiter)
	})
}

// Keys that XML or a URL cannot carry as they are come back intact: the SDK
// asks for encoding-type=url and decodes with url.QueryUnescape.
func TestListObjectsV2EncodedKeysRoundTrip(t *testing.T) {
	f := newFixture(t)
	keys := []string{
		trickyKey,            // Chinese, space, '+', '%', '#'
		"行驶证/a b.jpg",        // space
		"行驶证/a+b.jpg",        // '+', which QueryUnescape would turn into a space
		"行驶证/100%25.jpg",     // a literal "%25"
		"行驶证/&<>\"'.jpg",     // XML's specials
		"行驶证/ctrl\x01\t.jpg", // bytes XML 1.0 cannot hold
		"行驶证/sub dir/x.jpg",
	}
	b := bucket(t, f.internal, stsIdentity)
	for _, key := range keys {
		require.NoError(t, b.PutObject(key, strings.NewReader(key)), key)
	}

	got, prefixes, _ := listAll(t, b, oss.Prefix("行驶证/"), oss.MaxKeys(2))
	want := slices.Sorted(slices.Values(keys))
	assert.Equal(t, want, got)
	assert.Empty(t, prefixes)

	t.Run("prefix and delimiter with specials", func(t *testing.T) {
		page, err := b.ListObjectsV2(oss.Prefix("行驶证/"), oss.Delimiter("/"))
		require.NoError(t, err)
		assert.Equal(t, "行驶证/", page.Prefix)
		assert.Equal(t, []string{"行驶证/sub dir/"}, page.CommonPrefixes)

		page, err = b.ListObjectsV2(oss.Prefix("行驶证/a+"), oss.Delimiter("+"))
		require.NoError(t, err)
		assert.Equal(t, []string{"行驶证/a+b.jpg"}, keysOf(page))
	})

	t.Run("every listed key can be fetched", func(t *testing.T) {
		for _, key := range got {
			r, err := b.GetObject(key)
			require.NoError(t, err, key)
			body, err := io.ReadAll(r)
			require.NoError(t, r.Close())
			require.NoError(t, err)
			assert.Equal(t, key, string(body))
		}
	})
}

// Tokens are base64 and so may hold '+', which the SDK's QueryUnescape
// would turn into a space if the server did not encode it.
func TestListObjectsV2TokensWithPlusAndSlash(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i := range 150 {
		key := fmt.Sprintf("tok/%03d%c", i, rune(0x4E00+i*97)) // varied high bytes vary the base64
		f.srv.PutObject(bucketName, key, nil, "", nil)
		want = append(want, key)
	}
	b := bucket(t, f.internal, stsIdentity)

	var got []string
	var specials string
	token := ""
	for {
		page, err := b.ListObjectsV2(oss.MaxKeys(1), oss.ContinuationToken(token))
		require.NoError(t, err)
		got = append(got, keysOf(page)...)
		if !page.IsTruncated {
			break
		}
		token = page.NextContinuationToken
		if strings.ContainsAny(token, "+/") {
			specials += token
		}
	}
	assert.Equal(t, want, got)
	assert.Contains(t, specials, "+", "some token held a '+'")
	assert.Contains(t, specials, "/", "some token held a '/'")
}

func keysOf(page oss.ListObjectsResultV2) []string {
	var keys []string
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

func TestListObjectsV2EmptyAndMissingBucket(t *testing.T) {
	f := newFixture(t)
	b := bucket(t, f.internal, stsIdentity)

	page, err := b.ListObjectsV2()
	require.NoError(t, err)
	assert.Empty(t, page.Objects)
	assert.Empty(t, page.CommonPrefixes)
	assert.False(t, page.IsTruncated)
	assert.Equal(t, 100, page.MaxKeys, "OSS's default page size")

	client, err := oss.New(f.internal, stsID, stsSecret, oss.SecurityToken(stsToken), oss.AuthVersion(oss.AuthV4), oss.Region(region))
	require.NoError(t, err)
	missing, err := client.Bucket("no-such-bucket")
	require.NoError(t, err)
	_, err = missing.ListObjectsV2()
	requireServiceError(t, err, http.StatusNotFound, "NoSuchBucket")
}

func TestListObjectsV2Refused(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	b := bucket(t, f.internal, stsIdentity)

	cases := []struct {
		name       string
		b          *oss.Bucket
		opts       []oss.Option
		wantStatus int
		wantCode   string
	}{
		{"max-keys 0", b, []oss.Option{oss.MaxKeys(0)}, http.StatusBadRequest, "InvalidArgument"},
		{"max-keys 1001", b, []oss.Option{oss.MaxKeys(1001)}, http.StatusBadRequest, "InvalidArgument"},
		{"forged continuation token", b, []oss.Option{oss.ContinuationToken("not-a-token")}, http.StatusBadRequest, "InvalidArgument"},
		{"prefix of 1024 bytes", b, []oss.Option{oss.Prefix(strings.Repeat("p", 1024))}, http.StatusBadRequest, "InvalidArgument"},
		{"unknown parameter", b, []oss.Option{oss.Marker("a")}, http.StatusNotImplemented, "NotImplemented"},
		{"wrong secret", bucket(t, f.internal, identity{id: stsID, secret: "wrong", token: stsToken}), nil,
			http.StatusForbidden, "SignatureDoesNotMatch"},
		{"prefix changed after signing", bucket(t, f.internal, stsIdentity, oss.HTTPClient(&http.Client{Transport: tamper(func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "prefix=a", "prefix=b", 1)
		})})), []oss.Option{oss.Prefix("a")}, http.StatusForbidden, "SignatureDoesNotMatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.b.ListObjectsV2(tc.opts...)
			requireServiceError(t, err, tc.wantStatus, tc.wantCode)
		})
	}
}

// The exact bytes OSS sends: element order, literal quotes around the ETag,
// URL-encoded keys, KeyCount last.
func TestListObjectsV2ResponseXML(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "dir/a b+c.jpg", []byte("12345"), "", nil)
	f.srv.PutObject(bucketName, "dir/sub/x.jpg", []byte("x"), "", nil)
	f.srv.PutObject(bucketName, "dir/z.jpg", []byte("z"), "", nil)
	obj, ok := f.srv.Object(bucketName, "dir/a b+c.jpg")
	require.True(t, ok)
	b := bucket(t, f.internal, stsIdentity)

	status, body := doRaw(t, b, http.MethodGet, "", map[string]any{
		"list-type": "2", "prefix": "dir/", "delimiter": "/", "max-keys": "2", "encoding-type": "url", "fetch-owner": "true",
	}, nil, nil)

	require.Equal(t, http.StatusOK, status, body)
	page, err := b.ListObjectsV2(oss.Prefix("dir/"), oss.Delimiter("/"), oss.MaxKeys(2))
	require.NoError(t, err)
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListBucketResult><Name>images</Name><Prefix>dir/</Prefix><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>` +
		`<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>` +
		`<NextContinuationToken>` + strings.ReplaceAll(page.NextContinuationToken, "+", "%2B") + `</NextContinuationToken>` +
		`<Contents><Key>dir/a%20b%2Bc.jpg</Key><LastModified>` + obj.LastModified.UTC().Format("2006-01-02T15:04:05.000Z") + `</LastModified>` +
		`<ETag>` + obj.ETag + `</ETag><Type>Normal</Type><Size>5</Size><StorageClass>Standard</StorageClass>` +
		`<Owner><ID>1000000000000000</ID><DisplayName>1000000000000000</DisplayName></Owner></Contents>` +
		`<CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes><KeyCount>2</KeyCount></ListBucketResult>`
	assert.Equal(t, want, body)
	assert.Contains(t, body, `<ETag>"`, "quotes are literal, as OSS writes them")
}

// doRaw sends a request signed by the SDK's own connection and returns the
// status and body, for what the SDK's typed calls cannot send or show.
func doRaw(t *testing.T, b *oss.Bucket, method, key string, params map[string]any, headers map[string]string, body io.Reader) (int, string) {
	t.Helper()
	resp, err := b.Client.Conn.Do(method, b.BucketName, key, params, headers, body, 0, nil)
	if err != nil {
		var se oss.ServiceError
		require.ErrorAs(t, err, &se)
		assertNoSecrets(t, se.RawMessage)
		return se.StatusCode, se.RawMessage
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(raw)
}

func TestListObjectsV2InLogAndFaults(t *testing.T) {
	f := newFixture(t)
	f.srv.PutObject(bucketName, "a.jpg", []byte("x"), "", nil)
	b := bucket(t, f.internal, stsIdentity)

	_, err := b.ListObjectsV2(oss.Prefix("a"))
	require.NoError(t, err)
	got := lastRequest(t, f.srv)
	assert.Equal(t, http.MethodGet, got.Method)
	assert.Equal(t, bucketName, got.Bucket)
	assert.Empty(t, got.Key)
	assert.Equal(t, []string{"encoding-type", "list-type", "prefix"}, got.Query)
	assert.Equal(t, ossserver.AuthHeaderV4, got.Auth)
	assert.Equal(t, http.StatusOK, got.Status)

	f.srv.SetFault(func(r ossserver.Request) *ossserver.Fault {
		if r.Key == "" && slices.Contains(r.Query, "list-type") {
			return &ossserver.Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"}
		}
		return nil
	})
	_, err = b.ListObjectsV2()
	requireServiceError(t, err, http.StatusServiceUnavailable, "ServiceUnavailable")
	_, err = b.GetObjectMeta("a.jpg")
	require.NoError(t, err, "the fault targets listings only")
}
