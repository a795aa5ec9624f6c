package localcloud

import (
	"embed"
	"fmt"
)

//go:embed samples/*.jpg
var samples embed.FS

// Sample returns one of the synthetic sample images (front.jpg, back.jpg,
// blurry.jpg), drawn by samples_gen_test.go.
func Sample(name string) ([]byte, error) {
	b, err := samples.ReadFile("samples/" + name)
	if err != nil {
		return nil, fmt.Errorf("no sample image %q", name)
	}
	return b, nil
}
