package cli

import (
	"container/heap"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/vlicense/fc-vehicle-license/handler"
	"github.com/vlicense/fc-vehicle-license/internal/config"
	"github.com/vlicense/fc-vehicle-license/internal/objectstore"
	"github.com/vlicense/fc-vehicle-license/internal/vehicle"
)

const reportIntro = `Usage: vlicense report --bucket B [--prefix P] [--format csv|jsonl] [--out FILE] [--only FILTER]

Lists the result documents under a bucket and prefix and writes them as a table for the
people who act on them: CSV (default; UTF-8 with a BOM, so that Excel opens Chinese
correctly), one row per image: key, status, outcome, review status, issue codes, then
every normalised vehicle field; images without a result get a row with status no_result.
JSONL writes one result document per line. A summary goes to stderr.

--only keeps the rows of one kind: needs_review, accepted, succeeded, failed, rejected,
transient, misconfigured or no_result. The listing is streamed, never held: memory stays
flat whatever the number of objects. Credentials and OSS settings come from the
environment as for backfill (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
OSS_REGION, OSS_ENDPOINT, RESULT_SUFFIX, IMAGE_EXTENSIONS); it needs oss:ListObjects on
the bucket and oss:GetObject on the results.`

// noResult is the status of an image that has no result document.
const noResult = "no_result"

var reportFilters = []string{vehicle.NeedsReview, vehicle.Accepted, "succeeded", "failed", "rejected", "transient", "misconfigured", noResult}

func runReport(ctx context.Context, std IO, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	bucket := fs.String("bucket", "", "bucket to list (required)")
	prefix := fs.String("prefix", "", "only keys starting with this prefix")
	format := fs.String("format", "csv", "csv or jsonl")
	out := fs.String("out", "", "write the report to this file (default: stdout)")
	only := fs.String("only", "", "keep only rows of one kind: "+strings.Join(reportFilters, ", "))
	concurrency := fs.Int("concurrency", 8, "result documents read at once (1 to 64)")
	pageSize := fs.Int("page-size", 1000, "keys per listing request (1 to 1000)")
	if ok, code := parseFlags(fs, std, args, reportIntro); !ok {
		return code
	}
	switch {
	case *bucket == "":
		fmt.Fprintln(std.Stderr, "report: --bucket is required")
		return ExitUsage
	case *format != "csv" && *format != "jsonl":
		fmt.Fprintf(std.Stderr, "report: --format must be csv or jsonl, got %q\n", *format)
		return ExitUsage
	case *only != "" && !contains(reportFilters, *only):
		fmt.Fprintf(std.Stderr, "report: --only must be one of %s, got %q\n", strings.Join(reportFilters, ", "), *only)
		return ExitUsage
	case *concurrency < 1 || *concurrency > config.MaxConcurrency:
		fmt.Fprintf(std.Stderr, "report: --concurrency must be from 1 to %d\n", config.MaxConcurrency)
		return ExitUsage
	case *pageSize < 1 || *pageSize > 1000:
		fmt.Fprintln(std.Stderr, "report: --page-size must be from 1 to 1000")
		return ExitUsage
	}
	cfg, store, code := operatorStore(std, "report", *concurrency)
	if store == nil {
		return code
	}
	w := std.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(std.Stderr, "report: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		w = f
	}

	r := &report{store: store, cfg: cfg, bucket: *bucket, prefix: *prefix, only: *only, workers: *concurrency, pageSize: *pageSize,
		statuses: map[string]int{}, outcomes: map[string]int{}, reviews: map[string]int{},
		progress: newProgress(std.Stderr, std.IsTerminal, []string{"succeeded", "rejected", "transient", "misconfigured", noResult})}
	if *format == "csv" {
		r.sink = newCSVSink(w)
	} else {
		r.sink = &jsonlSink{w: w}
	}
	err := r.run(ctx)
	r.progress.finish()
	if ferr := r.sink.flush(); err == nil {
		err = ferr
	}
	fmt.Fprintln(std.Stderr, r.summary())
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(std.Stderr, "report: interrupted: the report is incomplete")
		return ExitInterrupted
	case err != nil:
		fmt.Fprintf(std.Stderr, "report: %v\n", err)
		return ExitFailed
	}
	return ExitOK
}

