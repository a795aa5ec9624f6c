package localcloud

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateSamples = flag.Bool("update-samples", false, "redraw the sample images in samples/")

// The sample images are synthetic drawings of a 行驶证 page (no text, no real
// person's data): enough to be a real JPEG the stand-in accepts and a person
// recognises in the demo. They are committed; this test redraws them with
// -update-samples and otherwise checks they are what the demo expects.
func TestSampleImages(t *testing.T) {
	drawings := map[string]image.Image{
		"front.jpg":  drawFront(false),
		"back.jpg":   drawBack(),
		"blurry.jpg": drawFront(true),
	}
	for name, img := range drawings {
		path := filepath.Join("samples", name)
		if *updateSamples {
			var buf bytes.Buffer
			require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 70}))
			require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		}
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		_, format, err := image.Decode(bytes.NewReader(b))
		require.NoError(t, err, name)
		assert.Equal(t, "jpeg", format)
		assert.Less(t, len(b), 40<<10, "%s stays small", name)
	}
}

var (
	paper   = color.RGBA{0xdc, 0xe8, 0xdc, 0xff}
	ink     = color.RGBA{0x55, 0x60, 0x58, 0xff}
	line    = color.RGBA{0x9a, 0xb0, 0x9e, 0xff}
	sealRed = color.RGBA{0xd0, 0x30, 0x30, 0xff}
)

func canvas() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 480, 320))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{0x30, 0x30, 0x30, 0xff}}, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(16, 16, 464, 304), &image.Uniform{paper}, image.Point{}, draw.Src)
	return img
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src)
}

// drawFront: the main page, with its title band, field rows and the red seal
// of the issuing authority.
func drawFront(blurred bool) image.Image {
	img := canvas()
	fill(img, image.Rect(150, 30, 330, 46), ink) // title
	for i := 0; i < 7; i++ {
		y := 70 + i*30
		fill(img, image.Rect(36, y, 96, y+10), ink)                   // label
		fill(img, image.Rect(110, y, 110+120+(i*37)%150, y+10), line) // value
		fill(img, image.Rect(36, y+18, 444, y+19), line)
	}
	ring(img, 370, 230, 48, 5, sealRed)
	star(img, 370, 230, 14, sealRed)
	if blurred {
		return blur(img, 6)
	}
	return img
}

// drawBack: the second page, a grid of fields and the inspection record.
func drawBack() image.Image {
	img := canvas()
	for i := 0; i <= 6; i++ {
		y := 40 + i*36
		fill(img, image.Rect(32, y, 448, y+2), ink)
	}
	for _, x := range []int{32, 150, 240, 358, 446} {
		fill(img, image.Rect(x, 40, x+2, 256), ink)
	}
	for i := 0; i < 6; i++ {
		y := 52 + i*36
		fill(img, image.Rect(44, y, 120, y+10), line)
		fill(img, image.Rect(252, y, 330, y+10), line)
	}
	for x := 40; x < 440; x += 3 + (x/7)%4 { // the barcode strip
		fill(img, image.Rect(x, 270, x+2, 292), ink)
	}
	return img
}

func ring(img *image.RGBA, cx, cy, r, width int, c color.Color) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			d := math.Hypot(float64(x-cx), float64(y-cy))
			if d <= float64(r) && d >= float64(r-width) {
				img.Set(x, y, c)
			}
		}
	}
}

func star(img *image.RGBA, cx, cy, r int, c color.Color) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			dx, dy := float64(x-cx), float64(y-cy)
			angle := math.Atan2(dy, dx)
			limit := float64(r) * (0.55 + 0.45*math.Cos(5*angle))
			if math.Hypot(dx, dy) <= limit {
				img.Set(x, y, c)
			}
		}
	}
}

// blur is a box blur: the photo a user takes with a shaking hand.
func blur(src *image.RGBA, radius int) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var r, g, bl, n int
			for yy := max(b.Min.Y, y-radius); yy < min(b.Max.Y, y+radius+1); yy++ {
				for xx := max(b.Min.X, x-radius); xx < min(b.Max.X, x+radius+1); xx++ {
					c := src.RGBAAt(xx, yy)
					r, g, bl, n = r+int(c.R), g+int(c.G), bl+int(c.B), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n), uint8(g / n), uint8(bl / n), 0xff})
		}
	}
	return dst
}
