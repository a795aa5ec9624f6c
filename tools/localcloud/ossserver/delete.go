package ossserver

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
)

// DeleteMultipleObjects: POST /<bucket>/?delete with
// <Delete><Quiet>…</Quiet><Object><Key>…</Key></Object>…</Delete>, at most
// 1000 objects (OSS API reference, DeleteMultipleObjects). ossutil rm -r
// uses it. Like DeleteObject, it succeeds for keys that do not exist; the
// answer lists every key unless Quiet is true. encoding-type=url encodes
// the keys of the answer, not of the request. Deleting a version
// (<VersionId>) is refused, as for DeleteObject.

const maxDeleteObjects = 1000

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   string   `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

func (s *Server) deleteMultipleObjects(w http.ResponseWriter, r *http.Request, rec *Request, params []queryParam) (int, *ossError) {
	urlEncoded, err := encodingTypeParam(params)
	if err != nil {
		return 0, err
	}
	body, rerr := io.ReadAll(r.Body)
	if rerr != nil {
		return 0, errIncompleteBody
	}
	sum := md5.Sum(body)
	if want := r.Header.Get("Content-MD5"); want != "" && want != base64.StdEncoding.EncodeToString(sum[:]) {
		return 0, errInvalidDigest
	}
	var req deleteRequest
	if xml.Unmarshal(body, &req) != nil || len(req.Objects) == 0 || len(req.Objects) > maxDeleteObjects {
		return 0, errMalformedXML
	}
	for _, o := range req.Objects {
		if o.VersionID != "" {
			return 0, notImplemented("the local OSS server does not implement DeleteMultipleObjects of versions (<VersionId>)")
		}
		if o.Key == "" {
			return 0, errMalformedXML
		}
	}
	for _, o := range req.Objects {
		s.store.delete(rec.Bucket, o.Key)
	}

	enc := encoder(urlEncoded)
	d := newXMLDoc()
	d.open("DeleteResult")
	if urlEncoded {
		d.elem("EncodingType", "url")
	}
	if !strings.EqualFold(strings.TrimSpace(req.Quiet), "true") {
		for _, o := range req.Objects {
			d.open("Deleted")
			d.elem("Key", enc(o.Key))
			d.close("Deleted")
		}
	}
	d.close("DeleteResult")
	return d.send(w), nil
}
