package vehicle

import "errors"

// Vehicle holds the normalised values of one licence. A field is empty (and
// omitted from JSON) when the vendor gave nothing usable: absent, a
// placeholder such as "--", unreadable, or a value shaped like another field.
//
// Integer fields use 0 for "absent" rather than pointers: no passenger count,
// mass or dimension on a licence can be 0, and a 0 the vendor did print is
// reported as number_range. Dates are YYYY-MM-DD, InspectionValidUntil is
// YYYY-MM.
type Vehicle struct {
	// From frontInfo (plateNo from either side, see Read).
	PlateNo      string `json:"plateNo,omitempty"`
	VehicleType  string `json:"vehicleType,omitempty"`
	Owner        string `json:"owner,omitempty"`
	Address      string `json:"address,omitempty"`
	UseCharacter string `json:"useCharacter,omitempty"`
	Model        string `json:"model,omitempty"`
	VIN          string `json:"vin,omitempty"`
	EngineNo     string `json:"engineNo,omitempty"`
	RegisterDate string `json:"registerDate,omitempty"`
	IssueDate    string `json:"issueDate,omitempty"`
	Issuer       string `json:"issuer,omitempty"` // the vendor's seal

	// From backInfo.
	FileNo               string `json:"fileNo,omitempty"`
	ApprovedPassengers   int    `json:"approvedPassengers,omitempty"` // allowNum
	TotalMassKg          int    `json:"totalMassKg,omitempty"`        // totalMass
	CurbWeightKg         int    `json:"curbWeightKg,omitempty"`       // curbWeight
	ApprovedLoadKg       int    `json:"approvedLoadKg,omitempty"`     // loadQuality
	TowingMassKg         int    `json:"towingMassKg,omitempty"`       // totalQuasiMass
	LengthMm             int    `json:"lengthMm,omitempty"`           // externalSize
	WidthMm              int    `json:"widthMm,omitempty"`            // externalSize
	HeightMm             int    `json:"heightMm,omitempty"`           // externalSize
	Energy               string `json:"energy,omitempty"`
	InspectionValidUntil string `json:"inspectionValidUntil,omitempty"` // latest month in record
	Remarks              string `json:"remarks,omitempty"`              // marks
	Barcode              string `json:"barcode,omitempty"`
}

// Review is the verdict on one licence: NeedsReview exactly when Issues is
// not empty. Issues is never nil, so it encodes as [] rather than null.
type Review struct {
	Status string  `json:"status"`
	Issues []Issue `json:"issues"`
}

// Issue is one problem with one field. Field names a Vehicle field (its JSON
// name) or, for CodeMisplaced, the vendor's field where the value was found.
// Message is a short English sentence that never quotes the value, since
// values are personal data.
type Issue struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Review statuses.
const (
	Accepted    = "accepted"
	NeedsReview = "needs_review"
)

// Card sides, spelled as the vendor's cardSide parameter.
const (
	Front = "FRONT" // 主页: owner, VIN, dates; read from frontInfo
	Back  = "BACK"  // 副页: masses, size, inspection record; read from backInfo
)

// Issue codes. Within a field, issues are listed in this order.
const (
	CodeMissing       = "missing"         // a field this side must have is empty
	CodeMisplaced     = "misplaced"       // a value with the shape of another field
	CodeVINFormat     = "vin_format"      // not 17 characters of [A-HJ-NPR-Z0-9]
	CodeVINCheckDigit = "vin_check_digit" // position 9 is not the ISO 3779 check digit
	CodePlateFormat   = "plate_format"    // not a mainland China plate
	CodeDateFormat    = "date_format"     // a date or month that cannot be read
	CodeDateRange     = "date_range"      // before 1950-01-01 or after the recognition day
	CodeDateOrder     = "date_order"      // issueDate before registerDate
	CodeNumberFormat  = "number_format"   // a number that cannot be read
	CodeNumberRange   = "number_range"    // an implausible number
)

// Errors of Read. None of them quotes the body.
var (
	ErrCardSide  = errors.New("vehicle: card side is neither FRONT nor BACK")
	ErrMalformed = errors.New("vehicle: body is not a JSON object")
	ErrNoData    = errors.New("vehicle: body has no data object")
)
