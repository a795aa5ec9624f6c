package handler_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
)

func TestProcessObjectAppliesTheSameRulesAsEvents(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	_, err := w.run("put-object.json") // already recognised
	require.NoError(t, err)
	w.upload("uploads/old-1.jpg", jpegImage(2), nil)
	w.upload("uploads/old-2.png", pngImage(3), map[string]string{"card-side": "BACK"})
	w.upload("uploads/notes.txt", []byte("hello"), nil)
	ctx := context.Background()
	refs := []handler.ObjectRef{
		{Bucket: bucket, Key: "uploads/car-001.jpg", Size: 1, LastModified: time.Now()},
		{Bucket: bucket, Key: "uploads/car-001.jpg.json", Size: 1, LastModified: time.Now()},
		{Bucket: bucket, Key: "uploads/old-1.jpg", Size: 1, LastModified: time.Now()},
		{Bucket: bucket, Key: "uploads/old-2.png", Size: 1, LastModified: time.Now()},
		{Bucket: bucket, Key: "uploads/notes.txt", Size: 5, LastModified: time.Now()},
	}
	w.store.SetCredentials(storeCredentials())
	billed := w.ocr.Billed()

	var dry []outcome.Outcome
	for _, r := range refs {
		dry = append(dry, w.handler.ProcessObject(ctx, r, true).Outcome)
	}
	assert.Equal(t, []outcome.Outcome{outcome.Skipped, outcome.Skipped, outcome.Planned, outcome.Planned, outcome.Skipped}, dry)
	assert.Equal(t, billed, w.ocr.Billed(), "a dry run calls nothing that is billed")
	assert.False(t, w.hasDocument("uploads/old-1.jpg"))

	var real []outcome.Outcome
	for _, r := range refs {
		real = append(real, w.handler.ProcessObject(ctx, r, false).Outcome)
	}
	assert.Equal(t, []outcome.Outcome{outcome.Skipped, outcome.Skipped, outcome.Succeeded, outcome.Succeeded, outcome.Skipped}, real)
	doc, _ := w.document("uploads/old-2.png")
	assert.Equal(t, handler.BackfillEventName, doc.Source.EventName)
	assert.Equal(t, "BACK", doc.CardSide)

	for _, r := range refs {
		assert.Equal(t, outcome.Skipped, w.handler.ProcessObject(ctx, r, false).Outcome, "a re-run resumes: %s is done", r.Key)
	}
	assert.Equal(t, billed+2, w.ocr.Billed())
}
