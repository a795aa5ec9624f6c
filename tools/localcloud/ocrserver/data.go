package ocrserver

// Data is the "data" object of a success answer. The side that was not
// asked for is an empty object, as in the contract's example; every field
// of the side that was asked for is filled, so omitempty only ever empties
// the other side.
type Data struct {
	FrontInfo FrontInfo `json:"frontInfo"`
	BackInfo  BackInfo  `json:"backInfo"`
}

// FrontInfo is the 行驶证主页 (the page with the red seal), cardSide FRONT.
type FrontInfo struct {
	Owner        string `json:"owner,omitempty"`        // 所有人
	Address      string `json:"address,omitempty"`      // 住址
	VehicleType  string `json:"vehicleType,omitempty"`  // 车辆类型
	Model        string `json:"model,omitempty"`        // 品牌型号
	RegisterDate string `json:"registerDate,omitempty"` // 注册日期
	IssueDate    string `json:"issueDate,omitempty"`    // 发证日期
	Seal         string `json:"seal,omitempty"`         // 发证机关
	VIN          string `json:"vin,omitempty"`          // 车辆识别代号
	PlateNo      string `json:"plateNo,omitempty"`      // 号牌号码
	UseCharacter string `json:"useCharacter,omitempty"` // 使用性质
	EngineNo     string `json:"engineNo,omitempty"`     // 发动机号码
}

// BackInfo is the 行驶证副页 (the page with the plate number), cardSide BACK.
type BackInfo struct {
	PlateNo        string `json:"plateNo,omitempty"`        // 号牌号码
	FileNo         string `json:"fileNo,omitempty"`         // 档案编号
	AllowNum       string `json:"allowNum,omitempty"`       // 核定人数
	TotalMass      string `json:"totalMass,omitempty"`      // 总质量
	CurbWeight     string `json:"curbWeight,omitempty"`     // 整备质量
	LoadQuality    string `json:"loadQuality,omitempty"`    // 核定载质量
	ExternalSize   string `json:"externalSize,omitempty"`   // 外廓尺寸
	Marks          string `json:"marks,omitempty"`          // 备注
	Record         string `json:"record,omitempty"`         // 检验记录
	TotalQuasiMass string `json:"totalQuasiMass,omitempty"` // 准牵引总质量
	Energy         string `json:"energy,omitempty"`         // 燃油类型
	Barcode        string `json:"barcode,omitempty"`        // 证芯编号
}

// Card sides as the contract spells them.
const (
	Front = "FRONT"
	Back  = "BACK"
)

// Recognize returns the data the stand-in answers for image read as
// cardSide (Front or Back). Tests use it to know what a result document
// must contain. It depends only on the image bytes and the side, and both
// sides of one image describe the same synthetic vehicle (same plate).
func Recognize(image []byte, cardSide string) Data {
	v := vehicleFor(image)
	if cardSide == Back {
		return Data{BackInfo: v.back()}
	}
	return Data{FrontInfo: v.front()}
}
