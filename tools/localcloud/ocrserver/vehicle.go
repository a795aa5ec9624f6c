package ocrserver

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
)

// vehicle is one synthetic vehicle, drawn from a hash of the image so that
// the same image always yields the same answer. Every value is made up and
// marked as such where the card has room for it (names are the textbook
// placeholders 张三, 李四, …; places are 示例市 and 演示路; the brand is 演示牌).
type vehicle struct {
	province, provinceName string
	plate                  string
	owner                  string
	street                 string
	kind                   vehicleKind
	model                  string
	year, month, day       int
	issueYear              int
	vin                    string
	engineNo               string
	fileNo                 string
	barcode                string
	inspectYear            int
	inspectMonth           int
}

type vehicleKind struct {
	name, use, energy, seats string
	minMass, maxMass         int // total mass range, kg
	load                     bool
	length, width, height    int // mm
}

var (
	provinces = [][2]string{
		{"粤", "广东省"}, {"浙", "浙江省"}, {"苏", "江苏省"}, {"川", "四川省"},
		{"鄂", "湖北省"}, {"鲁", "山东省"}, {"闽", "福建省"}, {"湘", "湖南省"},
	}
	placeholderNames = []string{"张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十"}
	vehicleKinds     = []vehicleKind{
		{name: "小型轿车", use: "非营运", energy: "汽油", seats: "5人", minMass: 1700, maxMass: 2100, length: 4700, width: 1820, height: 1470},
		{name: "小型普通客车", use: "非营运", energy: "汽油", seats: "7人", minMass: 2100, maxMass: 2500, length: 4800, width: 1860, height: 1700},
		{name: "小型越野客车", use: "非营运", energy: "混合动力", seats: "5人", minMass: 2200, maxMass: 2600, length: 4750, width: 1900, height: 1720},
		{name: "轻型厢式货车", use: "货运", energy: "柴油", seats: "2人", minMass: 3800, maxMass: 4495, load: true, length: 5990, width: 2100, height: 2950},
	}
)

// Characters a plate or VIN may contain: I, O (and Q for VINs) are never
// used because they read as 1 and 0.
const (
	plateChars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	vinChars   = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
	digits     = "0123456789"
)

// draw is a deterministic stream of choices. ChaCha8 is a fixed, documented
// algorithm and choices use plain modulo rather than rand's helpers, so the
// same image gives the same vehicle on every Go version.
type draw struct{ src *rand.ChaCha8 }

func (d draw) intn(n int) int { return int(d.src.Uint64() % uint64(n)) }

func (d draw) between(lo, hi int) int { return lo + d.intn(hi-lo+1) }

func (d draw) chars(set string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(set[d.intn(len(set))])
	}
	return b.String()
}

func vehicleFor(image []byte) vehicle {
	d := draw{rand.NewChaCha8(sha256.Sum256(image))}
	p := provinces[d.intn(len(provinces))]
	v := vehicle{
		province:     p[0],
		provinceName: p[1],
		owner:        placeholderNames[d.intn(len(placeholderNames))],
		street:       fmt.Sprintf("演示路%d号", d.between(1, 999)),
		kind:         vehicleKinds[d.intn(len(vehicleKinds))],
		model:        fmt.Sprintf("演示牌DM%04d%s", d.between(1000, 9999), d.chars("ABCDEFGHJK", 2)),
		year:         d.between(2015, 2023),
		month:        d.between(1, 12),
		day:          d.between(1, 28),
		engineNo:     d.chars(plateChars, 8),
		fileNo:       d.chars(digits, 12),
		barcode:      d.chars(digits, 13),
	}
	v.plate = v.province + string("ABCDEFGH"[d.intn(8)]) + d.chars(plateChars, 5)
	v.issueYear = v.year + d.intn(2)
	v.inspectYear = 2026 + d.intn(2)
	v.inspectMonth = v.month
	v.vin = makeVIN(d, v.year)
	return v
}

func (v vehicle) front() FrontInfo {
	date := fmt.Sprintf("%04d-%02d-%02d", v.year, v.month, v.day)
	return FrontInfo{
		Owner:        v.owner,
		Address:      v.provinceName + "示例市" + v.street,
		VehicleType:  v.kind.name,
		Model:        v.model,
		RegisterDate: date,
		IssueDate:    fmt.Sprintf("%04d-%02d-%02d", v.issueYear, v.month, v.day),
		Seal:         v.provinceName + "示例市公安局交通警察支队",
		VIN:          v.vin,
		PlateNo:      v.plate,
		UseCharacter: v.kind.use,
		EngineNo:     v.engineNo,
	}
}

func (v vehicle) back() BackInfo {
	// Masses follow from the kind, spread by the VIN's last serial digit so
	// they vary between vehicles but stay the same for one image.
	k := v.kind
	spread := int(v.vin[16] - '0')
	total := k.minMass + (k.maxMass-k.minMass)*spread/9
	curb := total * 7 / 10
	load := "--"
	if k.load {
		load = fmt.Sprintf("%dkg", total-curb-130)
	}
	return BackInfo{
		PlateNo:        v.plate,
		FileNo:         v.fileNo,
		AllowNum:       k.seats,
		TotalMass:      fmt.Sprintf("%dkg", total),
		CurbWeight:     fmt.Sprintf("%dkg", curb),
		LoadQuality:    load,
		ExternalSize:   fmt.Sprintf("%d×%d×%dmm", k.length, k.width, k.height),
		Marks:          "演示数据，非真实车辆",
		Record:         fmt.Sprintf("检验有效期至%04d年%02d月%s", v.inspectYear, v.inspectMonth, v.province),
		TotalQuasiMass: "--",
		Energy:         k.energy,
		Barcode:        v.barcode,
	}
}

// makeVIN builds a 17-character VIN that a validating client accepts: a
// Chinese-style world manufacturer prefix (L…), the model year letter of
// the registration year at position 10, and the ISO 3779 check digit at
// position 9.
func makeVIN(d draw, year int) string {
	b := []byte("L" + d.chars("ABCDEFGHJKLMNPRSTUVWXYZ", 2) + d.chars(vinChars, 5) + "0" + string(modelYearCode(year)) + d.chars(vinChars, 1) + d.chars(digits, 6))
	b[8] = vinCheckDigit(string(b))
	return string(b)
}

// modelYearCode is the VIN's year letter; the cycle that began in 2010
// with A skips I, O, Q, U and Z.
func modelYearCode(year int) byte {
	const cycle = "ABCDEFGHJKLMNPRSTVWXY123456789"
	return cycle[(year-2010)%len(cycle)]
}

// vinCheckDigit computes position 9 of a VIN (ISO 3779 / GB 16735): the
// weighted sum of the transliterated characters modulo 11, 10 written X.
func vinCheckDigit(vin string) byte {
	const letterValues = "12345678.12345.7.923456789" // A..Z; I, O, Q ('.') never occur
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := range 17 {
		c := vin[i]
		var v int
		if c >= '0' && c <= '9' {
			v = int(c - '0')
		} else {
			v = int(letterValues[c-'A'] - '0')
		}
		sum += v * weights[i]
	}
	if r := sum % 11; r < 10 {
		return byte('0' + r)
	}
	return 'X'
}
