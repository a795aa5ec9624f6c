package vehicle

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceCheckDigit is ISO 3779's check digit written out from the
// standard's tables, independently of vinCheckDigit.
func referenceCheckDigit(vin string) byte {
	values := map[rune]int{
		'A': 1, 'B': 2, 'C': 3, 'D': 4, 'E': 5, 'F': 6, 'G': 7, 'H': 8,
		'J': 1, 'K': 2, 'L': 3, 'M': 4, 'N': 5, 'P': 7, 'R': 9,
		'S': 2, 'T': 3, 'U': 4, 'V': 5, 'W': 6, 'X': 7, 'Y': 8, 'Z': 9,
	}
	for d := '0'; d <= '9'; d++ {
		values[d] = int(d - '0')
	}
	weights := []int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, r := range vin {
		sum += values[r] * weights[i]
	}
	return "0123456789X"[sum%11]
}

// makeVIN sets position 9 of a 17-character base to its check digit.
func makeVIN(base string) string {
	return base[:8] + string(referenceCheckDigit(base)) + base[9:]
}

func TestCorpusVINs(t *testing.T) {
	for _, vin := range []string{validVIN, validVINX} {
		require.True(t, validVINFormat(vin), vin)
		assert.Equal(t, referenceCheckDigit(vin), vin[8], vin)
	}
	assert.Equal(t, byte('X'), validVINX[8])
}

func TestVINCheckDigit(t *testing.T) {
	bases := []string{
		"LSVAU2180N2100001", "LFV3A23C0K3000002", "LGBH52E00KY000003",
		"LVSHFFAL0JS000004", "LZWADAGA0MB000005", "1M8GDM9A0KP042788",
	}
	for _, base := range bases {
		vin := makeVIN(base)
		require.True(t, validVINFormat(vin), vin)
		assert.Equal(t, vin[8], vinCheckDigit(vin), vin)
	}
	assert.Equal(t, "1M8GDM9AXKP042788", makeVIN("1M8GDM9A0KP042788"), "the textbook example has X")
}

func TestNormaliseVIN(t *testing.T) {
	assert.Equal(t, validVIN, normaliseVIN("lsvau·2i85n-21oq001"))
	assert.Equal(t, validVIN, normaliseVIN("ＬＳＶＡＵ２１８５Ｎ　２１００００１"))
	assert.False(t, validVINFormat("LSVAU2185N210000"), "16 characters")
	assert.False(t, validVINFormat("LSVAU2185N21000011"), "18 characters")
	assert.False(t, validVINFormat("LSVAU2185N210000I"), "I is never in a VIN")
}

func TestValidPlate(t *testing.T) {
	valid := []string{
		"京A12345", "粤B0A1B2", "沪CZZZZZ", "琼E12345", "川A1234挂", "粤Z1234港", "粤Z1234澳",
		"京A1234警", "京A1234学", "沪A1234领", "京A1234使", "京A1234试", "京A1234超",
		"粤AD12345", "粤AF12345", "粤AA12345", "粤AK12345", "粤ADB2345", "粤A12345D", "粤A12345F", "粤A12345K",
		"使123456",
	}
	invalid := []string{
		"", "粤", "粤V", "粤B1234", "粤B123456", "粤B1234567", "港A12345", "粤112345", "粤I12345", "粤O12345",
		"粤BI2345", "粤BO2345", "粤b12345", "粤B·12345", "粤AL12345", "粤A12345L", "粤AD1234D", "粤AD12A45",
		"粤A12A45D", "粤A123挂4", "粤A挂1234", "使12345", "使1234567", "使A23456", "WJ12345",
	}
	for _, p := range valid {
		assert.True(t, validPlate(p), p)
	}
	for _, p := range invalid {
		assert.False(t, validPlate(p), p)
	}
	assert.Equal(t, "粤B12345", normalisePlate("粤 b · 1２3－45"))
}

func TestParseDate(t *testing.T) {
	valid := map[string]int{
		"2019-05-20": 20190520, "20190520": 20190520, "2019年05月20日": 20190520, "2019年5月20日": 20190520,
		"2019年5月20": 20190520, "2019/5/20": 20190520, "2019.05.20": 20190520, "２０１９．０５．２０": 20190520,
		"2020-02-29": 20200229, "2000-02-29": 20000229, "1949-12-31": 19491231, "2019 年 5 月 2 日": 20190502,
	}
	for s, want := range valid {
		got, ok := parseDate(s)
		assert.True(t, ok, s)
		assert.Equal(t, want, got, s)
	}
	invalid := []string{
		"", "20", "2019", "201905", "2019-05", "2019-5-20-1", "2019-05/20", "2019年05-20", "2019/05月20",
		"2019-05-20日", "19-05-20", "2019-005-20", "2019-13-01", "2019-00-10", "2019-04-31", "2019-02-29",
		"1900-02-29", "2019 05 20", "201905201", "-2019-05-20", "2019--05-20", "2019-05-20x", "二〇一九年五月二十日",
	}
	for _, s := range invalid {
		_, ok := parseDate(s)
		assert.False(t, ok, s)
	}
}

