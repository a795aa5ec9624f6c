package vehicle

import (
	"encoding/json"
	"maps"
	"time"
)

// The corpus: vendor answers as JSON bodies, with the Vehicle and issues
// each must yield. All values are synthetic; the VINs were built by
// computing their check digit (see TestCorpusVINs).

// recognizedAt is 2024-06-01 17:00 UTC, already 2024-06-02 in China.
var recognizedAt = time.Date(2024, 6, 1, 17, 0, 0, 0, time.UTC)

const (
	validVIN  = "LSVAU2185N2100001"
	validVINX = "LSVAU218XN2000007" // check digit X
)

// cleanFrontJSON is a complete front page as the vendor sends it.
const cleanFrontJSON = `{
  "code": 0,
  "reqId": "00000000-0000-4000-8000-000000000001",
  "status": 200,
  "message": "success",
  "serialNo": "100000000000000001",
  "data": {
    "backInfo": {},
    "frontInfo": {
      "owner": "张三",
      "address": "广东省深圳市南山区示例路1号",
      "vehicleType": "小型轿车",
      "model": "示例牌EX7150A",
      "registerDate": "2019-05-20",
      "issueDate": "2019-05-20",
      "seal": "广东省深圳市公安局交通警察支队",
      "vin": "LSVAU2185N2100001",
      "plateNo": "粤B12345",
      "useCharacter": "非营运",
      "engineNo": "EA2110001"
    }
  }
}`

// cleanBackJSON is a complete back page as the vendor sends it.
const cleanBackJSON = `{
  "code": 0,
  "reqId": "00000000-0000-4000-8000-000000000002",
  "status": 200,
  "message": "success",
  "serialNo": "100000000000000002",
  "data": {
    "frontInfo": {},
    "backInfo": {
      "plateNo": "粤B12345",
      "fileNo": "440300123456",
      "allowNum": "5人",
      "totalMass": "1820kg",
      "curbWeight": "1395kg",
      "loadQuality": "--",
      "totalQuasiMass": "--",
      "externalSize": "4800×1800×1460mm",
      "energy": "汽油",
      "record": "检验有效期至2023年05月粤B(01)检验有效期至2025年05月粤B(01)",
      "marks": "",
      "barcode": "4403001234567"
    }
  }
}`

// garbledJSON is the vendor's own example of a successful answer: most of its
// values sit in the wrong fields.
const garbledJSON = `{
  "code": 0,
  "reqId": "e9e6ee20-bd20-11eb-82a1-b42e99a9afd7",
  "status": 200,
  "message": "success",
  "serialNo": "360562482416189440",
  "data": {
    "backInfo": {},
    "frontInfo": {
      "owner": "5人",
      "address": "0k4582X1T95X1458",
      "vehicleType": "质",
      "model": "",
      "registerDate": "20",
      "issueDate": "20",
      "seal": "广东省揭阳市公安局交通警察支队",
      "vin": "",
      "plateNo": "粤V",
      "useCharacter": "非营运",
      "engineNo": "1820KG"
    }
  }
}`

var garbledWant = Vehicle{PlateNo: "粤V", VehicleType: "质", UseCharacter: "非营运", Issuer: "广东省揭阳市公安局交通警察支队"}

var garbledIssues = []string{
	"plateNo/plate_format",
	"owner/misplaced",
	"address/misplaced",
	"vin/missing",
	"engineNo/misplaced",
	"registerDate/date_format",
	"issueDate/date_format",
}

func cleanFront() Vehicle {
	return Vehicle{
		PlateNo:      "粤B12345",
		VehicleType:  "小型轿车",
		Owner:        "张三",
		Address:      "广东省深圳市南山区示例路1号",
		UseCharacter: "非营运",
		Model:        "示例牌EX7150A",
		VIN:          validVIN,
		EngineNo:     "EA2110001",
		RegisterDate: "2019-05-20",
		IssueDate:    "2019-05-20",
		Issuer:       "广东省深圳市公安局交通警察支队",
	}
}

func cleanBack() Vehicle {
	return Vehicle{
		PlateNo:              "粤B12345",
		FileNo:               "440300123456",
		ApprovedPassengers:   5,
		TotalMassKg:          1820,
		CurbWeightKg:         1395,
		LengthMm:             4800,
		WidthMm:              1800,
		HeightMm:             1460,
		Energy:               "汽油",
		InspectionValidUntil: "2025-05",
		Barcode:              "4403001234567",
	}
}