// report streams a listing into rows, in listing order: result documents
// are read by a bounded pool, and an image becomes a no_result row as soon
// as the listing has passed the key its result would have.
type report struct {
	store    *objectstore.Store
	cfg      config.Config
	bucket   string
	prefix   string
	only     string
	workers  int
	pageSize int
	sink     sink
	progress *progress

	images, results int
	// counts by status (succeeded, failed, no_result), outcome and review
	// status: the three never share a name but succeeded, hence three maps.
	statuses, outcomes, reviews map[string]int
}

// row is one image's line: its result document, or none.
type row struct {
	imageKey string
	doc      *handler.Document
	raw      []byte
	err      error
}

func (r *report) run(ctx context.Context) error {
	// Rows leave in listing order: each is a slot that its reader fills;
	// the slots queue up to the pool's size, which bounds memory.
	slots := make(chan chan row, r.workers)
	written := make(chan error, 1)
	go func() {
		var first error
		for slot := range slots {
			if err := r.write(<-slot); err != nil && first == nil {
				first = err
			}
		}
		written <- first
	}()

	pending := &imageHeap{}
	emitNoResult := func(upTo string) {
		for pending.Len() > 0 && (upTo == "" || (*pending)[0].resultKey < upTo) {
			img := heap.Pop(pending).(pendingImage)
			slot := make(chan row, 1)
			slot <- row{imageKey: img.key}
			slots <- slot
		}
	}
	lister := listing{store: r.store, bucket: r.bucket, prefix: r.prefix, pageSize: r.pageSize, progress: r.progress}
	_, listErr := lister.each(ctx, func(o objectstore.ListedObject) {
		key := o.Key
		emitNoResult(key)
		switch {
		case strings.HasSuffix(key, r.cfg.ResultSuffix) && len(key) > len(r.cfg.ResultSuffix):
			imageKey := strings.TrimSuffix(key, r.cfg.ResultSuffix)
			pending.remove(imageKey)
			r.results++
			slot := make(chan row, 1)
			slots <- slot
			go func() { slot <- r.read(ctx, imageKey, key) }()
		case config.HasImageExtension(key, r.cfg.ImageExtensions):
			r.images++
			heap.Push(pending, pendingImage{key: key, resultKey: key + r.cfg.ResultSuffix})
		}
	})
	if listErr == nil {
		emitNoResult("")
	}
	close(slots)
	if err := <-written; listErr == nil {
		listErr = err
	}
	return listErr
}

// read fetches and decodes one result document.
func (r *report) read(ctx context.Context, imageKey, key string) row {
	raw, err := r.store.Get(ctx, r.bucket, key)
	if err != nil {
		return row{imageKey: imageKey, err: fmt.Errorf("reading %s: %w", key, err)}
	}
	var doc handler.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return row{imageKey: imageKey, err: fmt.Errorf("%s is not a result document: %w", key, err)}
	}
	return row{imageKey: imageKey, doc: &doc, raw: raw}
}

// write counts a row and hands it to the sink unless --only leaves it out.
func (r *report) write(rw row) error {
	if rw.err != nil {
		return rw.err
	}
	kinds := []string{noResult}
	if d := rw.doc; d != nil {
		kinds = []string{d.Status, string(d.Outcome)}
		r.outcomes[string(d.Outcome)]++
		if d.Review != nil {
			kinds = append(kinds, d.Review.Status)
			r.reviews[d.Review.Status]++
		}
	}
	r.statuses[kinds[0]]++
	r.progress.done(kinds[min(1, len(kinds)-1)]) // the outcome, or no_result
	if r.only != "" && !contains(kinds, r.only) {
		return nil
	}
	return r.sink.write(rw)
}

