package backfillbench

import (
	"slices"
	"time"
)

const (
	// maxEdge is the most left out at each end of the calls: at the start,
	// the first listing page, the workers' first connections and the full
	// token bucket; at the end, the last images draining once the listing
	// is done. A tenth of the run at most, so short runs keep a window.
	maxEdge = 5 * time.Second
	// stretch is the length over which the rate's steadiness is shown.
	stretch = 10 * time.Second
)

// RateWindow is the call rate over the window of a run.
type RateWindow struct {
	Calls int           // every call
	Span  time.Duration // first arrival → last arrival
	// From and To bound the window, as offsets from the first arrival:
	// From = min(maxEdge, Span/10), To = Span − From.
	From, To time.Duration
	InWindow int     // calls arriving in [From, To)
	Rate     float64 // InWindow ÷ (To − From), calls per second
	// MinStretch and MaxStretch are the lowest and highest rate over the
	// whole stretches the window holds, from its start; both 0 when it
	// holds fewer than two.
	MinStretch, MaxStretch float64
	Stretches              int
}

// measureRate finds the sustained rate of calls from their arrival times.
func measureRate(arrivals []time.Time) RateWindow {
	w := RateWindow{Calls: len(arrivals)}
	if len(arrivals) < 2 {
		return w
	}
	at := slices.Clone(arrivals)
	slices.SortFunc(at, time.Time.Compare)
	first := at[0]
	w.Span = at[len(at)-1].Sub(first)
	w.From = min(maxEdge, w.Span/10)
	w.To = w.Span - w.From
	length := w.To - w.From
	if length <= 0 {
		return w
	}
	w.Stretches = int(length / stretch)
	counts := make([]int, w.Stretches)
	for _, t := range at {
		off := t.Sub(first)
		if off < w.From || off >= w.To {
			continue
		}
		w.InWindow++
		if i := int((off - w.From) / stretch); i < w.Stretches {
			counts[i]++
		}
	}
	w.Rate = float64(w.InWindow) / length.Seconds()
	if w.Stretches < 2 {
		w.Stretches = 0
		return w
	}
	for i, n := range counts {
		r := float64(n) / stretch.Seconds()
		if i == 0 || r < w.MinStretch {
			w.MinStretch = r
		}
		w.MaxStretch = max(w.MaxStretch, r)
	}
	return w
}
