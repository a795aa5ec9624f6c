package handler_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
)

// On a versioned bucket the signed URL names the version read: a re-upload
// while the vendor works neither spoils the document nor costs a second
// call for the same version.
func TestVersionedBucketPinsTheRecognisedVersion(t *testing.T) {
	w := worldWithMeanwhile(t, ocrserver.Success(), func(w *world) {
		w.upload("uploads/car-001.jpg", jpegImage(2), nil) // the user uploads again mid-recognition
	})
	w.oss.EnableVersioning(bucket)
	first := jpegImage(1)
	firstETag := w.upload("uploads/car-001.jpg", first, nil)
	firstObj, ok := w.oss.Object(bucket, "uploads/car-001.jpg")
	require.True(t, ok)
	require.NotEmpty(t, firstObj.VersionID)
	firstVersion := firstObj.VersionID

	summary, err := w.run("put-object.json")

	require.NoError(t, err)
	require.Equal(t, 1, summary.Counts[outcome.Succeeded], "%+v", summary.Records)
	calls := w.callsFor("uploads/car-001.jpg")
	require.Len(t, calls, 1)
	assert.Contains(t, calls[0].ImgURL, "versionId=", "the URL is pinned to a version")
	assert.Equal(t, len(first), calls[0].FetchedBytes, "the vendor fetched the version that was read, not the newer one")
	doc, _ := w.document("uploads/car-001.jpg")
	assert.Equal(t, firstETag, doc.Source.ETag)
	assert.Equal(t, firstVersion, doc.Source.VersionID)
	assert.Equal(t, ocrserver.Recognize(first, "FRONT").FrontInfo.PlateNo, decodeResponse(t, doc).Data.FrontInfo["plateNo"], "the document holds what it names")

	// The new version's own event recognises it, once.
	summary, err = w.run("put-object.json")
	require.NoError(t, err)
	assert.Equal(t, 1, summary.Counts[outcome.Succeeded])
	doc, _ = w.document("uploads/car-001.jpg")
	assert.NotEqual(t, firstETag, doc.Source.ETag)
	assert.NotEqual(t, firstVersion, doc.Source.VersionID)
	assert.Equal(t, 2, w.ocr.Billed(), "one billed call per version")

	var heads int
	for _, r := range w.oss.Requests() {
		if r.Listener == "internal" && r.Method == "HEAD" && r.Key == "uploads/car-001.jpg" {
			heads++
		}
	}
	assert.Equal(t, 2, heads, "one HEAD of the image per invocation: a pinned URL needs no re-check")
}
