package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Roles of the servers in a table.
const (
	RoleTrackerd = "trackerd"
	RolePeer     = "peer"    // another tracker
	RoleCeiling  = "ceiling" // a do-nothing server
)

// LoadRow is one line of the load table: one server under one protocol,
// over every round. It is a plain value.
type LoadRow struct {
	Protocol string    // "udp", "http", "http-close", "ws"
	Server   string    // display name, e.g. "trackerd (mmsg)"
	Role     string    // RoleTrackerd, RolePeer or RoleCeiling
	Primary  bool      // the trackerd row the protocol's ratios divide
	Note     string    // why there are no results (not served), or a remark
	Results  []*Result // one per round that ran
	Failures []string  // why rounds failed
}

// MemoryRow is one line of the memory table. It is a plain value.
type MemoryRow struct {
	Server    string
	Fill      *FillResult // nil when the fill did not run
	RSSBefore int64       // bytes, after start-up
	RSSAfter  int64       // bytes, after the fill
	Note      string
}

// median returns the median of xs (the mean of the middle two for an even
// count), or NaN-free 0 for none. xs is sorted in place.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// stats returns per-round figures of r: responses/s, server and generator
// CPU, first and last per-second rates.
func (r *LoadRow) stats() (rate, serv, gen, first, last []float64) {
	rate, serv, gen, first, last, _ = r.allStats()
	return
}

// allStats is stats and the run-queue wait of the rounds.
func (r *LoadRow) allStats() (rate, serv, gen, first, last, other []float64) {
	for _, x := range r.Results {
		if x.Wait >= 0 {
			other = append(other, x.Wait)
		}
		rate = append(rate, x.ResponsesPerSec)
		if x.ServerCPU >= 0 {
			serv = append(serv, x.ServerCPU)
		}
		gen = append(gen, x.GeneratorCPU)
		if len(x.Samples) > 0 {
			first = append(first, x.Samples[0].ResponsesPerSec)
			last = append(last, x.Samples[len(x.Samples)-1].ResponsesPerSec)
		}
	}
	return
}

// MedianRate returns the row's median responses/s over its rounds, 0 if
// none ran.
func (r *LoadRow) MedianRate() float64 {
	rate, _, _, _, _ := r.stats()
	return median(rate)
}

// MedianPerCPU returns the median over the rounds of responses per second
// of server CPU time, 0 if unknown.
func (r *LoadRow) MedianPerCPU() float64 {
	var xs []float64
	for _, x := range r.Results {
		if x.ServerCPU > 0 {
			xs = append(xs, x.ResponsesPerSec/(x.ServerCPU/100))
		}
	}
	return median(xs)
}

// FormatLoadTable renders rows as a Markdown table, in the given order.
// Columns: protocol, server, median responses/s over the rounds, min–max,
// the median first and last second (a tracker that slows down as its state
// grows shows here), the mean peers per announce reply (bigger replies cost
// the generator more), the tracker's CPU use (median, % of one CPU), replies
// per tracker CPU-second, the generator's CPU use, the run-queue wait of
// the server and the generator (the largest of the rounds: noise), failures
// summed over the rounds, and the protocol's primary trackerd median divided
// by the row's, for responses/s and for responses per CPU-second (the
// latter holds up better on a busy machine).
func FormatLoadTable(rows []LoadRow) string {
	var b strings.Builder
	b.WriteString("| protocol | server | responses/s (median) | min – max | 1st s → last s | peers per announce | tracker CPU | responses per tracker CPU-s | generator CPU | run-queue wait | failures | trackerd ÷ this | ÷ per CPU-s |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|\n")
	primary, primaryPerCPU := map[string]float64{}, map[string]float64{}
	for i := range rows {
		if rows[i].Primary {
			primary[rows[i].Protocol] = rows[i].MedianRate()
			primaryPerCPU[rows[i].Protocol] = rows[i].MedianPerCPU()
		}
	}
	for i := range rows {
		r := &rows[i]
		if len(r.Results) == 0 {
			note := r.Note
			if len(r.Failures) > 0 {
				note = strings.TrimSpace(note + " failed: " + r.Failures[0])
			}
			fmt.Fprintf(&b, "| %s | %s | — | — | — | — | — | — | — | — | %s | — | — |\n", r.Protocol, r.Server, escapeCell(note))
			continue
		}
		rate, serv, gen, first, last, other := r.allStats()
		med := median(rate)
		otherCell := "—"
		if len(other) > 0 {
			otherCell = fmt.Sprintf("%.0f%%", slices.Max(other))
		}
		lo, hi := slices.Min(rate), slices.Max(rate)
		servMed := median(serv)
		perCPU := "—"
		if pc := r.MedianPerCPU(); pc > 0 {
			perCPU = humanRate(pc)
		}
		servCell := "—"
		if len(serv) > 0 {
			servCell = fmt.Sprintf("%.0f%%", servMed)
		}
		firstLast := "—"
		if len(first) > 0 {
			firstLast = humanRate(median(first)) + " → " + humanRate(median(last))
		}
		ratio, ratioCPU := "—", "—"
		if p, ok := primary[r.Protocol]; ok && !r.Primary && med > 0 && p > 0 {
			ratio = fmt.Sprintf("%.2f×", p/med)
		}
		if p, pc := primaryPerCPU[r.Protocol], r.MedianPerCPU(); !r.Primary && p > 0 && pc > 0 {
			ratioCPU = fmt.Sprintf("%.2f×", p/pc)
		}
		peersCell := "—"
		var ppa []float64
		for _, x := range r.Results {
			if x.Totals.Announce > 0 {
				ppa = append(ppa, x.PeersPerAnnounce)
			}
		}
		if len(ppa) > 0 && !isWS(r.Protocol) {
			peersCell = strconv.FormatFloat(median(ppa), 'f', 1, 64)
		}
		fails := failureCell(r)
		if r.Note != "" {
			fails = strings.TrimSpace(fails + "; " + r.Note)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s – %s | %s | %s | %s | %s | %.0f%% | %s | %s | %s | %s |\n",
			r.Protocol, r.Server, humanRate(med), humanRate(lo), humanRate(hi), firstLast, peersCell,
			servCell, perCPU, median(gen), otherCell, escapeCell(fails), ratio, ratioCPU)
	}
	return b.String()
}

