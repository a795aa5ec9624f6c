package soak

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ocrserver"
	"github.com/vlicense/fc-vehicle-license/tools/localcloud/ossserver"
	"slices"
)

// resultDoc is what the soak reads of a result document.
type resultDoc struct {
	SchemaVersion int    `json:"schemaVersion"`
	Status        string `json:"status"`
	Outcome       string `json:"outcome"`
	Source        struct {
		Bucket string `json:"bucket"`
		Key    string `json:"key"`
		ETag   string `json:"etag"`
		Size   int64  `json:"size"`
	} `json:"source"`
	CardSide string `json:"cardSide"`
	Attempts int    `json:"attempts"`
	Response *struct {
		Status int             `json:"status"`
		Data   *ocrserver.Data `json:"data"`
	} `json:"response"`
	Error *struct {
		Class   string `json:"class"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// docObservation is one result document as it was written.
type docObservation struct {
	key      string
	etag     string // the source ETag it names
	status   string
	outcome  string
	labelled int // the version with that ETag, 0 if none of the key's
	// describes is the version whose recognition the response carries, 0
	// when it matches none (or the document has no data).
	describes int
	problem   string // an unreadable document
}

// observe reads a document of imageKey; r.mu is held.
func (r *run) observe(imageKey string, obj ossserver.Object) docObservation {
	d := docObservation{key: imageKey}
	var doc resultDoc
	if err := json.Unmarshal(obj.Body, &doc); err != nil {
		d.problem = "not JSON: " + err.Error()
		return d
	}
	d.etag, d.status, d.outcome = doc.Source.ETag, doc.Status, doc.Outcome
	if v := r.find(imageKey, doc.Source.ETag); v != nil {
		d.labelled = v.n
	}
	if doc.Status == "succeeded" {
		d.describes = r.describes(imageKey, doc)
	}
	return d
}

// describes returns the version of key whose recognition doc carries, 0
// when none; r.mu is held.
func (r *run) describes(key string, doc resultDoc) int {
	if doc.Response == nil || doc.Response.Data == nil {
		return 0
	}
	for _, v := range r.versions[key] {
		if ocrserver.Recognize(v.body, doc.CardSide) == *doc.Response.Data {
			return v.n
		}
	}
	return 0
}

// billedVersion is a version the vendor was paid for.
type billedVersion struct {
	key   string
	n     int
	times int
}

// report counts and checks everything once the cloud has settled. r.mu is
// not held.
func (r *run) report(instances []InstanceMemory) Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.wiring
	cloud := w.cloud
	o := r.opts
	rep := Report{
		Images: o.Images, Seed: o.Seed, Options: o,
		Uploads: map[string]int{}, Faults: map[string]int{}, FinalDocuments: map[string]int{},
		Duplicates: r.duplicates, DuplicatesAtOnce: r.dupsAtOnce, Replays: r.replays,
		DocumentsUnobserved: r.unobserved, Instances: instances,
		FunctionName: cloud.Function.Name, FunctionMemoryMB: cloud.Function.MemoryMB,
	}
	for k, v := range r.uploads {
		rep.Uploads[k] = v
		rep.UploadsTotal += v
	}
	for k, v := range r.faults {
		rep.Faults[k] = v
	}
	for _, vs := range r.versions {
		rep.Versions += len(vs)
		for _, v := range vs {
			if v.ev != nil {
				rep.Triggered++
			}
		}
	}
	rep.FunctionLogLines, rep.FunctionErrors, rep.FunctionPanics = r.logs.counts()

	// Invocations.
	events := map[string]bool{}
	for _, a := range r.attempts {
		events[a.requestID] = true
		rep.Invocations++
		if a.retryCount > 0 {
			rep.FCRetries++
		}
		if a.failed {
			rep.FailedInvocations++
		}
		if a.timedOut {
			rep.TimedOut++
		}
		if a.crashed {
			rep.Crashed++
		}
	}
	rep.Events = len(events)
	rep.FailedEvents = len(r.failedReqs)
	rep.MaxConcurrentInvocations = maxConcurrent(r.attempts)

	// Documents as written.
	rep.DocumentsWritten = len(r.docs) + r.unobserved
	var mislabelled []Violation
	succeededLabels := map[string]bool{}
	for _, d := range r.docs {
		switch {
		case d.problem != "":
			mislabelled = append(mislabelled, Violation{Detail: fmt.Sprintf("%s: %s", d.key, d.problem)})
		case d.labelled == 0:
			mislabelled = append(mislabelled, Violation{Detail: fmt.Sprintf("%s: document names ETag %s, never an ETag of this key", d.key, d.etag)})
		case d.status == "succeeded" && d.describes != d.labelled:
			v := Violation{Detail: fmt.Sprintf("%s: names version %d (ETag %s, %s), holds the recognition of %s",
				d.key, d.labelled, short(d.etag), r.versions[d.key][d.labelled-1].how, describe(r.versions[d.key], d.describes))}
			if d.describes > d.labelled {
				// Newer content than the ETag it names: the image was
				// replaced between the HEAD and the vendor's fetch.
				v.Cause = CauseHeadFetchRace
			}
			mislabelled = append(mislabelled, v)
		}
		if d.status == "succeeded" && d.labelled > 0 {
			succeededLabels[fmt.Sprint(d.key, "\x00", d.etag)] = true
		}
	}
	rep.SucceededDocVersions = len(succeededLabels)
	rep.add(Invariant{
		Name:       "every result document written describes the image version (ETag) it names",
		Violations: mislabelled,
		Note:       fmt.Sprintf("%d documents read as written (%d replaced before they could be read)", len(r.docs), r.unobserved),
	})

	// Current state: one document per image, for its current ETag.
	var current []Violation
	known := map[string]bool{}
	for _, key := range r.keys {
		vs := r.versions[key]
		last := vs[len(vs)-1]
		known[key], known[key+w.resultSuffix] = true, true
		img, ok := cloud.OSS.Object(w.bucket, key)
		if !ok {
			current = append(current, Violation{Detail: key + ": the image is gone"})
			continue
		}
		etag := strings.Trim(img.ETag, `"`)
		if etag != last.etag {
			current = append(current, Violation{Detail: fmt.Sprintf("%s: the image's ETag %s is not the soak's last upload (version %d, %s)", key, short(etag), last.n, short(last.etag))})
		}
		cur := r.find(key, etag)
		obj, ok := cloud.OSS.Object(w.bucket, key+w.resultSuffix)
		if !ok {
			current = append(current, Violation{Detail: key + ": no result document"})
			rep.FinalDocuments["(none)"]++
			continue
		}
		var doc resultDoc
		if err := json.Unmarshal(obj.Body, &doc); err != nil {
			current = append(current, Violation{Detail: fmt.Sprintf("%s: result document is not JSON: %v", key, err)})
			rep.FinalDocuments["(unreadable)"]++
			continue
		}
		rep.FinalDocuments[doc.Status+"/"+doc.Outcome]++
		if p, cause := r.checkCurrent(key, etag, cur, obj, doc); p != "" {
			current = append(current, Violation{Detail: key + ": " + p, Cause: cause})
		}
	}
	for _, k := range cloud.OSS.Keys(w.bucket) {
		if !known[k] {
			current = append(current, Violation{Detail: fmt.Sprintf("%s: an object the soak did not expect", k)})
		}
	}
	rep.add(Invariant{
		Name:       "every image has exactly one current result document (succeeded or failed) for its current ETag",
		Violations: current,
		Note:       fmt.Sprintf("%d images, %d versions", len(r.keys), rep.Versions),
	})

	// Billing: what the vendor was paid for, by the bytes it fetched.
	calls := cloud.OCR.Calls()
	rep.RecognitionCalls = len(calls)
	perVersion := map[string]*billedVersion{}
	var billingIssues []Violation
	for _, c := range calls {
		if c.Reply.Delay() > 0 {
			rep.SlowCalls++
			if c.Status != 0 {
				billingIssues = append(billingIssues, Violation{Detail: fmt.Sprintf("%s: an answer held back past OCR_TIMEOUT was sent anyway (HTTP %d)", c.ImagePath, c.Status)})
			}
		}
		if !c.Billed() {
			continue
		}
		rep.Billed++
		key := strings.TrimPrefix(c.ImagePath, "/"+w.bucket+"/")
		var v *version
		for _, cand := range r.versions[key] {
			if len(cand.body) == c.FetchedBytes {
				v = cand
			}
		}
		if v == nil {
			billingIssues = append(billingIssues, Violation{Detail: fmt.Sprintf("%s: a billed call fetched %d bytes, the size of no version of the key", key, c.FetchedBytes)})
			continue
		}
		id := fmt.Sprint(key, "\x00", v.n)
		if perVersion[id] == nil {
			perVersion[id] = &billedVersion{key: key, n: v.n}
		}
		perVersion[id].times++
	}
	rep.BilledVersions = len(perVersion)
	allowance := 0 // deliveries never overlap in the emulator: see maxConcurrent
	if rep.MaxConcurrentInvocations > 1 {
		billingIssues = append(billingIssues, Violation{Detail: fmt.Sprintf("invocations overlapped (%d at once): the duplicate allowance would not be 0", rep.MaxConcurrentInvocations)})
	}
	var twice []*billedVersion
	for _, b := range perVersion {
		if b.times > 1 {
			twice = append(twice, b)
		}
	}
	sort.Slice(twice, func(i, j int) bool { return twice[i].key < twice[j].key })
	for _, b := range twice {
		why, cause := r.explainTwice(b)
		if cause == CauseReplacedDuringRecognition && b.times == 2 {
			allowance++
			rep.ReplacedDuringRecognition++
			continue
		}
		billingIssues = append(billingIssues, Violation{Detail: fmt.Sprintf("%s version %d (%s) billed %d×: %s",
			b.key, b.n, r.versions[b.key][b.n-1].how, b.times, why), Cause: cause})
	}
	if rep.Billed != rep.BilledVersions+allowance && len(billingIssues) == 0 {
		billingIssues = append(billingIssues, Violation{Detail: fmt.Sprintf("billed %d ≠ %d versions recognised", rep.Billed, rep.BilledVersions)})
	}
	rep.add(Invariant{
		Name:       "billed recognition calls (HTTP 200) = distinct image versions recognised",
		Violations: billingIssues,
		Note: fmt.Sprintf("billed %d, versions recognised %d (by the bytes the vendor fetched), versions with a succeeded document %d (by the ETag it names); allowance %d, all re-uploads during recognition (duplicates never overlapped: at most %d invocation at a time)",
			rep.Billed, rep.BilledVersions, rep.SucceededDocVersions, allowance, rep.MaxConcurrentInvocations),
	})

	// Invocations end before their deadline and the function never panics.
	var health []Violation
	if rep.TimedOut > 0 || rep.Crashed > 0 {
		health = append(health, Violation{Detail: fmt.Sprintf("%d invocations timed out and %d crashed", rep.TimedOut, rep.Crashed)})
	}
	if rep.FunctionPanics > 0 {
		health = append(health, Violation{Detail: fmt.Sprintf("%d log lines of the function mention a panic", rep.FunctionPanics)})
	}
	rep.add(Invariant{
		Name:       "every invocation answered before its deadline, without a crash or a panic",
		Violations: health,
		Note:       fmt.Sprintf("%d invocations, %d FC retries", rep.Invocations, rep.FCRetries),
	})

	// Memory.
	for _, im := range instances {
		rep.PeakRSS = max(rep.PeakRSS, im.PeakRSS)
	}
	rep.RSSBound = o.MaxPeakRSS
	if rep.RSSBound <= 0 {
		rep.RSSBound = int64(cloud.Function.MemoryMB) << 20
	}
	var memory []Violation
	switch {
	case rep.PeakRSS == 0:
		memory = violations("no instance could be sampled")
	case rep.PeakRSS > rep.RSSBound:
		memory = violations(fmt.Sprintf("peak %s exceeds %s", mib(rep.PeakRSS), mib(rep.RSSBound)))
	}
	rep.add(Invariant{
		Name:       "the function's peak memory (VmHWM) stays within its memorySize",
		Violations: memory,
		Note:       fmt.Sprintf("peak %s of %s over %d instance(s)", mib(rep.PeakRSS), mib(rep.RSSBound), len(instances)),
	})
	return rep
}