func TestFormatDate(t *testing.T) {
	s := "2019-05-20"
	assert.Equal(t, s, formatDate(20190520, s))
	assert.Equal(t, "2019-05-20", formatDate(20190520, "2019/5/20"))
	assert.Equal(t, "0001-01-01", formatDate(10101, "00010101"))
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = formatDate(20190520, s) }), "already canonical")
}

func TestLatestMonth(t *testing.T) {
	cases := map[string]int{
		"检验有效期至2021年09月京A(01)":                    202109,
		"检验有效期至2021年09月京A(01)检验有效期至2023年9月京A(01)": 202309,
		"检验有效期至2023年09月检验有效期至2021年09月":            202309,
		"2025-05": 202505, "2025/5": 202505, "2025.05.31": 202505, "２０２５年０５月": 202505,
		"有效期至 2025 年 05 月": 202505,
	}
	for s, want := range cases {
		got, ok := latestMonth(s)
		assert.True(t, ok, s)
		assert.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "检验合格", "2021年13月", "2021年", "12021年09月", "2021年123月", "20210901", "京A(01)"} {
		_, ok := latestMonth(s)
		assert.False(t, ok, s)
	}
}

func TestParseAmount(t *testing.T) {
	type want struct {
		value int
		unit  bool
	}
	valid := []struct {
		s string
		u unit
		w want
	}{
		{"5人", people, want{5, true}}, {"５ 人", people, want{5, true}}, {"5", people, want{5, false}},
		{"1820kg", kg, want{1820, true}}, {"1820KG", kg, want{1820, true}}, {"1820 Kg", kg, want{1820, true}},
		{"１８２０ｋｇ", kg, want{1820, true}}, {"1820公斤", kg, want{1820, true}}, {"1820千克", kg, want{1820, true}},
		{"01820", kg, want{1820, false}}, {"0", kg, want{0, false}},
		{"4800mm", mm, want{4800, true}}, {"4800ＭＭ", mm, want{4800, true}}, {"4800毫米", mm, want{4800, true}},
	}
	for _, c := range valid {
		a, ok := parseAmount(c.s, c.u)
		require.True(t, ok, c.s)
		assert.Equal(t, c.w, want{a.value, a.unit}, c.s)
	}
	for _, c := range []struct {
		s string
		u unit
	}{{"", kg}, {"kg", kg}, {"5人", kg}, {"1820kg", people}, {"18kg20", kg}, {"1,820kg", kg}, {"1820.5kg", kg}, {"-5人", people}, {"1820t", kg}} {
		_, ok := parseAmount(c.s, c.u)
		assert.False(t, ok, c.s)
	}
	a, ok := parseAmount(strings.Repeat("9", 30)+"kg", kg)
	require.True(t, ok)
	assert.True(t, a.tooLong)
	assert.Zero(t, a.value)
}

func TestShapeOf(t *testing.T) {
	cases := map[string]shape{
		"5人": countShape, "99 人": countShape, "1820KG": massShape, "1820公斤": massShape,
		"粤B12345": plateShape, "粤B·12345": plateShape, "使123456": plateShape,
		validVIN: vinShape, "LSVAU2185N210000": vinShape, "0k4582X1T95X1458": vinShape, "LSVAU 2185N 2100001": vinShape,
		"4800X1800X1460mm": anyShape, "44030012345678901": anyShape, "LSVAUNNNNNNNNNNNN": anyShape,
		"LSVAU2185N21000011": anyShape, "LSVAU2185N2100": anyShape, "张三": anyShape, "1820": anyShape,
		"粤V": anyShape, "广东省揭阳市公安局交通警察支队": anyShape, "检验有效期至2021年09月京A(01)": anyShape,
	}
	for s, want := range cases {
		assert.Equal(t, want, shapeOf(s), s)
	}
}

func TestPlaceholders(t *testing.T) {
	for _, s := range []string{"", "-", "--", "—", "——", "－－", "/", "／", "无", "null", "NULL", "Null", "-/-"} {
		assert.True(t, isPlaceholder(s), s)
	}
	for _, s := range []string{"0", "无锡", "nullx", "N/A?", "张三"} {
		assert.False(t, isPlaceholder(s), s)
	}
}

func TestCollapseSpace(t *testing.T) {
	assert.Equal(t, "a b c", collapseSpace("a  b\t\u3000c"))
	assert.Equal(t, "a b", collapseSpace("a b"))
}
