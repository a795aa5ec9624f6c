package ocrserver

import (
	"encoding/base64"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// form is the part of a request body the vendor reads.
type form struct {
	imgURL    string
	imagePath string
	cardSide  string
	source    string
	// image holds the bytes given inline (file or imgBase64); imgUrl is
	// fetched later, and only if the reply is Success.
	image []byte
}

// readForm parses the multipart body within the contract's 2 MB limit and
// applies its rules: the image comes from imgUrl, else file, else
// imgBase64; cardSide defaults to FRONT. On failure it returns the reply
// the vendor would give, along with what could be read (for the record).
func readForm(w http.ResponseWriter, r *http.Request) (form, *Reply) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	if err := r.ParseMultipartForm(MaxRequestBytes); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return form{}, ptr(HTTPStatus(http.StatusRequestEntityTooLarge))
		}
		// Not multipart/form-data, or a broken body.
		return form{}, ptr(BusinessError(CodeIllegalParam, MsgIllegalParam))
	}
	defer r.MultipartForm.RemoveAll()

	// Only the body counts: the contract defines no query parameters.
	value := func(name string) string {
		if v := r.MultipartForm.Value[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := form{imgURL: value("imgUrl"), cardSide: value("cardSide")}
	if u, err := url.Parse(f.imgURL); err == nil && f.imgURL != "" {
		f.imagePath = u.Path // already decoded: "/bucket/行驶证/a.jpg"
	}

	switch f.cardSide {
	case "":
		f.cardSide = Front
	case Front, Back:
	default:
		return f, ptr(BusinessError(CodeIllegalParam, MsgIllegalParam))
	}

	switch {
	case f.imgURL != "":
		f.source = "imgUrl"
	case len(r.MultipartForm.File["file"]) > 0:
		f.source = "file"
		b, err := readPart(r.MultipartForm.File["file"][0])
		if err != nil {
			return f, ptr(BusinessError(CodeIllegalParam, MsgIllegalParam))
		}
		f.image = b
	case value("imgBase64") != "":
		f.source = "imgBase64"
		b, err := decodeBase64Image(value("imgBase64"))
		if err != nil {
			return f, ptr(BusinessError(CodeIllegalParam, MsgIllegalParam))
		}
		f.image = b
	default:
		return f, ptr(BusinessError(CodeIllegalParam, MsgIllegalParam))
	}
	return f, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// decodeBase64Image accepts plain base64 and, as the contract allows, a
// data URL ("data:image/png;base64,…").
func decodeBase64Image(s string) ([]byte, error) {
	if strings.HasPrefix(s, "data:") {
		_, after, ok := strings.Cut(s, ",")
		if !ok {
			return nil, errors.New("data URL without a comma")
		}
		s = after
	}
	return base64.StdEncoding.DecodeString(s)
}

func ptr[T any](v T) *T { return &v }
