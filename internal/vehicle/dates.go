package vehicle

import "time"

// chinaTime is UTC+8 without tzdata, which FC's runtime may lack; China has
// had no daylight saving time since 1991.
var chinaTime = time.FixedZone("CST", 8*60*60)

// minDate is the earliest plausible registration or issue date, as yyyymmdd.
const minDate = 19500101

// chinaDay is the calendar day of t in China as yyyymmdd, or 0 for the zero
// time, which disables the "after the recognition day" check.
func chinaDay(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	y, m, d := t.In(chinaTime).Date()
	return y*10000 + int(m)*100 + d
}

// parseDate reads the forms vendors print, in ASCII or full-width digits:
//
//	2019-05-20  2019/5/20  2019.05.20  2019年05月20日  20190520
//
// Spaces are ignored. The separators must agree (年 goes with 月 and an
// optional 日) and the day must exist. The result is yyyymmdd.
func parseDate(s string) (int, bool) {
	var (
		nums   [3]int
		widths [3]int
		seps   [3]rune // seps[i] follows nums[i]
		n      int     // numbers started
		inNum  bool
	)
	for _, r := range s {
		r = fold(r)
		switch {
		case isDigit(r):
			if !inNum {
				if n == len(nums) || (n > 0 && seps[n-1] == 0) {
					return 0, false
				}
				n++
				inNum = true
			}
			if widths[n-1] == 8 {
				return 0, false
			}
			nums[n-1] = nums[n-1]*10 + int(r-'0')
			widths[n-1]++
		case r == ' ':
			inNum = false
		case r == '-' || r == '/' || r == '.' || r == '年' || r == '月' || r == '日':
			if n == 0 || seps[n-1] != 0 {
				return 0, false
			}
			seps[n-1] = r
			inNum = false
		default:
			return 0, false
		}
	}
	var y, m, d int
	switch {
	case n == 1 && widths[0] == 8 && seps[0] == 0:
		y, m, d = nums[0]/10000, nums[0]/100%100, nums[0]%100
	case n == 3 && widths[0] == 4 && widths[1] <= 2 && widths[2] <= 2 && agree(seps):
		y, m, d = nums[0], nums[1], nums[2]
	default:
		return 0, false
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return y*10000 + m*100 + d, true
}

// agree reports consistent separators: "-", "/" or "." twice and nothing
// after, or 年 月 and an optional 日.
func agree(seps [3]rune) bool {
	if seps[0] == '年' {
		return seps[1] == '月' && (seps[2] == 0 || seps[2] == '日')
	}
	return seps[0] != '月' && seps[0] != '日' && seps[1] == seps[0] && seps[2] == 0
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// formatDate writes yyyymmdd as YYYY-MM-DD. It returns s itself when the
// vendor already printed that form, which saves an allocation per date.
func formatDate(key int, s string) string {
	var b [10]byte
	put(b[0:4], key/10000)
	b[4] = '-'
	put(b[5:7], key/100%100)
	b[7] = '-'
	put(b[8:10], key%100)
	if string(b[:]) == s {
		return s
	}
	return string(b[:])
}

// put writes v as zero-padded decimal filling b.
func put(b []byte, v int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// latestMonth finds the latest year and month in an inspection record such as
// "检验有效期至2021年09月京A(01)检验有效期至2023年09月京A(01)", as yyyymm.
// A month is a run of 4 digits, one of 年 - / . and a run of 1 or 2 digits
// from 1 to 12; spaces are ignored. Longer digit runs (a barcode, say) do not
// count.
func latestMonth(s string) (int, bool) {
	best := 0
	year := -1 // a 4-digit run right before a month separator, waiting for its month
	num, width := 0, 0
	endRun := func(next rune) {
		if width == 0 {
			year = -1
			return
		}
		if year >= 0 && width <= 2 && num >= 1 && num <= 12 {
			best = max(best, year*100+num)
		}
		year = -1
		if width == 4 && (next == '年' || next == '-' || next == '/' || next == '.') {
			year = num
		}
		num, width = 0, 0
	}
	for _, r := range s {
		r = fold(r)
		switch {
		case r == ' ':
		case isDigit(r):
			if width < 5 {
				num = num*10 + int(r-'0')
			}
			width++
		default:
			endRun(r)
		}
	}
	endRun(0)
	return best, best > 0
}

// formatMonth writes yyyymm as YYYY-MM.
func formatMonth(key int) string {
	var b [7]byte
	put(b[0:4], key/100)
	b[4] = '-'
	put(b[5:7], key%100)
	return string(b[:])
}

// date reads a registration or issue date, returning it as YYYY-MM-DD and
// yyyymmdd; an unreadable date is reported and dropped.
func (n *normaliser) date(raw string, f field) (string, int) {
	s, ok := n.usable(raw, f, anyShape)
	if !ok {
		return "", 0
	}
	key, ok := parseDate(s)
	if !ok {
		n.issues.add(f, cDateFormat, "Not a readable date.")
		return "", 0
	}
	if key < minDate {
		n.issues.add(f, cDateRange, "Before 1950-01-01.")
	} else if n.today > 0 && key > n.today {
		n.issues.add(f, cDateRange, "After the day of recognition.")
	}
	return formatDate(key, s), key
}

// inspection is the latest month found in the inspection record. A validity
// in the future is normal, so only an unreadable record is reported.
func (n *normaliser) inspection(raw string) string {
	s, ok := n.usable(raw, fRecord, anyShape)
	if !ok {
		return ""
	}
	key, ok := latestMonth(s)
	if !ok {
		n.issues.add(fInspectionValidUntil, cDateFormat, "No readable month in the inspection record.")
		return ""
	}
	return formatMonth(key)
}