// with returns v changed by edit.
func with(v Vehicle, edit func(*Vehicle)) Vehicle {
	edit(&v)
	return v
}

// m is a block of vendor values; a value of absent removes the key.
type m = map[string]any

var absent = struct{ absent bool }{}

var cleanFrontInfo = m{
	"owner": "张三", "address": "广东省深圳市南山区示例路1号", "vehicleType": "小型轿车",
	"model": "示例牌EX7150A", "registerDate": "2019-05-20", "issueDate": "2019-05-20",
	"seal": "广东省深圳市公安局交通警察支队", "vin": validVIN, "plateNo": "粤B12345",
	"useCharacter": "非营运", "engineNo": "EA2110001",
}

var cleanBackInfo = m{
	"plateNo": "粤B12345", "fileNo": "440300123456", "allowNum": "5人", "totalMass": "1820kg",
	"curbWeight": "1395kg", "loadQuality": "--", "totalQuasiMass": "--",
	"externalSize": "4800×1800×1460mm", "energy": "汽油",
	"record": "检验有效期至2023年05月粤B(01)检验有效期至2025年05月粤B(01)", "marks": "",
	"barcode": "4403001234567",
}

// answer wraps two blocks in the vendor's success envelope.
func answer(front, back m) string {
	b, err := json.Marshal(m{
		"code": 0, "status": 200, "message": "success", "serialNo": "100000000000000003",
		"data": m{"frontInfo": front, "backInfo": back},
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func override(base, changes m) m {
	out := maps.Clone(base)
	for k, v := range changes {
		if v == absent {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// front is a front page: the clean front block with changes.
func front(changes m) string { return answer(override(cleanFrontInfo, changes), m{}) }

// back is a back page: the clean back block with changes.
func back(changes m) string { return answer(m{}, override(cleanBackInfo, changes)) }

type readCase struct {
	name   string
	side   string
	body   string
	want   Vehicle
	issues []string // "field/code", in order
}

var corpus = []readCase{
	// Whole pages.
	{name: "clean front page", side: Front, body: cleanFrontJSON, want: cleanFront()},
	{name: "clean back page", side: Back, body: cleanBackJSON, want: cleanBack()},
	{name: "garbled example", side: Front, body: garbledJSON, want: garbledWant, issues: garbledIssues},
	{name: "side in lower case", side: "front", body: cleanFrontJSON, want: cleanFront()},
	{name: "side empty means FRONT", side: "", body: cleanFrontJSON, want: cleanFront()},
	{name: "both blocks filled, FRONT asked", side: Front,
		body: answer(cleanFrontInfo, cleanBackInfo),
		want: with(cleanFront(), func(v *Vehicle) {
			b := cleanBack()
			v.FileNo, v.ApprovedPassengers, v.TotalMassKg, v.CurbWeightKg = b.FileNo, b.ApprovedPassengers, b.TotalMassKg, b.CurbWeightKg
			v.LengthMm, v.WidthMm, v.HeightMm = b.LengthMm, b.WidthMm, b.HeightMm
			v.Energy, v.InspectionValidUntil, v.Barcode = b.Energy, b.InspectionValidUntil, b.Barcode
		})},
	{name: "plates differ, the requested side's wins", side: Back,
		body: answer(m{"plateNo": "粤B54321"}, cleanBackInfo), want: cleanBack()},
	{name: "plate only on the other side is taken", side: Back,
		body: answer(m{"plateNo": "粤B12345"}, override(cleanBackInfo, m{"plateNo": "--"})), want: cleanBack()},
	{name: "back page without front block", side: Back,
		body: `{"status":200,"data":{"backInfo":{"plateNo":"粤B12345"}}}`, want: Vehicle{PlateNo: "粤B12345"}},
	{name: "unknown fields are ignored", side: Front,
		body: answer(override(cleanFrontInfo, m{"color": "红", "extra": m{"vin": "X"}}), m{"nested": []any{1, "a"}}),
		want: cleanFront()},
	{name: "escaped strings", side: Front,
		body: `{"data":{"frontInfo":{"owner":"\u5f20\u4e09","plateNo":"\u7ca4B12345","vin":"` + validVIN + `","registerDate":"2019\/05\/20"}}}`,
		want: Vehicle{Owner: "张三", PlateNo: "粤B12345", VIN: validVIN, RegisterDate: "2019-05-20"}},
	{name: "repeated key, the last wins", side: Front,
		body: `{"data":{"frontInfo":{"owner":"李四","owner":"张三","plateNo":"粤B12345","vin":"` + validVIN + `","registerDate":"2019-05-20"}}}`,
		want: Vehicle{Owner: "张三", PlateNo: "粤B12345", VIN: validVIN, RegisterDate: "2019-05-20"}},

	// Each issue code alone.
	{name: "missing owner (absent key)", side: Front, body: front(m{"owner": absent}),
		want: with(cleanFront(), func(v *Vehicle) { v.Owner = "" }), issues: []string{"owner/missing"}},
	{name: "missing vin (null)", side: Front, body: front(m{"vin": nil}),
		want: with(cleanFront(), func(v *Vehicle) { v.VIN = "" }), issues: []string{"vin/missing"}},
	{name: "missing registerDate (--)", side: Front, body: front(m{"registerDate": "--"}),
		want: with(cleanFront(), func(v *Vehicle) { v.RegisterDate = "" }), issues: []string{"registerDate/missing"}},
	{name: "missing plate on the back", side: Back, body: back(m{"plateNo": ""}),
		want: with(cleanBack(), func(v *Vehicle) { v.PlateNo = "" }), issues: []string{"plateNo/missing"}},
	{name: "optional front fields empty", side: Front,
		body: front(m{"model": "", "engineNo": "-", "address": "/", "useCharacter": "无", "issueDate": "null", "vehicleType": "—", "seal": absent}),
		want: with(cleanFront(), func(v *Vehicle) {
			v.Model, v.EngineNo, v.Address, v.UseCharacter, v.IssueDate, v.VehicleType, v.Issuer = "", "", "", "", "", "", ""
		})},
	{name: "all back fields placeholders except plate", side: Back,
		body: back(m{"fileNo": "--", "allowNum": "-", "totalMass": "—", "curbWeight": "无", "externalSize": "/",
			"energy": "null", "record": "NULL", "marks": "——", "barcode": "－－"}),
		want: Vehicle{PlateNo: "粤B12345"}},
	{name: "misplaced passenger count in owner", side: Front, body: front(m{"owner": "5人"}),
		want: with(cleanFront(), func(v *Vehicle) { v.Owner = "" }), issues: []string{"owner/misplaced"}},
	{name: "misplaced VIN in engineNo", side: Front, body: front(m{"engineNo": "LSVAU2185N210000"}),
		want: with(cleanFront(), func(v *Vehicle) { v.EngineNo = "" }), issues: []string{"engineNo/misplaced"}},
	{name: "misplaced mass in allowNum", side: Back, body: back(m{"allowNum": "1820kg"}),
		want: with(cleanBack(), func(v *Vehicle) { v.ApprovedPassengers = 0 }), issues: []string{"allowNum/misplaced"}},
	{name: "misplaced plate in address", side: Front, body: front(m{"address": "粤B·12345"}),
		want: with(cleanFront(), func(v *Vehicle) { v.Address = "" }), issues: []string{"address/misplaced"}},
	{name: "misplaced VIN in plateNo", side: Front, body: front(m{"plateNo": validVIN}),
		want: with(cleanFront(), func(v *Vehicle) { v.PlateNo = "" }), issues: []string{"plateNo/misplaced"}},
	{name: "misplaced mass in seal", side: Front, body: front(m{"seal": "1820KG"}),
		want: with(cleanFront(), func(v *Vehicle) { v.Issuer = "" }), issues: []string{"seal/misplaced"}},
	{name: "misplaced count in marks", side: Back, body: back(m{"marks": "5人"}),
		want: cleanBack(), issues: []string{"marks/misplaced"}},
	{name: "digit-only file number and barcode are not VINs", side: Back,
		body: back(m{"fileNo": "44030012345678901", "barcode": "4403001234567890"}),
		want: with(cleanBack(), func(v *Vehicle) { v.FileNo, v.Barcode = "44030012345678901", "4403001234567890" })},
	{name: "vin_format: 16 characters", side: Front, body: front(m{"vin": "LSVAU2185N210000"}),
		want: with(cleanFront(), func(v *Vehicle) { v.VIN = "LSVAU2185N210000" }), issues: []string{"vin/vin_format"}},
	{name: "vin_format: foreign character", side: Front, body: front(m{"vin": "LSVAU2185N210000#"}),
		want: with(cleanFront(), func(v *Vehicle) { v.VIN = "LSVAU2185N210000#" }), issues: []string{"vin/vin_format"}},
	{name: "vin_check_digit", side: Front, body: front(m{"vin": "LSVAU2184N2100001"}),
		want: with(cleanFront(), func(v *Vehicle) { v.VIN = "LSVAU2184N2100001" }), issues: []string{"vin/vin_check_digit"}},
	{name: "plate_format: no letter", side: Front, body: front(m{"plateNo": "粤123456"}),
		want: with(cleanFront(), func(v *Vehicle) { v.PlateNo = "粤123456" }), issues: []string{"plateNo/plate_format"}},
	{name: "plate_format: letter O", side: Front, body: front(m{"plateNo": "粤BO2345"}),
		want: with(cleanFront(), func(v *Vehicle) { v.PlateNo = "粤BO2345" }), issues: []string{"plateNo/plate_format"}},
	{name: "plate_format: too short", side: Back, body: back(m{"plateNo": "粤B1234"}),
		want: with(cleanBack(), func(v *Vehicle) { v.PlateNo = "粤B1234" }), issues: []string{"plateNo/plate_format"}},
	{name: "date_format: no such day", side: Front, body: front(m{"registerDate": "2019-02-29"}),
		want: with(cleanFront(), func(v *Vehicle) { v.RegisterDate = "" }), issues: []string{"registerDate/date_format"}},
	{name: "date_format: mixed separators", side: Front, body: front(m{"issueDate": "2019-05/20"}),
		want: with(cleanFront(), func(v *Vehicle) { v.IssueDate = "" }), issues: []string{"issueDate/date_format"}},
	{name: "date_range: before 1950", side: Front, body: front(m{"registerDate": "1949-12-31"}),
		want: with(cleanFront(), func(v *Vehicle) { v.RegisterDate = "1949-12-31" }), issues: []string{"registerDate/date_range"}},
	{name: "date_range: after the recognition day in China", side: Front, body: front(m{"issueDate": "2024-06-03"}),
		want: with(cleanFront(), func(v *Vehicle) { v.IssueDate = "2024-06-03" }), issues: []string{"issueDate/date_range"}},
	{name: "recognition day is China's, not UTC's", side: Front, body: front(m{"issueDate": "2024-06-02"}),
		want: with(cleanFront(), func(v *Vehicle) { v.IssueDate = "2024-06-02" })},
	{name: "date_order", side: Front, body: front(m{"issueDate": "2019-05-19"}),
		want: with(cleanFront(), func(v *Vehicle) { v.IssueDate = "2019-05-19" }), issues: []string{"issueDate/date_order"}},
	{name: "date_format: unreadable inspection record", side: Back, body: back(m{"record": "检验合格"}),
		want: with(cleanBack(), func(v *Vehicle) { v.InspectionValidUntil = "" }), issues: []string{"inspectionValidUntil/date_format"}},
	{name: "number_format: mass in words", side: Back, body: back(m{"totalMass": "一千八百二十kg"}),
		want: with(cleanBack(), func(v *Vehicle) { v.TotalMassKg = 0 }), issues: []string{"totalMassKg/number_format"}},
	{name: "number_format: passengers with a wrong unit", side: Back, body: back(m{"allowNum": "5kg人"}),
		want: with(cleanBack(), func(v *Vehicle) { v.ApprovedPassengers = 0 }), issues: []string{"approvedPassengers/number_format"}},
	{name: "number_format: size with two parts", side: Back, body: back(m{"externalSize": "4800×1800mm"}),
		want:   with(cleanBack(), func(v *Vehicle) { v.LengthMm, v.WidthMm, v.HeightMm = 0, 0, 0 }),
		issues: []string{"lengthMm/number_format", "widthMm/number_format", "heightMm/number_format"}},
	{name: "number_format: one size part", side: Back, body: back(m{"externalSize": "4800×18O0×1460mm"}),
		want: with(cleanBack(), func(v *Vehicle) { v.WidthMm = 0 }), issues: []string{"widthMm/number_format"}},
	{name: "number_range: no passengers", side: Back, body: back(m{"allowNum": "0人"}),
		want: with(cleanBack(), func(v *Vehicle) { v.ApprovedPassengers = 0 }), issues: []string{"approvedPassengers/number_range"}},
	{name: "number_range: too many passengers", side: Back, body: back(m{"allowNum": "120人"}),
		want: with(cleanBack(), func(v *Vehicle) { v.ApprovedPassengers = 120 }), issues: []string{"approvedPassengers/number_range"}},
	{name: "number_range: towing mass too large", side: Back, body: back(m{"totalQuasiMass": "180000kg"}),
		want: with(cleanBack(), func(v *Vehicle) { v.TowingMassKg = 180000 }), issues: []string{"towingMassKg/number_range"}},
	{name: "number_range: more digits than any mass", side: Back, body: back(m{"loadQuality": "12345678901234567890kg"}),
		want: cleanBack(), issues: []string{"approvedLoadKg/number_range"}},
	{name: "number_range: curb weight above total mass", side: Back, body: back(m{"curbWeight": "1900kg"}),
		want: with(cleanBack(), func(v *Vehicle) { v.CurbWeightKg = 1900 }), issues: []string{"curbWeightKg/number_range"}},
	{name: "number_range: length", side: Back, body: back(m{"externalSize": "48000×1800×1460mm"}),
		want: with(cleanBack(), func(v *Vehicle) { v.LengthMm = 48000 }), issues: []string{"lengthMm/number_range"}},

	// Normalisation: each form yields the clean value.
	{name: "date 20190520", side: Front, body: front(m{"registerDate": "20190520"}), want: cleanFront()},
	{name: "date 2019年05月20日", side: Front, body: front(m{"registerDate": "2019年05月20日"}), want: cleanFront()},
	{name: "date 2019年5月20日", side: Front, body: front(m{"registerDate": "2019年5月20日"}), want: cleanFront()},
	{name: "date 2019年05月20", side: Front, body: front(m{"registerDate": "2019年05月20"}), want: cleanFront()},
	{name: "date 2019/5/20", side: Front, body: front(m{"registerDate": "2019/5/20"}), want: cleanFront()},
	{name: "date 2019.05.20", side: Front, body: front(m{"registerDate": "2019.05.20"}), want: cleanFront()},
	{name: "date full-width", side: Front, body: front(m{"issueDate": "２０１９－０５－２０"}), want: cleanFront()},
	{name: "date with spaces", side: Front, body: front(m{"issueDate": " 2019 - 05 - 20 "}), want: cleanFront()},
	{name: "date as a JSON number", side: Front, body: front(m{"issueDate": 20190520}), want: cleanFront()},
	{name: "plate with middle dot", side: Front, body: front(m{"plateNo": "粤B·12345"}), want: cleanFront()},
	{name: "plate with bullet", side: Front, body: front(m{"plateNo": "粤B•12345"}), want: cleanFront()},
	{name: "plate with spaces", side: Front, body: front(m{"plateNo": " 粤 B 123 45 "}), want: cleanFront()},
	{name: "plate with dash", side: Front, body: front(m{"plateNo": "粤B-12345"}), want: cleanFront()},
	{name: "plate with full-width dot", side: Front, body: front(m{"plateNo": "粤B．12345"}), want: cleanFront()},
	{name: "plate in lower case", side: Back, body: back(m{"plateNo": "粤b12345"}), want: cleanBack()},
	{name: "plate in full width", side: Back, body: back(m{"plateNo": "粤Ｂ１２３４５"}), want: cleanBack()},
	{name: "plate new energy small", side: Front, body: front(m{"plateNo": "粤AD12345"}),
		want: with(cleanFront(), func(v *Vehicle) { v.PlateNo = "粤AD12345" })},
	{name: "plate new energy small, letter second", side: Front, body: front(m{"plateNo": "粤AFB2345"}),
		want: with(cleanFront(), func(v *Vehicle) { v.PlateNo = "粤AFB2345" })},
	{name: "plate new energy large", side: Front, body: front(m{"plateNo": "粤A12345D"}),
		want: with(cleanFront(), func(v *Vehicle) { v.PlateNo = "粤A12345D" })},
	{name: "plate trailer", side: Back, body: back(m{"plateNo": "粤B1234挂"}),
		want: with(cleanBack(), func(v *Vehicle) { v.PlateNo = "粤B1234挂" })},
	{name: "plate Hong Kong crossing", side: Back, body: back(m{"plateNo": "粤Z1234港"}),
		want: with(cleanBack(), func(v *Vehicle) { v.PlateNo = "粤Z1234港" })},
	{name: "plate embassy", side: Back, body: back(m{"plateNo": "使123456"}),
		want: with(cleanBack(), func(v *Vehicle) { v.PlateNo = "使123456" })},
	{name: "VIN with spaces", side: Front, body: front(m{"vin": "LSVAU 2185N 2100001"}), want: cleanFront()},
	{name: "VIN in lower case", side: Front, body: front(m{"vin": "lsvau2185n2100001"}), want: cleanFront()},
	{name: "VIN with O and Q for 0", side: Front, body: front(m{"vin": "LSVAU2185N21OOQO1"}), want: cleanFront()},
	{name: "VIN with I for 1", side: Front, body: front(m{"vin": "LSVAU2I85N2100001"}), want: cleanFront()},
	{name: "VIN in full width with a dash", side: Front, body: front(m{"vin": "ＬＳＶＡＵ２１８５Ｎ－２１００００１"}), want: cleanFront()},
	{name: "VIN with check digit X", side: Front, body: front(m{"vin": validVINX}),
		want: with(cleanFront(), func(v *Vehicle) { v.VIN = validVINX })},
	{name: "mass KG", side: Back, body: back(m{"totalMass": "1820KG"}), want: cleanBack()},
	{name: "mass Kg with space", side: Back, body: back(m{"totalMass": "1820 Kg"}), want: cleanBack()},
	{name: "mass 公斤", side: Back, body: back(m{"totalMass": "1820公斤"}), want: cleanBack()},
	{name: "mass 千克", side: Back, body: back(m{"totalMass": "1820千克"}), want: cleanBack()},
	{name: "mass full width", side: Back, body: back(m{"totalMass": "１８２０ｋｇ"}), want: cleanBack()},
	{name: "mass full-width upper case", side: Back, body: back(m{"curbWeight": "１３９５ＫＧ"}), want: cleanBack()},
	{name: "mass without unit", side: Back, body: back(m{"totalMass": "1820"}), want: cleanBack()},
	{name: "mass as a JSON number", side: Back, body: back(m{"totalMass": 1820}), want: cleanBack()},
	{name: "passengers with space", side: Back, body: back(m{"allowNum": "5 人"}), want: cleanBack()},
	{name: "passengers full width", side: Back, body: back(m{"allowNum": "５人"}), want: cleanBack()},
	{name: "passengers as a JSON number", side: Back, body: back(m{"allowNum": 5}), want: cleanBack()},
	{name: "passengers without unit", side: Back, body: back(m{"allowNum": "5"}), want: cleanBack()},
	{name: "size x", side: Back, body: back(m{"externalSize": "4800x1800x1460mm"}), want: cleanBack()},
	{name: "size X", side: Back, body: back(m{"externalSize": "4800X1800X1460mm"}), want: cleanBack()},
	{name: "size *", side: Back, body: back(m{"externalSize": "4800*1800*1460mm"}), want: cleanBack()},
	{name: "size full-width ＊", side: Back, body: back(m{"externalSize": "4800＊1800＊1460mm"}), want: cleanBack()},
	{name: "size full-width Ｘ", side: Back, body: back(m{"externalSize": "4800Ｘ1800Ｘ1460mm"}), want: cleanBack()},
	{name: "size MM", side: Back, body: back(m{"externalSize": "4800×1800×1460MM"}), want: cleanBack()},
	{name: "size 毫米", side: Back, body: back(m{"externalSize": "4800×1800×1460毫米"}), want: cleanBack()},
	{name: "size unit on each part", side: Back, body: back(m{"externalSize": "4800mm×1800mm×1460mm"}), want: cleanBack()},
	{name: "size with spaces, no unit", side: Back, body: back(m{"externalSize": " 4800 × 1800 × 1460 "}), want: cleanBack()},
	{name: "size full-width digits", side: Back, body: back(m{"externalSize": "４８００×１８００×１４６０ｍｍ"}), want: cleanBack()},
	{name: "inspection record, single month", side: Back, body: back(m{"record": "检验有效期至2025年5月粤B(01)"}), want: cleanBack()},
	{name: "inspection record, dashes and full width", side: Back, body: back(m{"record": "检验有效期至２０２４－１１ 检验有效期至2025-05"}), want: cleanBack()},
	{name: "text trimmed and spaces collapsed", side: Front,
		body: front(m{"owner": "　张三 ", "address": "广东省深圳市  南山区\t示例路1号"}),
		want: with(cleanFront(), func(v *Vehicle) { v.Address = "广东省深圳市 南山区 示例路1号" })},
	{name: "file number as a JSON number", side: Back, body: back(m{"fileNo": 440300123456}), want: cleanBack()},
	{name: "true and objects count as absent", side: Back, body: back(m{"energy": true, "marks": m{"a": 1}, "barcode": []any{}}),
		want: with(cleanBack(), func(v *Vehicle) { v.Energy, v.Barcode = "", "" })},
}
