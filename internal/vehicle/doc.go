// Package vehicle turns the recognition vendor's answer for a vehicle
// licence (行驶证) into normalised fields and a review verdict.
//
// The vendor's OCR is noisy: values arrive with stray spaces, full-width
// characters, vendor-specific date and unit spellings, and sometimes in the
// wrong field altogether. Read cleans what can be cleaned without guessing
// and lists everything else as issues, so that a person decides:
//
//   - Plates and VINs lose separators and are upper-cased; in a VIN, I, O
//     and Q become 1, 0 and 0. Dates become YYYY-MM-DD, numbers integers in
//     people, kg or mm. Other text is only trimmed, with runs of white space
//     collapsed.
//   - Placeholders ("", "--", "—", "/", "无", "null") mean absent.
//   - A value shaped like another field (a VIN, "5人", "1820kg", a plate) is
//     reported as misplaced under the vendor's field name and dropped; it is
//     never moved to the field it seems to belong to. A dropped or
//     unreadable value is not reported missing as well.
//   - Unreadable dates and numbers are dropped; readable but implausible
//     ones are kept and reported.
//
// Everything here is a pure function of its inputs: no I/O, no clock, no
// dependency on other packages of the project.
package vehicle
