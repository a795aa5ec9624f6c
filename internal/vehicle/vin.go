package vehicle

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// normaliseVIN folds width, drops separators, upper-cases, and maps I, O and
// Q, which ISO 3779 never uses, to the digits OCR mistook them for.
func normaliseVIN(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'I':
			return '1'
		case 'O', 'Q':
			return '0'
		}
		return r
	}, normaliseCode(s))
}

// vinValue is the ISO 3779 transliteration of one VIN character; -1 for a
// character a VIN may not contain.
func vinValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'H':
		return int(c-'A') + 1
	case c >= 'J' && c <= 'N':
		return int(c-'J') + 1
	case c == 'P':
		return 7
	case c == 'R':
		return 9
	case c >= 'S' && c <= 'Z':
		return int(c-'S') + 2
	}
	return -1
}

// validVINFormat reports 17 characters of [A-HJ-NPR-Z0-9].
func validVINFormat(v string) bool {
	if len(v) != 17 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if vinValue(v[i]) < 0 {
			return false
		}
	}
	return true
}

var vinWeights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// vinCheckDigit computes position 9 of a VIN of valid format: the weighted
// sum mod 11, with 10 written as X.
func vinCheckDigit(v string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += vinValue(v[i]) * vinWeights[i]
	}
	if r := sum % 11; r < 10 {
		return byte('0' + r)
	}
	return 'X'
}

// vin normalises the VIN and checks its format, then its check digit. GB
// 16735 requires the check digit in China, but imported vehicles may lack
// it, so a mismatch asks for review rather than rejecting.
func (n *normaliser) vin(raw string) string {
	s, ok := n.usable(raw, fVIN, vinShape)
	if !ok {
		return ""
	}
	v := normaliseVIN(s)
	switch {
	case utf8.RuneCountInString(v) != 17:
		n.issues.add(fVIN, cVINFormat, "Expected 17 characters, got "+strconv.Itoa(utf8.RuneCountInString(v))+".")
	case !validVINFormat(v):
		n.issues.add(fVIN, cVINFormat, "Contains characters a VIN never has.")
	case v[8] != vinCheckDigit(v):
		n.issues.add(fVIN, cVINCheckDigit, "Position 9 is not the ISO 3779 check digit.")
	}
	return v
}
