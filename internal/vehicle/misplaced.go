package vehicle

import "unicode/utf8"

// shape is the unmistakable form of a value that belongs to one field only.
// OCR sometimes shifts a whole column of values down a row; a shape found in
// the wrong field is reported as misplaced and the value is dropped, never
// moved to the field it seems to belong to.
type shape uint8

const (
	anyShape   shape = iota // no recognisable shape, or the field has no home shape
	vinShape                // 16 or 17 letters and digits, both present
	countShape              // "5人"
	massShape               // "1820kg"
	plateShape              // a valid plate
)

var shapeMessages = [...]string{
	vinShape:   "Looks like a VIN, not a value of this field.",
	countShape: "Looks like a passenger count, not a value of this field.",
	massShape:  "Looks like a mass, not a value of this field.",
	plateShape: "Looks like a plate number, not a value of this field.",
}

// shapeOf classifies a trimmed, non-placeholder value. The shapes exclude one
// another: a plate starts with a Chinese character and a VIN has none, a count
// ends in 人, a mass in a mass unit.
func shapeOf(s string) shape {
	switch {
	case looksLikePlate(s):
		return plateShape
	case looksLikeVIN(s) && !looksLikeSize(s):
		return vinShape
	}
	if a, ok := parseAmount(s, people); ok && a.unit {
		return countShape
	}
	if a, ok := parseAmount(s, kg); ok && a.unit {
		return massShape
	}
	return anyShape
}

// looksLikeVIN allows one character fewer or more than a VIN has, since OCR
// drops and doubles characters, but demands both letters and digits so that
// file numbers and barcodes, which are all digits, do not match.
func looksLikeVIN(s string) bool {
	n, letters, digits := 0, 0, 0
	for _, r := range s {
		r = fold(r)
		switch {
		case isSeparator(r):
			continue
		case isDigit(r):
			digits++
		case r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z':
			letters++
		default:
			return false
		}
		if n++; n > 17 {
			return false
		}
	}
	return n >= 16 && letters > 0 && digits > 0
}

// looksLikeSize keeps sizes such as "4800X1800X1460mm", which have 16
// letters and digits, from passing for VINs.
func looksLikeSize(s string) bool {
	parts, ok := parseSize(s)
	if !ok {
		return false
	}
	for _, p := range parts {
		if _, ok := parseAmount(p, mm); !ok {
			return false
		}
	}
	return true
}

// looksLikePlate checks the cheap conditions (starts with a province or 使,
// plate-sized) before normalising, which may allocate.
func looksLikePlate(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	if !isProvince(r) && r != '使' {
		return false
	}
	if n := utf8.RuneCountInString(s); n < 7 || n > 16 {
		return false
	}
	return validPlate(normalisePlate(s))
}
