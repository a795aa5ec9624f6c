// Package outcome names what happened to one image: the recognition client
// classifies the vendor's answers with it, the handler reports records with
// it, result documents and summaries carry it.
package outcome

// Outcome is what happened to one image.
type Outcome string

const (
	// Succeeded: the vendor recognised the image (HTTP 200, body status
	// 200). A result document is written.
	Succeeded Outcome = "succeeded"
	// Rejected: the vendor refused this very image (its own business
	// error, or 413). A retry cannot help; a failed document is written.
	Rejected Outcome = "rejected"
	// Transient: something that may pass (5xx, throttling, timeouts,
	// connection errors, an undocumented body). The invocation fails so
	// that FC retries it.
	Transient Outcome = "transient"
	// Misconfigured: the call itself is wrong (credentials, subscription,
	// endpoint, the role). The invocation fails naming the setting.
	Misconfigured Outcome = "misconfigured"
	// Skipped: nothing to do (filtered, already done, gone).
	Skipped Outcome = "skipped"
	// Planned: a dry run would have recognised (and paid for) the image.
	Planned Outcome = "planned"
)

// All are the outcomes a record of an invocation can have, in the order
// summaries list them.
var All = []Outcome{Succeeded, Rejected, Skipped, Transient, Misconfigured}

// Final reports whether a result document with this outcome ends the story
// of its image version: a later delivery of the same ETag skips it. An empty
// outcome is final too: documents written before the outcome was recorded
// were only ever succeeded or rejected.
func (o Outcome) Final() bool {
	return o == "" || o == Succeeded || o == Rejected
}

// Retried reports whether the outcome fails the invocation so that FC, or
// the operator's next run, tries the image again.
func (o Outcome) Retried() bool {
	return o == Transient || o == Misconfigured
}
