package handler_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
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
		dry = append(dry, w.handler.ProcessObject(ctx, r, handler.BackfillOptions{DryRun: true}).Outcome)
	}
	assert.Equal(t, []outcome.Outcome{outcome.Skipped, outcome.Skipped, outcome.Planned, outcome.Planned, outcome.Skipped}, dry)
	assert.Equal(t, billed, w.ocr.Billed(), "a dry run calls nothing that is billed")
	assert.False(t, w.hasDocument("uploads/old-1.jpg"))

	var real []outcome.Outcome
	for _, r := range refs {
		real = append(real, w.handler.ProcessObject(ctx, r, handler.BackfillOptions{}).Outcome)
	}
	assert.Equal(t, []outcome.Outcome{outcome.Skipped, outcome.Skipped, outcome.Succeeded, outcome.Succeeded, outcome.Skipped}, real)
	doc, _ := w.document("uploads/old-2.png")
	assert.Equal(t, handler.BackfillEventName, doc.Source.EventName)
	assert.Equal(t, "BACK", doc.CardSide)

	for _, r := range refs {
		assert.Equal(t, outcome.Skipped, w.handler.ProcessObject(ctx, r, handler.BackfillOptions{}).Outcome, "a re-run resumes: %s is done", r.Key)
	}
	assert.Equal(t, billed+2, w.ocr.Billed())
}

// --redo re-recognises the final results of one kind, and only those; a
// dry run says how many calls it would bill.
func TestProcessObjectRedoesWhatItIsToldTo(t *testing.T) {
	cases := []struct {
		redo handler.Redo
		want []string // keys recognised again
	}{
		{redo: handler.RedoNone},
		{redo: handler.RedoFailed, want: []string{"uploads/refused.jpg"}},
		{redo: handler.RedoRejected, want: []string{"uploads/refused.jpg"}},
		{redo: handler.RedoNeedsReview, want: []string{"uploads/garbled.jpg"}},
		{redo: handler.RedoAll, want: []string{"uploads/clean.jpg", "uploads/garbled.jpg", "uploads/refused.jpg"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.redo)+" ", func(t *testing.T) {
			w := newWorld(t, worldOptions{decide: func(r ocrserver.Request) ocrserver.Reply {
				switch {
				case strings.Contains(r.ImagePath, "garbled"):
					return ocrserver.Raw(http.StatusOK, "application/json", []byte(manualExample))
				case strings.Contains(r.ImagePath, "refused"):
					return ocrserver.BusinessError(ocrserver.CodeIllegalParam, ocrserver.MsgIllegalParam)
				}
				return ocrserver.Success()
			}})
			w.store.SetCredentials(storeCredentials())
			ctx := context.Background()
			keys := []string{"uploads/clean.jpg", "uploads/garbled.jpg", "uploads/refused.jpg"}
			for i, k := range keys {
				w.upload(k, jpegImage(byte(i+1)), nil)
				require.NotEqual(t, outcome.Skipped, w.handler.ProcessObject(ctx, handler.ObjectRef{Bucket: bucket, Key: k, Size: 1}, handler.BackfillOptions{}).Outcome)
			}
			billed := w.ocr.Billed()
			calls := len(w.ocr.Calls())

			var planned []string
			for _, k := range keys {
				if w.handler.ProcessObject(ctx, handler.ObjectRef{Bucket: bucket, Key: k, Size: 1}, handler.BackfillOptions{DryRun: true, Redo: tc.redo}).Outcome == outcome.Planned {
					planned = append(planned, k)
				}
			}
			assert.ElementsMatch(t, tc.want, planned, "the dry run names what would be billed")
			assert.Equal(t, calls, len(w.ocr.Calls()), "a dry run calls nothing")

			var redone []string
			for _, k := range keys {
				r := w.handler.ProcessObject(ctx, handler.ObjectRef{Bucket: bucket, Key: k, Size: 1}, handler.BackfillOptions{Redo: tc.redo})
				if r.Outcome != outcome.Skipped {
					redone = append(redone, k)
				}
			}
			assert.ElementsMatch(t, tc.want, redone)
			assert.Equal(t, calls+len(tc.want), len(w.ocr.Calls()))
			assert.LessOrEqual(t, w.ocr.Billed()-billed, len(tc.want))
		})
	}
}

// An event of `backfill --on-fc --redo` names the result to replace by its
// ETag: the first delivery recognises again, a duplicate finds the new
// result and pays nothing.
func TestAnEventRedoesTheResultItNames(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.upload("uploads/car-001.jpg", jpegImage(1), nil)
	_, err := w.run("put-object.json")
	require.NoError(t, err)
	_, first := w.document("uploads/car-001.jpg")

	redo := func(resultETag string) handler.Summary {
		var ev handler.Event
		require.NoError(t, json.Unmarshal(readEvent(t, "put-object.json"), &ev))
		ev.Events[0].EventName = handler.BackfillEventName
		ev.Events[0].Redo = &handler.RecordRedo{ResultETag: resultETag}
		s, err := w.handler.Handle(invocation(t, "req-redo", 20*time.Second), ev)
		require.NoError(t, err)
		return s
	}
	calls := len(w.ocr.Calls())
	assert.Equal(t, 1, redo(strings.Trim(first.ETag, `"`)).Counts[outcome.Succeeded], "the named result is replaced")
	assert.Equal(t, calls+1, len(w.ocr.Calls()))
	doc, _ := w.document("uploads/car-001.jpg")
	assert.Equal(t, handler.BackfillEventName, doc.Source.EventName)

	assert.Equal(t, 1, redo(strings.Trim(first.ETag, `"`)).Counts[outcome.Skipped], "a duplicate delivery finds another result: nothing twice")
	assert.Equal(t, calls+1, len(w.ocr.Calls()))
}
