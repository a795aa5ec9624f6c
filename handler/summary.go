package handler

import (
	"fmt"
	"strings"

	"github.com/vlicense/fc-vehicle-license/internal/outcome"
	"github.com/vlicense/fc-vehicle-license/internal/vehicle"
)

// RecordResult is one record's line in the summary.
type RecordResult struct {
	Bucket  string          `json:"bucket"`
	Key     string          `json:"key"`
	Outcome outcome.Outcome `json:"outcome"`
	// Reason says why a record was skipped or failed.
	Reason string `json:"reason,omitempty"`
	// ResultKey is the document written, for succeeded and rejected.
	ResultKey string `json:"resultKey,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
	// ReviewStatus is the review of a succeeded result: accepted, or
	// needs_review when a person should look at it.
	ReviewStatus string `json:"reviewStatus,omitempty"`
}

// Summary is what an invocation returns.
type Summary struct {
	RequestID string                  `json:"requestId,omitempty"`
	Counts    map[outcome.Outcome]int `json:"counts"`
	// ReviewCounts counts the succeeded records by review status.
	ReviewCounts map[string]int `json:"reviewCounts"`
	Records      []RecordResult `json:"records"`
}

func newSummary(requestID string, results []RecordResult) Summary {
	s := Summary{
		RequestID:    requestID,
		Counts:       make(map[outcome.Outcome]int, len(outcome.All)),
		ReviewCounts: map[string]int{vehicle.Accepted: 0, vehicle.NeedsReview: 0},
		Records:      results,
	}
	for _, o := range outcome.All {
		s.Counts[o] = 0
	}
	for _, r := range results {
		s.Counts[r.Outcome]++
		if r.ReviewStatus != "" {
			s.ReviewCounts[r.ReviewStatus]++
		}
	}
	return s
}

// InvocationError fails an invocation in which some records must be tried
// again; its message names each such key and why.
type InvocationError struct {
	Summary Summary
}

func (e *InvocationError) Error() string {
	return e.Summary.NotDone() + ", FC will retry the event"
}

// NotDone says which records must be tried again and why, or "".
func (s Summary) NotDone() string {
	var failed []string
	for _, r := range s.Records {
		if r.Outcome.Retried() {
			failed = append(failed, fmt.Sprintf("%s/%s: %s: %s", r.Bucket, r.Key, r.Outcome, r.Reason))
		}
	}
	if len(failed) == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d records not done: %s", len(failed), len(s.Records), strings.Join(failed, "; "))
}

// needsRetry reports whether any record ended transient or misconfigured.
func (s Summary) needsRetry() bool {
	return s.Counts[outcome.Transient]+s.Counts[outcome.Misconfigured] > 0
}
