package handler

import (
	"fmt"
	"strings"
)

// Outcome is what happened to one record (DESIGN.md, "Outcomes").
type Outcome string

// Outcomes. Succeeded, Rejected and Skipped end the record; Transient and
// Misconfigured fail the invocation so that FC retries it.
const (
	Succeeded     Outcome = "succeeded"
	Rejected      Outcome = "rejected"
	Transient     Outcome = "transient"
	Misconfigured Outcome = "misconfigured"
	Skipped       Outcome = "skipped"
)

// RecordResult is one record's line in the summary.
type RecordResult struct {
	Bucket  string  `json:"bucket"`
	Key     string  `json:"key"`
	Outcome Outcome `json:"outcome"`
	// Reason says why a record was skipped or failed.
	Reason string `json:"reason,omitempty"`
	// ResultKey is the document written, for succeeded and rejected.
	ResultKey string `json:"resultKey,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
}

// Summary is what an invocation returns.
type Summary struct {
	RequestID string          `json:"requestId,omitempty"`
	Counts    map[Outcome]int `json:"counts"`
	Records   []RecordResult  `json:"records"`
}

func newSummary(requestID string, results []RecordResult) Summary {
	s := Summary{RequestID: requestID, Counts: map[Outcome]int{}, Records: results}
	for _, o := range []Outcome{Succeeded, Rejected, Skipped, Transient, Misconfigured} {
		s.Counts[o] = 0
	}
	for _, r := range results {
		s.Counts[r.Outcome]++
	}
	return s
}

// InvocationError fails an invocation in which some records must be tried
// again; its message names each such key and why.
type InvocationError struct {
	Summary Summary
}

func (e *InvocationError) Error() string {
	var failed []string
	for _, r := range e.Summary.Records {
		if r.Outcome == Transient || r.Outcome == Misconfigured {
			failed = append(failed, fmt.Sprintf("%s/%s: %s: %s", r.Bucket, r.Key, r.Outcome, r.Reason))
		}
	}
	return fmt.Sprintf("%d of %d records not done, FC will retry the event: %s",
		len(failed), len(e.Summary.Records), strings.Join(failed, "; "))
}

// needsRetry reports whether any record ended transient or misconfigured.
func (s Summary) needsRetry() bool {
	return s.Counts[Transient]+s.Counts[Misconfigured] > 0
}
