package ossserver

import (
	"net/http"
	"slices"
	"strings"
)

// This file tells which OSS operation a request asks for, from its method,
// its level (service, bucket or object), its sub-resource parameters and a
// few headers, as OSS does. The answer is decided before anything else, so
// that an operation the server does not have is refused by name instead of
// falling through to a neighbour (GET /b/k?tagging must never read the
// object).

// handlerFunc runs one implemented operation once the request is
// authenticated.
type handlerFunc func(s *Server, w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError)

// operation is what a request asks for.
type operation struct {
	name string // OSS's API name, e.g. "GetObjectAcl"; "" when OSS has none we know
	// form is how the request asked for it, e.g. "GET ?acl on an object",
	// for messages. It holds no '<' or '"', which the XML of an error
	// would escape.
	form  string
	serve handlerFunc // nil: recognised but not implemented
	// params are the query parameters serve understands, besides the
	// signature parameters; any other is refused with NotImplemented.
	params []string
	// anonymousRead marks reads that an object's public-read ACL opens
	// to requests without a signature.
	anonymousRead bool
}

// Query parameters that sign a URL; they select no operation.
var signatureParams = map[string]bool{
	// signature V4
	"x-oss-signature-version":  true,
	"x-oss-credential":         true,
	"x-oss-date":               true,
	"x-oss-expires":            true,
	"x-oss-signature":          true,
	"x-oss-additional-headers": true,
	"x-oss-security-token":     true,
	// signature V1
	"OSSAccessKeyId": true,
	"Expires":        true,
	"Signature":      true,
	"security-token": true,
}

// responseOverrides are the GetObject parameters that replace a response
// header, as OSS allows (oss.ResponseContentType and friends).
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// getObjectParams are what GetObject takes. x-oss-traffic-limit (a
// bandwidth cap OSS lets a signed URL carry) is accepted and not enforced:
// the data returned is the same.
var getObjectParams = []string{
	"response-content-type", "response-content-language", "response-expires",
	"response-cache-control", "response-content-disposition", "response-content-encoding",
	"versionId", "x-oss-traffic-limit",
}

// identify returns the operation a request asks for. bucket and key come
// from the path or the Host header (see locate).
func identify(r *http.Request, bucket, key string, params []queryParam) operation {
	has := func(name string) bool {
		return slices.ContainsFunc(params, func(p queryParam) bool { return p.name == name })
	}
	switch {
	case bucket == "":
		return identifyService(r, has)
	case key == "":
		return identifyBucket(r, params, has)
	}
	return identifyObject(r, params, has)
}

func identifyService(r *http.Request, has func(string) bool) operation {
	switch {
	case has("regionList"):
		return operation{name: "DescribeRegions", form: r.Method + " ?regionList on the service"}
	case r.Method == http.MethodGet:
		return operation{name: "ListBuckets", form: "GET on the service", serve: (*Server).listBuckets,
			params: []string{"prefix", "marker", "max-keys"}}
	}
	return operation{form: r.Method + " on the service"}
}

func identifyBucket(r *http.Request, params []queryParam, has func(string) bool) operation {
	if sub := firstSubresource(params, bucketSubresources); sub != "" {
		form := r.Method + " ?" + sub + " on a bucket"
		switch {
		case sub == "uploads" && r.Method == http.MethodGet:
			return operation{name: "ListMultipartUploads", form: form, serve: (*Server).listMultipartUploads,
				params: []string{"uploads", "prefix", "delimiter", "key-marker", "upload-id-marker", "max-uploads", "encoding-type"}}
		case sub == "delete" && r.Method == http.MethodPost:
			return operation{name: "DeleteMultipleObjects", form: form, serve: (*Server).deleteMultipleObjects,
				params: []string{"delete", "encoding-type"}}
		}
		return operation{name: bucketOperationName(r.Method, sub), form: form}
	}
	form := r.Method + " on a bucket"
	switch r.Method {
	case http.MethodGet:
		if has("list-type") {
			return operation{name: "ListObjectsV2", form: "GET ?list-type=2 on a bucket", serve: (*Server).listObjectsV2,
				params: []string{"list-type", "prefix", "delimiter", "start-after", "continuation-token", "max-keys", "encoding-type", "fetch-owner"}}
		}
		return operation{name: "ListObjects", form: form, serve: (*Server).listObjects,
			params: []string{"prefix", "marker", "delimiter", "max-keys", "encoding-type"}}
	case http.MethodPut:
		return operation{name: "PutBucket", form: form}
	case http.MethodDelete:
		return operation{name: "DeleteBucket", form: form}
	case http.MethodPost:
		return operation{name: "PostObject", form: form}
	case http.MethodOptions:
		return operation{name: "OptionObject", form: form}
	}
	return operation{form: form}
}

