package vehicle

import (
	"encoding/json"
	"strings"
	"time"
)

// Read normalises and reviews the vendor's answer for one licence image.
//
// body is the vendor's body verbatim ({status, code, message, data: {frontInfo,
// backInfo}}); only data is read, so the caller decides beforehand whether the
// answer was a success. cardSide is the side that was asked for, FRONT or BACK
// in any case, empty meaning FRONT as for the vendor. recognizedAt bounds the
// plausible dates; the zero time disables that bound.
//
// Both blocks are read: the requested side's block is the one whose required
// fields must be present, and the other block, which the vendor normally
// leaves empty, is normalised and checked the same way when it has values.
// plateNo appears in both: the requested side's value wins when usable,
// otherwise the other side's is taken.
//
// The error is ErrCardSide, ErrMalformed (not a JSON object) or ErrNoData (no
// data object, as in the vendor's failure answers).
func Read(body []byte, cardSide string, recognizedAt time.Time) (Vehicle, Review, error) {
	side, ok := parseSide(cardSide)
	if !ok {
		return Vehicle{}, Review{}, ErrCardSide
	}
	if !json.Valid(body) {
		return Vehicle{}, Review{}, ErrMalformed
	}
	front, back, err := extract(string(body))
	if err != nil {
		return Vehicle{}, Review{}, err
	}
	n := normaliser{today: chinaDay(recognizedAt)}
	var v Vehicle
	n.plate(&v, side, front.plateNo, back.plateNo)
	n.front(&v, &front)
	n.back(&v, &back)
	n.required(&v, side)
	return v, n.issues.review(), nil
}

func parseSide(s string) (string, bool) {
	switch s = strings.TrimSpace(s); {
	case s == "" || strings.EqualFold(s, Front):
		return Front, true
	case strings.EqualFold(s, Back):
		return Back, true
	}
	return "", false
}

// normaliser turns vendor values into Vehicle fields, recording issues as it
// goes.
type normaliser struct {
	today  int // recognition day in China as yyyymmdd; 0 when unknown
	issues findings
}

// usable trims raw and reports whether it is a value for field f: not a
// placeholder, and not shaped like another field (home is the shape f may
// legitimately have). A misplaced value is reported under the vendor's
// field name and dropped.
func (n *normaliser) usable(raw string, f field, home shape) (string, bool) {
	s := strings.TrimSpace(raw)
	if isPlaceholder(s) {
		return "", false
	}
	if sh := shapeOf(s); sh != anyShape && sh != home {
		n.issues.add(f, cMisplaced, shapeMessages[sh])
		return "", false
	}
	return s, true
}

func (n *normaliser) text(raw string, vendor field) string {
	s, ok := n.usable(raw, vendor, anyShape)
	if !ok {
		return ""
	}
	return collapseSpace(s)
}

// plate takes the requested side's plate when usable, else the other side's.
// Both are checked for misplaced values; only the one kept is validated.
func (n *normaliser) plate(v *Vehicle, side, front, back string) {
	f, fok := n.usable(front, fPlateNo, plateShape)
	b, bok := n.usable(back, fPlateNo, plateShape)
	if side == Back {
		f, fok, b, bok = b, bok, f, fok
	}
	if !fok {
		f, fok = b, bok
	}
	if !fok {
		return
	}
	v.PlateNo = normalisePlate(f)
	if !validPlate(v.PlateNo) {
		n.issues.add(fPlateNo, cPlateFormat, "Not a mainland China plate number.")
	}
}

func (n *normaliser) front(v *Vehicle, f *frontInfo) {
	v.VehicleType = n.text(f.vehicleType, fVehicleType)
	v.Owner = n.text(f.owner, fOwner)
	v.Address = n.text(f.address, fAddress)
	v.UseCharacter = n.text(f.useCharacter, fUseCharacter)
	v.Model = n.text(f.model, fModel)
	v.VIN = n.vin(f.vin)
	v.EngineNo = n.text(f.engineNo, fEngineNo)
	var registered, issued int
	v.RegisterDate, registered = n.date(f.registerDate, fRegisterDate)
	v.IssueDate, issued = n.date(f.issueDate, fIssueDate)
	if registered > 0 && issued > 0 && issued < registered {
		n.issues.add(fIssueDate, cDateOrder, "Issue date is before the registration date.")
	}
	v.Issuer = n.text(f.seal, fSeal)
}

func (n *normaliser) back(v *Vehicle, b *backInfo) {
	v.FileNo = n.text(b.fileNo, fFileNo)
	v.ApprovedPassengers = n.number(b.allowNum, fAllowNum, fApprovedPassengers, people)
	v.TotalMassKg = n.number(b.totalMass, fTotalMass, fTotalMassKg, kg)
	v.CurbWeightKg = n.number(b.curbWeight, fCurbWeight, fCurbWeightKg, kg)
	v.ApprovedLoadKg = n.number(b.loadQuality, fLoadQuality, fApprovedLoadKg, kg)
	v.TowingMassKg = n.number(b.totalQuasiMass, fTotalQuasiMass, fTowingMassKg, kg)
	if v.CurbWeightKg > 0 && v.TotalMassKg > 0 && v.CurbWeightKg > v.TotalMassKg {
		n.issues.add(fCurbWeightKg, cNumberRange, "Curb weight exceeds total mass.")
	}
	n.size(v, b.externalSize)
	v.Energy = n.text(b.energy, fEnergy)
	v.InspectionValidUntil = n.inspection(b.record)
	v.Remarks = n.text(b.marks, fMarks)
	v.Barcode = n.text(b.barcode, fBarcode)
}

// required reports the fields the requested side must carry when they are
// empty and no other issue already explains why (a misplaced or unreadable
// value is not also "missing").
func (n *normaliser) required(v *Vehicle, side string) {
	msg := "Required on the FRONT side but empty."
	if side == Back {
		msg = "Required on the BACK side but empty."
	}
	need := func(f field, value string) {
		if value == "" && !n.issues.has(f) {
			n.issues.add(f, cMissing, msg)
		}
	}
	need(fPlateNo, v.PlateNo)
	if side == Front {
		need(fVIN, v.VIN)
		need(fOwner, v.Owner)
		need(fRegisterDate, v.RegisterDate)
	}
}
