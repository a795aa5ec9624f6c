package ossserver

import (
	"net/http"
	"strconv"
	"strings"
)

// Range requests on GetObject, as OSS documents them (OSS user guide,
// "Range download" / "How to obtain OSS resources by segmenting HTTP Range
// requests"; OSS API reference, GetObject):
//
//   - a valid range (first byte and last byte within 0..size-1) is answered
//     206 Partial Content with Content-Range: bytes first-last/size;
//     "bytes=N-" runs to the end, "bytes=-N" is the last N bytes;
//   - by default, a range outside the object (bytes=0-1000 or bytes=1000-
//     of a 1000-byte object, bytes=-2000) or of invalid syntax (byte=0-1,
//     bytes=9-1) is ignored: 200 with the whole object, no Content-Range;
//   - with the request header x-oss-range-behavior: standard, OSS follows
//     RFC 7233: a last byte past the end is clamped (206), a first byte at
//     or past the end is 416 InvalidRange, "bytes=-N" with N larger than
//     the object returns all of it (206); invalid syntax is still ignored;
//   - OSS does not do multi-range requests: by default it serves the first
//     range only; with standard behaviour it answers 416.

// byteRange is a satisfiable range, first and last byte included.
type byteRange struct{ start, end int64 }

func (b byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(b.start, 10) + "-" + strconv.FormatInt(b.end, 10) + "/" + strconv.FormatInt(size, 10)
}

var errInvalidRange = &ossError{http.StatusRequestedRangeNotSatisfiable, "InvalidRange",
	"The requested range cannot be satisfied."}

// isStandardRange reports x-oss-range-behavior: standard.
func isStandardRange(h http.Header) bool {
	return strings.EqualFold(strings.TrimSpace(h.Get("x-oss-range-behavior")), "standard")
}

// rangeFor decides how GetObject answers the Range header value for an
// object of size bytes: a range to serve with 206, nil for the whole
// object with 200, or errInvalidRange.
func rangeFor(header string, size int64, standard bool) (*byteRange, *ossError) {
	if header == "" {
		return nil, nil
	}
	unit, set, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil, nil
	}
	specs := strings.Split(set, ",")
	if len(specs) > 1 && standard {
		return nil, errInvalidRange
	}
	first, last, suffix, ok := parseRangeSpec(strings.TrimSpace(specs[0]))
	if !ok {
		return nil, nil
	}
	if suffix {
		switch {
		case first == 0 || size == 0:
			if standard {
				return nil, errInvalidRange
			}
			return nil, nil
		case first > size:
			if standard {
				return &byteRange{0, size - 1}, nil
			}
			return nil, nil
		}
		return &byteRange{size - first, size - 1}, nil
	}
	if last < 0 {
		last = size - 1 // "bytes=N-"
	}
	switch {
	case first >= size:
		if standard {
			return nil, errInvalidRange
		}
		return nil, nil
	case last >= size:
		if !standard {
			return nil, nil
		}
		last = size - 1
	}
	return &byteRange{first, last}, nil
}

// parseRangeSpec parses "A-B", "A-" (last = -1) or "-N" (suffix, first =
// N). ok is false for anything else, including B < A.
func parseRangeSpec(spec string) (first, last int64, suffix, ok bool) {
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, false
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	number := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if a == "" {
		n, ok := number(b)
		return n, 0, true, ok
	}
	first, ok = number(a)
	if !ok {
		return 0, 0, false, false
	}
	if b == "" {
		return first, -1, false, true
	}
	last, ok = number(b)
	if !ok || last < first {
		return 0, 0, false, false
	}
	return first, last, false, true
}