func identifyObject(r *http.Request, params []queryParam, has func(string) bool) operation {
	copySource := r.Header.Get("x-oss-copy-source") != ""
	if sub := firstSubresource(params, objectSubresources); sub != "" {
		form := r.Method + " ?" + sub + " on an object"
		switch {
		case sub == "acl" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			return operation{name: "GetObjectAcl", form: form, serve: (*Server).getObjectACL, params: []string{"acl", "versionId"}}
		case sub == "acl" && r.Method == http.MethodPut:
			return operation{name: "PutObjectAcl", form: form, serve: (*Server).putObjectACL, params: []string{"acl", "versionId"}}
		case sub == "objectMeta" && r.Method == http.MethodHead:
			return operation{name: "GetObjectMeta", form: form, serve: (*Server).getObjectMeta,
				params: []string{"objectMeta", "versionId"}, anonymousRead: true}
		case sub == "uploads" && r.Method == http.MethodPost:
			return operation{name: "InitiateMultipartUpload", form: form, serve: (*Server).initiateMultipartUpload,
				params: []string{"uploads", "encoding-type"}}
		case (sub == "uploadId" || sub == "partNumber") && r.Method == http.MethodPut && copySource:
			return operation{name: "UploadPartCopy", form: form + " with x-oss-copy-source"}
		case (sub == "uploadId" || sub == "partNumber") && r.Method == http.MethodPut:
			return operation{name: "UploadPart", form: form, serve: (*Server).uploadPart, params: []string{"partNumber", "uploadId"}}
		case sub == "uploadId" && r.Method == http.MethodPost:
			return operation{name: "CompleteMultipartUpload", form: form, serve: (*Server).completeMultipartUpload,
				params: []string{"uploadId", "encoding-type"}}
		case sub == "uploadId" && r.Method == http.MethodDelete:
			return operation{name: "AbortMultipartUpload", form: form, serve: (*Server).abortMultipartUpload, params: []string{"uploadId"}}
		case sub == "uploadId" && r.Method == http.MethodGet:
			return operation{name: "ListParts", form: form, serve: (*Server).listParts,
				params: []string{"uploadId", "max-parts", "part-number-marker", "encoding-type"}}
		}
		return operation{name: objectOperationName(r.Method, sub, params), form: form}
	}
	form := r.Method + " on an object"
	switch r.Method {
	case http.MethodGet:
		return operation{name: "GetObject", form: form, serve: (*Server).getObject, params: getObjectParams, anonymousRead: true}
	case http.MethodHead:
		return operation{name: "HeadObject", form: form, serve: (*Server).headObject, params: []string{"versionId"}, anonymousRead: true}
	case http.MethodPut:
		if copySource {
			return operation{name: "CopyObject", form: form + " with x-oss-copy-source", serve: (*Server).copyObject}
		}
		return operation{name: "PutObject", form: form, serve: (*Server).putObject, params: []string{"x-oss-traffic-limit"}}
	case http.MethodDelete:
		if has("versionId") {
			// Deleting one version would need delete markers and version
			// listing to be told apart; refused rather than half-done.
			return operation{name: "DeleteObject", form: "DELETE ?versionId on an object"}
		}
		return operation{name: "DeleteObject", form: form, serve: (*Server).deleteObject}
	case http.MethodPost:
		return operation{form: form}
	case http.MethodOptions:
		return operation{name: "OptionObject", form: form}
	}
	return operation{form: form}
}

// firstSubresource returns the name of the first parameter that is in set.
func firstSubresource(params []queryParam, set map[string]bool) string {
	for _, p := range params {
		if set[p.name] {
			return p.name
		}
	}
	return ""
}

// checkParams refuses a parameter the operation does not take: OSS would
// act on it (or ignore a misspelling), and guessing either way could make
// a test pass that OSS would fail.
func (op operation) checkParams(params []queryParam) *ossError {
	for _, p := range params {
		if signatureParams[p.name] || slices.Contains(op.params, p.name) {
			continue
		}
		return notImplemented("the local OSS server does not implement the parameter %s of %s (%s)", p.name, op.name, op.form)
	}
	return nil
}

// notImplementedError refuses an operation the server recognises but does
// not have.
func (op operation) notImplementedError() *ossError {
	if op.name == "" {
		return notImplemented("the local OSS server does not implement this operation (%s)", op.form)
	}
	return notImplemented("the local OSS server does not implement %s (%s)", op.name, op.form)
}

// upperFirst turns "lifecycle" into "Lifecycle" for operation names.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