// checkCurrent checks the current document of key against its image's
// current version cur (nil when the soak does not know that ETag).
func (r *run) checkCurrent(key, etag string, cur *version, obj ossserver.Object, doc resultDoc) (problem, cause string) {
	var p []string
	if m := obj.Meta["source-etag"]; m != etag {
		p = append(p, fmt.Sprintf("x-oss-meta-source-etag %s, the image's ETag is %s", short(m), short(etag)))
	}
	if doc.Source.ETag != etag {
		p = append(p, fmt.Sprintf("source.etag %s, the image's ETag is %s", short(doc.Source.ETag), short(etag)))
	}
	if doc.Source.Key != key || doc.Source.Bucket != r.bucket {
		p = append(p, fmt.Sprintf("source names %s/%s", doc.Source.Bucket, doc.Source.Key))
	}
	if obj.Meta["result-status"] != doc.Status || obj.Meta["outcome"] != doc.Outcome {
		p = append(p, fmt.Sprintf("metadata says %s/%s, the document %s/%s", obj.Meta["result-status"], obj.Meta["outcome"], doc.Status, doc.Outcome))
	}
	rejected := r.rejected(key)
	switch {
	case doc.Status == "succeeded" && doc.Outcome == "succeeded":
		if rejected {
			p = append(p, "succeeded, but the vendor refuses this image")
		}
		if cur != nil && doc.CardSide != cur.side {
			p = append(p, fmt.Sprintf("cardSide %s, the image asks for %s", doc.CardSide, cur.side))
		}
		if got := r.describes(key, doc); cur != nil && got != cur.n {
			p = append(p, fmt.Sprintf("holds the recognition of %s, not of version %d", describe(r.versions[key], got), cur.n))
			if got > cur.n {
				cause = CauseHeadFetchRace
			}
		}
	case doc.Status == "failed" && doc.Outcome == "rejected":
		if !rejected {
			p = append(p, "rejected, but the vendor accepts this image")
		}
	case doc.Status == "failed" && doc.Outcome == "transient":
		// FC's last attempt failed: allowed (docs/outcomes.md, "FC's last attempt").
	default:
		p = append(p, fmt.Sprintf("status %q outcome %q", doc.Status, doc.Outcome))
	}
	if len(p) > 1 {
		cause = "" // more than the race explains
	}
	return strings.Join(p, "; "), cause
}