// failureCell sums a row's failures over its rounds: "0", or the non-zero
// kinds, and failed rounds.
func failureCell(r *LoadRow) string {
	var t Counts
	for _, x := range r.Results {
		t.Errors += x.Totals.Errors
		t.Invalid += x.Totals.Invalid
		t.Timeouts += x.Totals.Timeouts
		t.Late += x.Totals.Late
		t.SendFail += x.Totals.SendFail
		t.Reconnects += x.Totals.Reconnects
	}
	var parts []string
	for _, f := range []struct {
		name string
		n    uint64
	}{{"errors", t.Errors}, {"invalid", t.Invalid}, {"timeouts", t.Timeouts}, {"late", t.Late}, {"send failures", t.SendFail}, {"reconnects", t.Reconnects}} {
		if f.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", f.name, f.n))
		}
	}
	if len(r.Failures) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d rounds failed", len(r.Failures), len(r.Failures)+len(r.Results)))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}

// FormatMemoryTable renders the memory rows as a Markdown table: peers
// announced, RSS before and after the fill, the difference per peer, and
// the fill's rate.
func FormatMemoryTable(rows []MemoryRow) string {
	var b strings.Builder
	b.WriteString("| server | peers in | torrents | RSS before | RSS after | Δ RSS | bytes per peer | fill rate | note |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range rows {
		if r.Fill == nil {
			fmt.Fprintf(&b, "| %s | — | — | — | — | — | — | — | %s |\n", r.Server, escapeCell(r.Note))
			continue
		}
		f := r.Fill
		delta := r.RSSAfter - r.RSSBefore
		per := "—"
		if f.Announced > 0 {
			per = fmt.Sprintf("%.1f", float64(delta)/float64(f.Announced))
		}
		note := r.Note
		if f.Unsent > 0 {
			note = strings.TrimSpace(fmt.Sprintf("time limit (%.0f s) reached with %s of %s peers in. %s",
				f.Seconds, humanCount(f.Announced), humanCount(f.Peers), note))
		}
		if f.Lost > 0 {
			note = strings.TrimSpace(fmt.Sprintf("%s peers unanswered after 5 tries. %s", humanCount(f.Lost), note))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s/s | %s |\n",
			r.Server, humanCount(f.Announced), humanCount(f.Torrents), humanBytes(r.RSSBefore), humanBytes(r.RSSAfter),
			humanBytes(delta), per, humanRate(f.PerSec), escapeCell(note))
	}
	return b.String()
}

// humanRate formats a rate with three significant digits: 950, 12.3k, 1.23M.
func humanRate(v float64) string {
	// Round to three significant digits first, so that 99,996 is "100k".
	if v >= 1 {
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	}
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', sigDecimals(v/1e6), 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', sigDecimals(v/1e3), 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// sigDecimals returns the decimals that show v (1 <= v < 1000, already
// rounded to three significant digits) with three significant digits.
func sigDecimals(v float64) int {
	switch {
	case v >= 100:
		return 0
	case v >= 10:
		return 1
	}
	return 2
}

// humanCount formats a count: 950, 100k, 1M, 10M, and others with three
// significant digits (594k, 1.23M).
func humanCount(n int) string {
	switch {
	case n >= 1e6 && n%1e6 == 0:
		return strconv.Itoa(n/1e6) + "M"
	case n >= 1e3 && n%1e3 == 0 && n < 1e6:
		return strconv.Itoa(n/1e3) + "k"
	}
	return humanRate(float64(n))
}

// humanBytes formats a byte count in MiB (or KiB below 1 MiB), signed.
func humanBytes(n int64) string {
	v := float64(n)
	if v < 0 {
		return "-" + humanBytes(-n)
	}
	if v < 1<<20 {
		return strconv.FormatFloat(v/(1<<10), 'f', 0, 64) + " KiB"
	}
	return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) + " MiB"
}

// escapeCell keeps text from breaking a Markdown table row.
func escapeCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}
