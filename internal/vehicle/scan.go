package vehicle

import (
	"encoding/json"
	"unicode/utf8"
)

// frontInfo and backInfo hold the vendor's values as text, as given.
type frontInfo struct {
	plateNo, vehicleType, owner, address, useCharacter, model,
	vin, engineNo, registerDate, issueDate, seal string
}

type backInfo struct {
	plateNo, fileNo, allowNum, totalMass, curbWeight, loadQuality,
	totalQuasiMass, externalSize, energy, record, marks, barcode string
}

// slot is where the value of a frontInfo key goes; nil for unknown keys.
func (f *frontInfo) slot(key string) *string {
	switch key {
	case "plateNo":
		return &f.plateNo
	case "vehicleType":
		return &f.vehicleType
	case "owner":
		return &f.owner
	case "address":
		return &f.address
	case "useCharacter":
		return &f.useCharacter
	case "model":
		return &f.model
	case "vin":
		return &f.vin
	case "engineNo":
		return &f.engineNo
	case "registerDate":
		return &f.registerDate
	case "issueDate":
		return &f.issueDate
	case "seal":
		return &f.seal
	}
	return nil
}

func (b *backInfo) slot(key string) *string {
	switch key {
	case "plateNo":
		return &b.plateNo
	case "fileNo":
		return &b.fileNo
	case "allowNum":
		return &b.allowNum
	case "totalMass":
		return &b.totalMass
	case "curbWeight":
		return &b.curbWeight
	case "loadQuality":
		return &b.loadQuality
	case "totalQuasiMass":
		return &b.totalQuasiMass
	case "externalSize":
		return &b.externalSize
	case "energy":
		return &b.energy
	case "record":
		return &b.record
	case "marks":
		return &b.marks
	case "barcode":
		return &b.barcode
	}
	return nil
}

// extract finds data.frontInfo and data.backInfo in a body that json.Valid
// accepted. Decoding the body with encoding/json would cost an allocation
// per value; scanning a string copy of the body costs one in all, since
// unescaped values are substrings of it.
//
// Keys match exactly, as the vendor spells them; when a key repeats, the
// last value wins. A value that is a number becomes its literal text ("5",
// "1820"); null, true, false, objects and arrays count as absent.
func extract(body string) (front frontInfo, back backInfo, err error) {
	p := scanner{s: body}
	p.space()
	if p.i == len(p.s) || p.s[p.i] != '{' {
		return front, back, ErrMalformed
	}
	found := false
	p.members(func(key string) {
		if key != "data" || p.s[p.i] != '{' {
			p.skip()
			return
		}
		found = true
		p.members(func(key string) {
			switch {
			case key == "frontInfo" && p.s[p.i] == '{':
				p.members(func(key string) { p.valueInto(front.slot(key)) })
			case key == "backInfo" && p.s[p.i] == '{':
				p.members(func(key string) { p.valueInto(back.slot(key)) })
			default:
				p.skip()
			}
		})
	})
	if !found {
		return front, back, ErrNoData
	}
	return front, back, nil
}

// scanner walks JSON text that is known to be valid, so it checks nothing.
type scanner struct {
	s string
	i int
}

func (p *scanner) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// members calls visit for each member of the object at p.i, with p.i at the
// member's value; visit must consume the value.
func (p *scanner) members(visit func(key string)) {
	p.i++ // {
	for {
		p.space()
		switch p.s[p.i] {
		case '}':
			p.i++
			return
		case ',':
			p.i++
			p.space()
		}
		key := p.str()
		p.space()
		p.i++ // :
		p.space()
		visit(key)
	}
}

// valueInto stores the value at p.i as text in dst, or skips it when dst is
// nil.
func (p *scanner) valueInto(dst *string) {
	if dst == nil {
		p.skip()
		return
	}
	switch c := p.s[p.i]; {
	case c == '"':
		*dst = p.str()
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		p.skip()
		*dst = p.s[start:p.i]
	default:
		p.skip()
		*dst = ""
	}
}

// str reads the string at p.i. Strings without escapes and with valid UTF-8
// are returned as substrings; others go through encoding/json, which also
// replaces invalid UTF-8 the way every other JSON reader of the body would.
func (p *scanner) str() string {
	start := p.i
	escaped := false
	p.i++
	for p.s[p.i] != '"' {
		if p.s[p.i] == '\\' {
			escaped = true
			p.i++
		}
		p.i++
	}
	p.i++
	raw := p.s[start+1 : p.i-1]
	if !escaped && utf8.ValidString(raw) {
		return raw
	}
	var out string
	_ = json.Unmarshal([]byte(p.s[start:p.i]), &out) // cannot fail: the body is valid
	return out
}

// skip moves past the value at p.i.
func (p *scanner) skip() {
	switch p.s[p.i] {
	case '"':
		p.skipString()
	case '{', '[':
		depth := 0
		for {
			switch p.s[p.i] {
			case '"':
				p.skipString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			p.i++
			if depth == 0 {
				return
			}
		}
	default: // number, true, false, null
		for p.i < len(p.s) {
			switch p.s[p.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			p.i++
		}
	}
}

func (p *scanner) skipString() {
	p.i++
	for p.s[p.i] != '"' {
		if p.s[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	p.i++
}