// explainTwice says why a version may have been paid for more than once;
// r.mu is held.
func (r *run) explainTwice(b *billedVersion) (why string, cause string) {
	var reasons []string
	for _, a := range r.attempts {
		if slices.Contains(a.replaced, b.key) {
			reasons = append(reasons, "the function saw the image replaced during a recognition and wrote nothing for the old ETag; the new upload's event recognised it")
			cause = CauseReplacedDuringRecognition
			break
		}
	}
	for _, d := range r.docs {
		if d.key == b.key && d.status == "succeeded" && d.describes == b.n && d.labelled != b.n {
			v := r.versions[b.key][d.labelled-1]
			reasons = append(reasons, fmt.Sprintf("first recognised under a document naming version %d (%s), then again for its own event", v.n, v.how))
			cause = CauseHeadFetchRace
			break
		}
	}
	resultKey := b.key + r.resultSuffix
	run, longest := 0, 0
	for n := 1; n <= r.puts[resultKey]; n++ {
		if r.dice.below(r.opts.PutFailureRate, "put", resultKey, n) {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if longest >= writeAttempts {
		reasons = append(reasons, fmt.Sprintf("%d result PUTs in a row failed (injected), so FC's retry recognised it again", longest))
		if cause == "" {
			cause = CauseWriteLost
		}
	}
	if len(reasons) == 0 {
		return "no injected fault explains it", ""
	}
	if b.times > 2 {
		cause = "" // one extra payment per cause at most
	}
	return strings.Join(reasons, "; "), cause
}

// writeAttempts is how many times the handler PUTs a result before giving
// up (handler.Options.WriteAttempts' default).
const writeAttempts = 3

// maxConcurrent is the most invocations in progress at one time.
func maxConcurrent(attempts []attemptRecord) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, a := range attempts {
		if a.started.IsZero() {
			continue
		}
		edges = append(edges, edge{a.started, 1}, edge{a.started.Add(a.duration), -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if !edges[i].at.Equal(edges[j].at) {
			return edges[i].at.Before(edges[j].at)
		}
		return edges[i].delta < edges[j].delta // an end before a start at the same instant
	})
	cur, most := 0, 0
	for _, e := range edges {
		cur += e.delta
		most = max(most, cur)
	}
	return most
}

func describe(vs []*version, n int) string {
	if n == 0 {
		return "no version of the key"
	}
	v := vs[n-1]
	return fmt.Sprintf("version %d (ETag %s, %s)", v.n, short(v.etag), v.how)
}

func short(etag string) string {
	if len(etag) > 8 {
		return etag[:8]
	}
	return etag
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
