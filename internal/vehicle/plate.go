package vehicle

import "strings"

// Plate forms accepted as mainland China plates (after normalisePlate):
//
//	粤A12345   standard: province, letter, 5 letters or digits
//	粤AD12345  new energy, small vehicle: D F A B C E G H J K, then a letter
//	           or digit, then 4 digits
//	粤A12345D  new energy, large vehicle: 5 digits, then one of those letters
//	粤A1234挂  special: 挂 学 警 港 澳 领 使 试 超 instead of the last character
//	使123456   embassy: 使 and 6 digits
//
// Letters never include I or O. Military, armed police and Hong Kong or Macau
// plates are not accepted and come out as plate_format.
const (
	provinces      = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
	plateSuffixes  = "挂学警港澳领使试超"
	newEnergyMarks = "DFABCEGHJK"
)

// normalisePlate folds width, drops separators and upper-cases.
func normalisePlate(s string) string { return normaliseCode(s) }

func isProvince(r rune) bool { return strings.ContainsRune(provinces, r) }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// isPlateLetter reports A-Z without I and O, which plates avoid because they
// read as 1 and 0.
func isPlateLetter(r rune) bool { return r >= 'A' && r <= 'Z' && r != 'I' && r != 'O' }

func isPlateChar(r rune) bool { return isDigit(r) || isPlateLetter(r) }

// validPlate reports whether p, already normalised, has one of the forms
// listed above.
func validPlate(p string) bool {
	var rs [9]rune
	n := 0
	for _, r := range p {
		if n == len(rs) {
			return false
		}
		rs[n] = r
		n++
	}
	if n == 7 && rs[0] == '使' {
		return allDigits(rs[1:7])
	}
	if n < 7 || n > 8 || !isProvince(rs[0]) || !isPlateLetter(rs[1]) {
		return false
	}
	tail := rs[2:n]
	if len(tail) == 5 {
		if !allPlateChars(tail[:4]) {
			return false
		}
		return isPlateChar(tail[4]) || strings.ContainsRune(plateSuffixes, tail[4])
	}
	if isNewEnergyMark(tail[0]) {
		return isPlateChar(tail[1]) && allDigits(tail[2:])
	}
	return allDigits(tail[:5]) && isNewEnergyMark(tail[5])
}

func isNewEnergyMark(r rune) bool { return strings.ContainsRune(newEnergyMarks, r) }

func allDigits(rs []rune) bool {
	for _, r := range rs {
		if !isDigit(r) {
			return false
		}
	}
	return true
}

func allPlateChars(rs []rune) bool {
	for _, r := range rs {
		if !isPlateChar(r) {
			return false
		}
	}
	return true
}
