package vehicle

import (
	"cmp"
	"slices"
)

// field names a Vehicle field or a vendor field. The constants are in the
// order issues are listed: Vehicle's field order, each vendor-only name right
// after the Vehicle field it feeds.
type field uint8

const (
	fPlateNo field = iota
	fVehicleType
	fOwner
	fAddress
	fUseCharacter
	fModel
	fVIN
	fEngineNo
	fRegisterDate
	fIssueDate
	fIssuer
	fSeal
	fFileNo
	fApprovedPassengers
	fAllowNum
	fTotalMassKg
	fTotalMass
	fCurbWeightKg
	fCurbWeight
	fApprovedLoadKg
	fLoadQuality
	fTowingMassKg
	fTotalQuasiMass
	fLengthMm
	fWidthMm
	fHeightMm
	fExternalSize
	fEnergy
	fInspectionValidUntil
	fRecord
	fRemarks
	fMarks
	fBarcode
	numFields
)

var fieldNames = [numFields]string{
	fPlateNo:              "plateNo",
	fVehicleType:          "vehicleType",
	fOwner:                "owner",
	fAddress:              "address",
	fUseCharacter:         "useCharacter",
	fModel:                "model",
	fVIN:                  "vin",
	fEngineNo:             "engineNo",
	fRegisterDate:         "registerDate",
	fIssueDate:            "issueDate",
	fIssuer:               "issuer",
	fSeal:                 "seal",
	fFileNo:               "fileNo",
	fApprovedPassengers:   "approvedPassengers",
	fAllowNum:             "allowNum",
	fTotalMassKg:          "totalMassKg",
	fTotalMass:            "totalMass",
	fCurbWeightKg:         "curbWeightKg",
	fCurbWeight:           "curbWeight",
	fApprovedLoadKg:       "approvedLoadKg",
	fLoadQuality:          "loadQuality",
	fTowingMassKg:         "towingMassKg",
	fTotalQuasiMass:       "totalQuasiMass",
	fLengthMm:             "lengthMm",
	fWidthMm:              "widthMm",
	fHeightMm:             "heightMm",
	fExternalSize:         "externalSize",
	fEnergy:               "energy",
	fInspectionValidUntil: "inspectionValidUntil",
	fRecord:               "record",
	fRemarks:              "remarks",
	fMarks:                "marks",
	fBarcode:              "barcode",
}

// code is an issue code; the constants are in the order of the exported
// Code* strings, which is the order issues of one field are listed in.
type code uint8

const (
	cMissing code = iota
	cMisplaced
	cVINFormat
	cVINCheckDigit
	cPlateFormat
	cDateFormat
	cDateRange
	cDateOrder
	cNumberFormat
	cNumberRange
	numCodes
)

var codeNames = [numCodes]string{
	cMissing:       CodeMissing,
	cMisplaced:     CodeMisplaced,
	cVINFormat:     CodeVINFormat,
	cVINCheckDigit: CodeVINCheckDigit,
	cPlateFormat:   CodePlateFormat,
	cDateFormat:    CodeDateFormat,
	cDateRange:     CodeDateRange,
	cDateOrder:     CodeDateOrder,
	cNumberFormat:  CodeNumberFormat,
	cNumberRange:   CodeNumberRange,
}

type finding struct {
	field field
	code  code
	msg   string
}

// findings collects issues in whatever order the checks run and lists them
// in the fixed order at the end, so the output never depends on the order of
// the checks or of the vendor's keys.
type findings []finding

func (fs *findings) add(f field, c code, msg string) {
	*fs = append(*fs, finding{f, c, msg})
}

// has reports whether any issue names f.
func (fs findings) has(f field) bool {
	for _, x := range fs {
		if x.field == f {
			return true
		}
	}
	return false
}

// review sorts by field then code and keeps the first issue of each pair:
// both card sides carry a plateNo, and one problem is listed once.
func (fs findings) review() Review {
	if len(fs) == 0 {
		return Review{Status: Accepted, Issues: []Issue{}}
	}
	slices.SortStableFunc(fs, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.code, b.code))
	})
	issues := make([]Issue, 0, len(fs))
	for i, x := range fs {
		if i > 0 && x.field == fs[i-1].field && x.code == fs[i-1].code {
			continue
		}
		issues = append(issues, Issue{Field: fieldNames[x.field], Code: codeNames[x.code], Message: x.msg})
	}
	return Review{Status: NeedsReview, Issues: issues}
}
