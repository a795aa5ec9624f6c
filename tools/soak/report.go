package soak

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Invariant is one promise checked at the end of a run.
type Invariant struct {
	Name string
	// Violations describe each case that breaks it; none means it held.
	Violations []Violation
	// Note says what was measured.
	Note string
}

// Violation is one case that breaks an invariant.
type Violation struct {
	Detail string
	// Cause, when set, names the known defect the case is attributed to
	// (one of the Cause* constants); empty means nothing known explains it.
	Cause string
}

// Known defects a violation can be attributed to.
const (
	// CauseHeadFetchRace: the handler reads the image's ETag (HEAD), then
	// signs a URL for the key, not for that version; if the image is
	// replaced in between, the vendor recognises the new content and the
	// document names the old ETag. The new version's own event then finds
	// no document for its ETag and pays for it again.
	CauseHeadFetchRace = "handler: HEAD/fetch race (the document names the ETag read before the vendor fetched newer content)"
	// CauseReplacedDuringRecognition: the image was uploaded again while
	// the vendor recognised it; the function wrote nothing for the old
	// ETag (it cannot tell which content the vendor fetched), and the new
	// upload's own event paid again. Like duplicates delivered at the same
	// moment, this is the documented allowance of the billing promise
	// (docs/outcomes.md): without bucket versioning a signed URL cannot
	// pin a version.
	CauseReplacedDuringRecognition = "re-uploaded during recognition: nothing written for the old ETag, the new upload's event paid again (allowed)"
	// CauseWriteLost: every PUT of a result failed (faults injected), so
	// FC's retry recognised the image again.
	CauseWriteLost = "result PUT failed on every write attempt, so FC's retry paid again"
)

func violations(details ...string) []Violation {
	out := make([]Violation, len(details))
	for i, d := range details {
		out[i] = Violation{Detail: d}
	}
	return out
}

// OK reports whether the invariant held.
func (i Invariant) OK() bool { return len(i.Violations) == 0 }

// Report is the outcome of a run: what was done, what was injected, and
// whether the function kept its promises.
type Report struct {
	Images  int
	Seed    int64
	Options Options
	Elapsed time.Duration // from Start to the settled cloud

	FunctionName     string
	FunctionMemoryMB int

	// Uploads are image PUTs by the user's SDK client, by how they came
	// (upload, re-upload, re-upload during recognition).
	Uploads      map[string]int
	UploadsTotal int
	Versions     int // distinct (key, ETag)

	Triggered        int // upload events queued by the OSS trigger
	Duplicates       int // events delivered again
	DuplicatesAtOnce int // of which queued right behind the original
	Replays          int // older events delivered after a newer upload of the key

	Events                   int // distinct FC requests
	Invocations              int // attempts handed to the function
	FCRetries                int // attempts with x-fc-retry-count > 0
	FailedInvocations        int
	FailedEvents             int // sent to the failure destination
	TimedOut, Crashed        int
	MaxConcurrentInvocations int

	RecognitionCalls int
	SlowCalls        int // answers held back past OCR_TIMEOUT
	Faults           map[string]int

	Billed               int // HTTP 200 answers
	BilledVersions       int // distinct versions among them, by the bytes the vendor fetched
	SucceededDocVersions int // distinct (key, ETag) named by a succeeded document
	// ReplacedDuringRecognition counts versions paid twice because the image
	// was uploaded again while the vendor recognised it (the allowance).
	ReplacedDuringRecognition int

	DocumentsWritten    int            // result PUTs that stored a document
	DocumentsUnobserved int            // replaced before the soak could read them
	FinalDocuments      map[string]int // status/outcome of the current documents

	Instances []InstanceMemory
	PeakRSS   int64 // max VmHWM of the instances
	RSSBound  int64

	GoroutinesBefore, GoroutinesAfter int
	LeftoverStacks                    string // when goroutines were left

	FunctionLogLines, FunctionErrors, FunctionPanics int

	Invariants []Invariant
}

func (r *Report) add(i Invariant) { r.Invariants = append(r.Invariants, i) }

func (r *Report) addGoroutineInvariant() {
	inv := Invariant{
		Name: "no goroutine left running after the local cloud closed",
		Note: fmt.Sprintf("%d before the run, %d after", r.GoroutinesBefore, r.GoroutinesAfter),
	}
	if r.GoroutinesAfter > r.GoroutinesBefore {
		inv.Violations = violations(fmt.Sprintf("%d goroutines more than before the run (stacks in Report.LeftoverStacks)", r.GoroutinesAfter-r.GoroutinesBefore))
	}
	r.add(inv)
}

func (r *Report) addAsyncErrors(errs []error) {
	inv := Invariant{Name: "the soak's own bookkeeping stayed consistent", Note: "every event names an uploaded version; every upload succeeded"}
	for _, err := range errs {
		inv.Violations = append(inv.Violations, Violation{Detail: err.Error()})
	}
	r.add(inv)
}

// OK reports whether every invariant held.
func (r Report) OK() bool {
	for _, i := range r.Invariants {
		if !i.OK() {
			return false
		}
	}
	return true
}

// Violated returns the invariants that did not hold.
func (r Report) Violated() []Invariant {
	var out []Invariant
	for _, i := range r.Invariants {
		if !i.OK() {
			out = append(out, i)
		}
	}
	return out
}

// Unexplained returns the violations no known defect explains.
func (r Report) Unexplained() []Violation {
	var out []Violation
	for _, i := range r.Invariants {
		for _, v := range i.Violations {
			if v.Cause == "" {
				out = append(out, Violation{Detail: i.Name + ": " + v.Detail})
			}
		}
	}
	return out
}

