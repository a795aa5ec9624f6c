package vehicle

import "unicode/utf8"

// unit is what a number on the licence counts, with the spellings accepted
// after it (compared after folding width and lower-casing ASCII).
type unit uint8

const (
	people unit = iota // 人
	kg                 // kg, 公斤, 千克
	mm                 // mm, 毫米
)

func (u unit) accepts(s string) bool {
	switch u {
	case people:
		return s == "人"
	case kg:
		return s == "kg" || s == "公斤" || s == "千克"
	case mm:
		return s == "mm" || s == "毫米"
	}
	return false
}

// maxDigits bounds the numbers read: larger ones are never plausible and
// would not fit an int on every platform.
const maxDigits = 9

type amount struct {
	value   int
	unit    bool // the unit was spelled out
	tooLong bool // more than maxDigits digits: readable, but out of any range
}

// parseAmount reads digits followed by an optional unit, ignoring spaces and
// character width: "1820kg", "1820 KG", "１８２０公斤", "5人", "1820".
func parseAmount(s string, u unit) (amount, bool) {
	var (
		a      amount
		suffix [12]byte
		ns     int  // bytes of suffix
		sig    int  // significant digits
		seen   bool // any digit
	)
	for _, r := range s {
		r = fold(r)
		switch {
		case r == ' ':
		case isDigit(r) && ns == 0:
			seen = true
			if sig == 0 && r == '0' {
				continue
			}
			if sig++; sig > maxDigits {
				a.tooLong = true
				continue
			}
			a.value = a.value*10 + int(r-'0')
		default:
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			if ns+utf8.RuneLen(r) > len(suffix) {
				return amount{}, false
			}
			ns += utf8.EncodeRune(suffix[ns:], r)
		}
	}
	if !seen {
		return amount{}, false
	}
	if ns > 0 {
		if !u.accepts(string(suffix[:ns])) {
			return amount{}, false
		}
		a.unit = true
	}
	if a.tooLong {
		a.value = 0
	}
	return a, true
}

// parseSize reads "length×width×height" with an optional mm unit after the
// last or after each number; the separator is x, X, ×, ✕ or *, in either
// width. ok is false when the text does not split into three parts; each
// part then parses on its own.
func parseSize(s string) (parts [3]string, ok bool) {
	n, start := 0, 0
	for i, r := range s {
		switch fold(r) {
		case 'x', 'X', '×', '✕', '*':
			if n == 2 {
				return parts, false
			}
			parts[n] = s[start:i]
			n++
			start = i + utf8.RuneLen(r)
		}
	}
	if n != 2 {
		return parts, false
	}
	parts[2] = s[start:]
	return parts, true
}

// Plausible ranges.
const (
	minPassengers, maxPassengers = 1, 99
	minMassKg, maxMassKg         = 1, 100_000
	minSizeMm, maxSizeMm         = 500, 30_000
)

// number reads a passenger count or a mass from vendor field vendor into
// Vehicle field f. An unreadable number is dropped; an implausible one is
// kept and reported.
func (n *normaliser) number(raw string, vendor, f field, u unit) int {
	home := massShape
	if u == people {
		home = countShape
	}
	s, ok := n.usable(raw, vendor, home)
	if !ok {
		return 0
	}
	a, ok := parseAmount(s, u)
	switch {
	case !ok && u == people:
		n.issues.add(f, cNumberFormat, "Not a readable number of people.")
	case !ok:
		n.issues.add(f, cNumberFormat, "Not a readable mass in kg.")
	case u == people && (a.tooLong || a.value < minPassengers || a.value > maxPassengers):
		n.issues.add(f, cNumberRange, "Expected 1 to 99 people.")
	case u == kg && (a.tooLong || a.value < minMassKg || a.value > maxMassKg):
		n.issues.add(f, cNumberRange, "Expected 1 to 100000 kg.")
	}
	return a.value
}

// size reads externalSize into length, width and height.
func (n *normaliser) size(v *Vehicle, raw string) {
	s, ok := n.usable(raw, fExternalSize, anyShape)
	if !ok {
		return
	}
	parts, ok := parseSize(s)
	dims := [3]struct {
		f   field
		dst *int
	}{{fLengthMm, &v.LengthMm}, {fWidthMm, &v.WidthMm}, {fHeightMm, &v.HeightMm}}
	for i, d := range dims {
		a, aok := parseAmount(parts[i], mm)
		switch {
		case !ok || !aok:
			n.issues.add(d.f, cNumberFormat, "Not a readable size in mm.")
			continue
		case a.tooLong || a.value < minSizeMm || a.value > maxSizeMm:
			n.issues.add(d.f, cNumberRange, "Expected 500 to 30000 mm.")
		}
		*d.dst = a.value
	}
}
