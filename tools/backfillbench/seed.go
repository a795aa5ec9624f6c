package backfillbench

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
)

// Seeding goes through the server's in-process PutObject: a million
// objects over HTTP would take longer than the run they prepare.

// pngImage is a 4×4 PNG whose first pixel encodes seed, so that every image
// has its own bytes and ETag. The stand-in checks that what it fetches is
// an image, so these must be real ones.
func pngImage(seed int) []byte {
	m := image.NewRGBA(image.Rect(0, 0, 4, 4))
	m.Set(0, 0, color.RGBA{uint8(seed), uint8(seed >> 8), uint8(seed >> 16), 255})
	var b bytes.Buffer
	_ = png.Encode(&b, m) // cannot fail writing to a bytes.Buffer
	return b.Bytes()
}

// seedImages stores n images under prefix and returns their keys.
func seedImages(s *ossserver.Server, prefix string, n int) []string {
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprintf("%svehicle-%06d.png", prefix, i)
		s.PutObject(bucket, keys[i], pngImage(i), "image/png", nil)
	}
	return keys
}

// imageEvery is how often an image occurs among the memory scenario's
// keys: 5% of them, each costing the dry run two HEADs, while the other 95%
// are filtered on the key alone, as in a bucket that also holds results,
// documents and other uploads.
const imageEvery = 20

// seedMix stores n keys under prefix, a thousand to a folder, and returns
// how many of them are images. Every imageEvery keys: one image without a
// result, one result document (filtered as the function's own output,
// whose image is elsewhere), and the rest files of other types.
func seedMix(s *ossserver.Server, prefix string, n int) (images int) {
	img := pngImage(0)
	other := []byte("not a licence photo\n")
	exts := []string{".pdf", ".txt", ".csv", ".docx", ".heic", ".mp4"}
	for i := range n {
		dir := fmt.Sprintf("%sbatch-%04d/", prefix, i/1000)
		switch i % imageEvery {
		case 0:
			s.PutObject(bucket, fmt.Sprintf("%scar-%07d.png", dir, i), img, "image/png", nil)
			images++
		case 1:
			s.PutObject(bucket, fmt.Sprintf("%scar-%07d.jpg.json", dir, i), other, "application/json", nil)
		default:
			s.PutObject(bucket, fmt.Sprintf("%sscan-%07d%s", dir, i, exts[i%len(exts)]), other, "", nil)
		}
	}
	return images
}
