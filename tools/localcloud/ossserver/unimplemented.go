package ossserver

import (
	"net/http"
	"strings"
)

// The sub-resources below name OSS operations. The server implements a few
// of them (see router.go); the others are recognised only so that they are
// refused by name, e.g. "the local OSS server does not implement
// GetBucketLifecycle (GET ?lifecycle on a bucket)", and never answered as
// if the parameter were not there.

// bucketSubresources are the query parameters that select a bucket-level
// operation other than listing objects.
var bucketSubresources = setOf(
	"acl", "cors", "lifecycle", "logging", "website", "referer", "location",
	"bucketInfo", "stat", "versioning", "versions", "policy", "policyStatus",
	"encryption", "tagging", "replication", "replicationLocation",
	"replicationProgress", "inventory", "worm", "wormId", "wormExtend",
	"requestPayment", "transferAcceleration", "cname", "metaQuery",
	"resourceGroup", "accessMonitor", "publicAccessBlock", "httpsConfig",
	"overwriteConfig", "bucketArchiveDirectRead", "style", "redundancyTransition",
	"quota", "rtc", "live", "uploads", "delete", "qos", "qosInfo", "objectWorm",
	"userDefinedLogFieldsConfig", "accessPoint", "accessPointPolicy",
	"asyncFetch", "metadataConfiguration", "regionList",
)

// objectSubresources are the query parameters that select an object-level
// operation other than the plain PUT, GET, HEAD and DELETE.
var objectSubresources = setOf(
	"acl", "tagging", "symlink", "append", "position", "seal", "restore",
	"cleanRestoredObject", "uploads", "uploadId", "partNumber", "objectMeta",
	"x-oss-process", "x-oss-async-process", "retention", "legalHold",
	"x-oss-write-get-object-response", "live",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// bucketNames are OSS's names where they do not follow the
// <Verb>Bucket<Sub-resource> pattern.
var bucketNames = map[string]map[string]string{
	"tagging":    {http.MethodGet: "GetBucketTags", http.MethodPut: "PutBucketTags", http.MethodDelete: "DeleteBucketTags"},
	"bucketInfo": {http.MethodGet: "GetBucketInfo"},
	"versions":   {http.MethodGet: "ListObjectVersions"},
	"cname":      {http.MethodGet: "ListCname", http.MethodPost: "PutCname"},
	"worm":       {http.MethodGet: "GetBucketWorm", http.MethodPost: "InitiateBucketWorm", http.MethodDelete: "AbortBucketWorm"},
	"live":       {http.MethodGet: "ListLiveChannel"},
	"asyncFetch": {http.MethodGet: "GetAsyncFetchTask", http.MethodPost: "PutAsyncFetchTask"},
	"uploads":    {},
	"delete":     {},
	"regionList": {},
}

// bucketOperationName names the bucket operation a sub-resource selects, or
// "" when the combination is none that OSS has under a name we know.
func bucketOperationName(method, sub string) string {
	if names, ok := bucketNames[sub]; ok {
		return names[method]
	}
	switch method {
	case http.MethodGet:
		return "GetBucket" + upperFirst(sub)
	case http.MethodPut:
		return "PutBucket" + upperFirst(sub)
	case http.MethodDelete:
		return "DeleteBucket" + upperFirst(sub)
	}
	return ""
}

// objectNames are the object operations selected by a sub-resource.
var objectNames = map[string]map[string]string{
	"tagging":                         {http.MethodGet: "GetObjectTagging", http.MethodPut: "PutObjectTagging", http.MethodDelete: "DeleteObjectTagging"},
	"symlink":                         {http.MethodGet: "GetSymlink", http.MethodPut: "PutSymlink"},
	"append":                          {http.MethodPost: "AppendObject"},
	"position":                        {http.MethodPost: "AppendObject"},
	"seal":                            {http.MethodPost: "SealAppendObject"},
	"restore":                         {http.MethodPost: "RestoreObject"},
	"cleanRestoredObject":             {http.MethodPost: "CleanRestoredObject"},
	"x-oss-process":                   {http.MethodGet: "GetObject with x-oss-process (data processing)", http.MethodPost: "ProcessObject"},
	"x-oss-async-process":             {http.MethodPost: "AsyncProcessObject"},
	"retention":                       {http.MethodGet: "GetObjectRetention", http.MethodPut: "PutObjectRetention"},
	"legalHold":                       {http.MethodGet: "GetObjectLegalHold", http.MethodPut: "PutObjectLegalHold"},
	"x-oss-write-get-object-response": {http.MethodPost: "WriteGetObjectResponse"},
	"live":                            {http.MethodPut: "PutLiveChannel", http.MethodGet: "GetLiveChannelInfo", http.MethodDelete: "DeleteLiveChannel"},
}

// objectOperationName names the object operation a sub-resource selects,
// or "" when the combination is none that OSS has under a name we know.
func objectOperationName(method, sub string, params []queryParam) string {
	if sub == "x-oss-process" && method == http.MethodPost {
		for _, p := range params {
			// SelectObject is a POST ?x-oss-process=csv/select (or json/).
			if p.name == sub && strings.HasSuffix(p.value, "/select") {
				return "SelectObject"
			}
			if p.name == sub && strings.HasSuffix(p.value, "/meta") {
				return "CreateSelectObjectMeta"
			}
		}
	}
	return objectNames[sub][method]
}