// Causes counts the violations attributed to each known defect.
func (r Report) Causes() map[string]int {
	out := map[string]int{}
	for _, i := range r.Invariants {
		for _, v := range i.Violations {
			if v.Cause != "" {
				out[v.Cause]++
			}
		}
	}
	return out
}

// maxShown bounds the violations printed per invariant.
const maxShown = 12

// Print writes the report as aligned tables.
func (r Report) Print(w io.Writer) {
	o := r.Options
	row := func(name string, format string, args ...any) {
		fmt.Fprintf(w, "  %-44s %s\n", name, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(w, "\nSoak of %s: %d images, seed %d, %s\n", r.FunctionName, r.Images, r.Seed, r.Elapsed.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  rates: recognition calls transient %.0f%% (slow %.1f%%); keys refused %.0f%%, in outage for one invocation %.1f%%, up to FC's last attempt %.1f%%;\n",
		100*o.OCRFailureRate, 100*o.SlowRate, 100*o.RejectRate, 100*o.OutageRate, 100*o.LastAttemptRate)
	fmt.Fprintf(w, "         result PUTs failed %.0f%%; events duplicated %.0f%%; keys re-uploaded %.0f%% (+%.1f%% during recognition); replays after %.0f%% of newer uploads\n",
		100*o.PutFailureRate, 100*o.DuplicateRate, 100*o.ReuploadRate, 100*o.MidFlightRate, 100*o.ReplayRate)

	fmt.Fprintln(w, "\nworkload")
	row("image uploads", "%d (%s)", r.UploadsTotal, mapString(r.Uploads))
	row("image versions (key, ETag)", "%d", r.Versions)
	row("events from the OSS trigger", "%d", r.Triggered)
	row("duplicate deliveries injected", "%d (%d right behind the original)", r.Duplicates, r.DuplicatesAtOnce)
	row("replays after a newer upload injected", "%d", r.Replays)
	row("FC requests (events delivered)", "%d", r.Events)
	row("invocations (attempts)", "%d, %d failed", r.Invocations, r.FailedInvocations)
	row("FC async retries", "%d", r.FCRetries)
	row("events sent to the failure destination", "%d", r.FailedEvents)
	row("invocations timed out / crashed", "%d / %d", r.TimedOut, r.Crashed)
	row("most invocations at once", "%d", r.MaxConcurrentInvocations)

	fmt.Fprintln(w, "\nfaults injected")
	kinds := make([]string, 0, len(r.Faults))
	for k := range r.Faults {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		row(k, "%d", r.Faults[k])
	}

	fmt.Fprintln(w, "\nrecognition and results")
	row("recognition calls", "%d (%d cut by OCR_TIMEOUT)", r.RecognitionCalls, r.SlowCalls)
	row("billed (HTTP 200)", "%d", r.Billed)
	row("versions recognised (by bytes fetched)", "%d", r.BilledVersions)
	row("versions with a succeeded document", "%d", r.SucceededDocVersions)
	row("result documents written", "%d (%d replaced before read)", r.DocumentsWritten, r.DocumentsUnobserved)
	row("current documents", "%s", mapString(r.FinalDocuments))

	fmt.Fprintln(w, "\nresources")
	for _, im := range r.Instances {
		status := "running"
		if im.ExitStatus != "" {
			status = im.ExitStatus
		}
		row(fmt.Sprintf("instance %s (pid %d)", im.ID, im.PID), "%d invocations, peak RSS %s, last RSS %s, %d samples, %s",
			im.Invocations, mib(im.PeakRSS), mib(im.LastRSS), im.Samples, status)
	}
	row("peak RSS (VmHWM) / bound", "%s / %s", mib(r.PeakRSS), mib(r.RSSBound))
	row("goroutines before / after", "%d / %d", r.GoroutinesBefore, r.GoroutinesAfter)
	row("function log lines / errors / panics", "%d / %d / %d", r.FunctionLogLines, r.FunctionErrors, r.FunctionPanics)

	fmt.Fprintln(w, "\ninvariants")
	for _, inv := range r.Invariants {
		mark := "PASS"
		if !inv.OK() {
			mark = fmt.Sprintf("FAIL (%d)", len(inv.Violations))
		}
		fmt.Fprintf(w, "  %-9s %s\n", mark, inv.Name)
		if inv.Note != "" {
			fmt.Fprintf(w, "            %s\n", inv.Note)
		}
		// Grouped by cause, the unexplained first.
		var causes []string
		byCause := map[string][]string{}
		for _, v := range inv.Violations {
			if _, ok := byCause[v.Cause]; !ok {
				causes = append(causes, v.Cause)
			}
			byCause[v.Cause] = append(byCause[v.Cause], v.Detail)
		}
		sort.Strings(causes)
		for _, c := range causes {
			details := byCause[c]
			if c == "" {
				fmt.Fprintf(w, "            %d not explained by a known defect:\n", len(details))
			} else {
				fmt.Fprintf(w, "            %d caused by %s:\n", len(details), c)
			}
			for i, d := range details {
				if i == maxShown {
					fmt.Fprintf(w, "              … and %d more\n", len(details)-maxShown)
					break
				}
				fmt.Fprintf(w, "              - %s\n", d)
			}
		}
	}
	if r.OK() {
		fmt.Fprintln(w, "\nall invariants held")
		return
	}
	fmt.Fprintf(w, "\n%d of %d invariants violated", len(r.Violated()), len(r.Invariants))
	if n := len(r.Unexplained()); n > 0 {
		fmt.Fprintf(w, "; %d violation(s) no known defect explains", n)
	}
	fmt.Fprintln(w)
	causes := r.Causes()
	keys := make([]string, 0, len(causes))
	for k := range causes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %d attributed to %s\n", causes[k], k)
	}
}

func mapString(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
