package ocrserver

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVINCheckDigitMatchesKnownVINs(t *testing.T) {
	cases := []struct {
		name, vin string
	}{
		{name: "textbook example with X", vin: "1M8GDM9AXKP042788"},
		{name: "all ones", vin: "11111111111111111"},
		{name: "digit 9", vin: "1HGCM82633A004352"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.vin[8], vinCheckDigit(tc.vin))
		})
	}
}

func TestRecognizeMakesPlausibleSyntheticCards(t *testing.T) {
	plate := regexp.MustCompile(`^[粤浙苏川鄂鲁闽湘][A-H][0-9A-HJ-NP-Z]{5}$`)
	vin := regexp.MustCompile(`^L[A-HJ-NPR-Z0-9]{16}$`)
	date := regexp.MustCompile(`^20[12][0-9]-[01][0-9]-[0-3][0-9]$`)
	for seed := range byte(50) {
		img := []byte{0xFF, 0xD8, 0xFF, seed}
		front, back := Recognize(img, Front), Recognize(img, Back)

		require.Regexp(t, plate, front.FrontInfo.PlateNo)
		require.Regexp(t, vin, front.FrontInfo.VIN)
		require.Equal(t, front.FrontInfo.VIN[8], vinCheckDigit(front.FrontInfo.VIN), "check digit of %s", front.FrontInfo.VIN)
		require.Regexp(t, date, front.FrontInfo.RegisterDate)
		require.GreaterOrEqual(t, front.FrontInfo.IssueDate, front.FrontInfo.RegisterDate)
		require.Equal(t, front.FrontInfo.PlateNo, back.BackInfo.PlateNo)
		require.Contains(t, back.BackInfo.Marks, "演示数据")
		require.Equal(t, BackInfo{}, front.BackInfo)
		require.Equal(t, FrontInfo{}, back.FrontInfo)
	}
}

func TestRecognizeIsAFunctionOfImageAndSide(t *testing.T) {
	a, b := []byte("image A"), []byte("image B")
	assert.Equal(t, Recognize(a, Front), Recognize(append([]byte(nil), a...), Front))
	assert.Equal(t, Recognize(a, Back), Recognize(a, Back))
	assert.NotEqual(t, Recognize(a, Front), Recognize(b, Front))
	assert.NotEqual(t, Recognize(a, Front), Recognize(a, Back))
}

func TestImageFormatByMagicBytes(t *testing.T) {
	cases := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{name: "JPEG", bytes: testJPEG(t, 1), want: "jpeg"},
		{name: "PNG", bytes: testPNG(t, 1), want: "png"},
		{name: "BMP", bytes: testBMP(1), want: "bmp"},
		{name: "text starting with BM", bytes: []byte("BMW owners manual, chapter 1"), want: ""},
		{name: "GIF is not accepted", bytes: []byte("GIF89a\x01\x00\x01\x00"), want: ""},
		{name: "HTML", bytes: []byte("<!DOCTYPE html>"), want: ""},
		{name: "empty", bytes: nil, want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, imageFormat(tc.bytes))
		})
	}
}
