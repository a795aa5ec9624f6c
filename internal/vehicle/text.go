package vehicle

import (
	"strings"
	"unicode"
)

// fold maps full-width ASCII (Ａ, １, ｋ, －, ＊ ...) and the ideographic
// space to their ASCII forms. Chinese OCR output mixes both widths freely.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// normaliseCode folds width, drops separators and upper-cases ASCII
// letters: how plates and VINs are compared, whatever the OCR printed.
func normaliseCode(s string) string {
	return strings.Map(func(r rune) rune {
		r = fold(r)
		if isSeparator(r) {
			return -1
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}, s)
}

// isSeparator reports runes that OCR puts inside plates and VINs but that
// are never part of them: spaces, dots, middle dots and dashes. Call it on a
// folded rune.
func isSeparator(r rune) bool {
	switch r {
	case '-', '.',
		'·', '•', '・', '･', '‧', '∙', '⋅', '。', '｡',
		'‐', '‑', '‒', '–', '—', '―', '−':
		return true
	}
	return unicode.IsSpace(r)
}

// isPlaceholder reports the values vendors print for "nothing here": empty,
// "null", "无", and runs of dashes or slashes ("-", "--", "—", "/").
// s is already trimmed.
func isPlaceholder(s string) bool {
	if s == "" || s == "无" || strings.EqualFold(s, "null") {
		return true
	}
	for _, r := range s {
		switch fold(r) {
		case '-', '/', '\\', '—', '–', '―', '─', '‐', '−':
		default:
			return false
		}
	}
	return true
}

// collapseSpace turns each internal run of white space into one ASCII space.
// s is already trimmed; it is returned as is (no copy) when already clean.
func collapseSpace(s string) string {
	clean, prev := true, false
	for _, r := range s {
		sp := unicode.IsSpace(r)
		if sp && (r != ' ' || prev) {
			clean = false
			break
		}
		prev = sp
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev = false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !prev {
				b.WriteByte(' ')
			}
			prev = true
			continue
		}
		prev = false
		b.WriteRune(r)
	}
	return b.String()
}