func (r *report) summary() string {
	return fmt.Sprintf("report: %d images, %d results (succeeded %d · failed %d; rejected %d · transient %d · misconfigured %d; accepted %d · needs_review %d), %d images without a result",
		r.images, r.results, r.statuses["succeeded"], r.statuses["failed"], r.outcomes["rejected"], r.outcomes["transient"], r.outcomes["misconfigured"],
		r.reviews[vehicle.Accepted], r.reviews[vehicle.NeedsReview], r.statuses[noResult])
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// pendingImage is an image whose result the listing has not reached yet.
type pendingImage struct{ key, resultKey string }

// imageHeap orders pending images by the key their result would have: the
// listing reaches them in that order. A result found removes its image.
type imageHeap []pendingImage

func (h imageHeap) Len() int           { return len(h) }
func (h imageHeap) Less(i, j int) bool { return h[i].resultKey < h[j].resultKey }
func (h imageHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *imageHeap) Push(x any)        { *h = append(*h, x.(pendingImage)) }
func (h *imageHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// remove drops the image whose result was found.
func (h *imageHeap) remove(key string) {
	for i, p := range *h {
		if p.key == key {
			heap.Remove(h, i)
			return
		}
	}
}

// sink writes rows in one format.
type sink interface {
	write(row) error
	flush() error
}

// jsonlSink writes each result document on a line of its own.
type jsonlSink struct{ w io.Writer }

func (s *jsonlSink) write(rw row) error {
	if rw.doc == nil {
		return nil // no document to write
	}
	line, err := json.Marshal(json.RawMessage(rw.raw))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.w, "%s\n", line)
	return err
}

func (s *jsonlSink) flush() error { return nil }

// csvSink writes the table people open in a spreadsheet.
type csvSink struct {
	w      *csv.Writer
	header bool
}

// utf8BOM makes Excel (notably on a Chinese Windows) read the file as
// UTF-8 instead of the system code page.
const utf8BOM = "\ufeff"

func newCSVSink(w io.Writer) *csvSink {
	return &csvSink{w: csv.NewWriter(w)}
}

// vehicleColumns are the JSON names of vehicle.Vehicle's fields, in order.
var vehicleColumns = func() []string {
	var cols []string
	for f := range reflect.TypeFor[vehicle.Vehicle]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		cols = append(cols, name)
	}
	return cols
}()

func (s *csvSink) writeHeader() error {
	if s.header {
		return nil
	}
	s.header = true
	head := append([]string{"key", "status", "outcome", "reviewStatus", "issues"}, vehicleColumns...)
	head[0] = utf8BOM + head[0]
	return s.w.Write(head)
}

func (s *csvSink) write(rw row) error {
	if err := s.writeHeader(); err != nil {
		return err
	}
	rec := make([]string, 5, 5+len(vehicleColumns))
	rec[0] = rw.imageKey
	d := rw.doc
	if d == nil {
		rec[1] = noResult
		return s.w.Write(append(rec, make([]string, len(vehicleColumns))...))
	}
	rec[1], rec[2] = d.Status, string(d.Outcome)
	if d.Review != nil {
		rec[3] = d.Review.Status
		var codes []string
		for _, is := range d.Review.Issues {
			codes = append(codes, is.Field+":"+is.Code)
		}
		rec[4] = strings.Join(codes, " ")
	}
	var fields map[string]any
	if d.Vehicle != nil {
		b, err := json.Marshal(d.Vehicle)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &fields); err != nil {
			return err
		}
	}
	for _, c := range vehicleColumns {
		rec = append(rec, cell(fields[c]))
	}
	return s.w.Write(rec)
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatInt(int64(x), 10)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// flush ends the table; an empty report still has its header, so that the
// file opens as a table.
func (s *csvSink) flush() error {
	if err := s.writeHeader(); err != nil {
		return err
	}
	s.w.Flush()
	return s.w.Error()
}
