package ossserver

import (
	"net/http"
	"strconv"
	"strings"
)

// ListBuckets (GetService): GET / with prefix, marker and max-keys (OSS API
// reference, ListBuckets). ossutil ls with no argument starts with it.
// Every bucket is in the server's region, owned by Config.AccountID, and
// reports OSS's endpoints for that region; clients do not use them to
// reach this server.

func (s *Server) listBuckets(w http.ResponseWriter, _ *http.Request, _ *Request, params []queryParam) (int, *ossError) {
	var prefix, marker string
	maxKeys := defaultMaxKeys
	for _, p := range params {
		switch p.name {
		case "prefix":
			prefix = p.value
		case "marker":
			marker = p.value
		case "max-keys":
			n, err := parseMaxKeys(p.value)
			if err != nil {
				return 0, err
			}
			maxKeys = n
		}
	}
	var page []bucketInfo
	truncated := false
	for _, b := range s.store.bucketList() {
		if !strings.HasPrefix(b.name, prefix) || b.name <= marker {
			continue
		}
		if len(page) == maxKeys {
			truncated = true
			break
		}
		page = append(page, b)
	}

	location := "oss-" + s.region
	d := newXMLDoc()
	d.open("ListAllMyBucketsResult")
	d.elem("Prefix", prefix)
	d.elem("Marker", marker)
	d.elem("MaxKeys", strconv.Itoa(maxKeys))
	d.elem("IsTruncated", strconv.FormatBool(truncated))
	if truncated {
		d.elem("NextMarker", page[len(page)-1].name)
	}
	d.open("Owner")
	d.elem("ID", s.accountID)
	d.elem("DisplayName", s.accountID)
	d.close("Owner")
	d.open("Buckets")
	for _, b := range page {
		d.open("Bucket")
		d.elem("CreationDate", b.created.Format(listTimeFormat))
		d.elem("ExtranetEndpoint", location+".aliyuncs.com")
		d.elem("IntranetEndpoint", location+"-internal.aliyuncs.com")
		d.elem("Location", location)
		d.elem("Name", b.name)
		d.elem("Region", s.region)
		d.elem("StorageClass", "Standard")
		d.close("Bucket")
	}
	d.close("Buckets")
	d.close("ListAllMyBucketsResult")
	return d.send(w), nil
}
