package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Counts are the outcomes of a load run, or of one second of it. Responses
// are counted by type only once they pass validation. It is a plain value.
type Counts struct {
	Requests uint64 `json:"requests"` // requests sent

	Connect  uint64 `json:"connect"`  // valid UDP connect replies
	Announce uint64 `json:"announce"` // valid announce replies
	Scrape   uint64 `json:"scrape"`   // valid scrape replies
	Offer    uint64 `json:"offer"`    // WebTorrent offers relayed to us (each answered)
	Answer   uint64 `json:"answer"`   // WebTorrent answers relayed back to us

	Errors     uint64 `json:"errors"`     // tracker error replies: UDP action 3, "failure reason"
	Invalid    uint64 `json:"invalid"`    // replies that failed validation
	Timeouts   uint64 `json:"timeouts"`   // requests given up on after the timeout
	Late       uint64 `json:"late"`       // replies to requests already given up on, or unknown
	SendFail   uint64 `json:"send_fail"`  // requests the kernel refused to send
	Reconnects uint64 `json:"reconnects"` // TCP connections reopened after the server closed one

	Peers uint64 `json:"announce_peers"` // peers in the valid announce replies, summed
}

// Responses returns the valid responses of every type.
func (c Counts) Responses() uint64 {
	return c.Connect + c.Announce + c.Scrape + c.Offer + c.Answer
}

// Failures returns everything that went wrong: errors, invalid replies,
// timeouts, late replies and refused sends.
func (c Counts) Failures() uint64 {
	return c.Errors + c.Invalid + c.Timeouts + c.Late + c.SendFail
}

// sub returns c - o, field by field.
func (c Counts) sub(o Counts) Counts {
	return Counts{
		Requests: c.Requests - o.Requests,
		Connect:  c.Connect - o.Connect, Announce: c.Announce - o.Announce,
		Scrape: c.Scrape - o.Scrape, Offer: c.Offer - o.Offer, Answer: c.Answer - o.Answer,
		Errors: c.Errors - o.Errors, Invalid: c.Invalid - o.Invalid,
		Timeouts: c.Timeouts - o.Timeouts, Late: c.Late - o.Late,
		SendFail: c.SendFail - o.SendFail, Reconnects: c.Reconnects - o.Reconnects,
		Peers: c.Peers - o.Peers,
	}
}

// Sample is one second of a run, after the warm-up.
type Sample struct {
	Second          int     `json:"s"` // 1 for the first second after warm-up
	ResponsesPerSec float64 `json:"responses_per_s"`
	Failures        uint64  `json:"failures"`           // errors, invalid, timeouts, late, send failures
	ServerCPU       float64 `json:"server_cpu_pct"`     // -1 without a server PID
	GeneratorCPU    float64 `json:"generator_cpu_pct"`  // this process
	Wait            float64 `json:"run_queue_wait_pct"` // generator and server waiting for a CPU; -1 if unknown
}

// Result is the outcome of one load run: what `trackerbench load` prints as
// one JSON line. It is a plain value.
type Result struct {
	Mode        string            `json:"mode"` // "udp", "http", "http-close", "ws"
	Target      string            `json:"target"`
	Settings    map[string]string `json:"settings"`
	WarmupSec   float64           `json:"warmup_s"`
	DurationSec float64           `json:"duration_s"` // measured time after the warm-up

	Totals          Counts             `json:"totals"` // after the warm-up
	ResponsesPerSec float64            `json:"responses_per_s"`
	PerSecByType    map[string]float64 `json:"per_s_by_type"`
	ServerCPU       float64            `json:"server_cpu_pct"` // -1 without a server PID
	GeneratorCPU    float64            `json:"generator_cpu_pct"`
	// Wait is how long the generator's and the server's threads waited
	// for a CPU (runnable, not running), in percent of the run; -1 if
	// unknown. High values mean other work competed for the CPUs.
	Wait    float64  `json:"run_queue_wait_pct"`
	Samples []Sample `json:"samples"`

	// PeersPerAnnounce is the mean number of peers in an announce reply:
	// bigger replies cost the generator more, which matters when it is the
	// limit (the ceilings send none).
	PeersPerAnnounce float64 `json:"peers_per_announce"`

	// FirstError and FirstInvalid describe the first of each seen, warm-up
	// included, so that a failing run says why.
	FirstError   string `json:"first_error,omitempty"`
	FirstInvalid string `json:"first_invalid,omitempty"`
}

// WriteJSON writes r as one line of JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteSummary writes a short human summary of r.
func (r *Result) WriteSummary(w io.Writer) {
	t := r.Totals
	fmt.Fprintf(w, "%s %s: %.0f responses/s over %s after %s warm-up\n",
		r.Mode, r.Target, r.ResponsesPerSec, time.Duration(r.DurationSec*float64(time.Second)).Round(time.Millisecond),
		time.Duration(r.WarmupSec*float64(time.Second)).Round(time.Millisecond))
	var by []string
	for _, k := range []string{"connect", "announce", "scrape", "offer", "answer"} {
		if v, ok := r.PerSecByType[k]; ok && v > 0 {
			by = append(by, fmt.Sprintf("%s %.0f/s", k, v))
		}
	}
	if len(by) > 0 {
		fmt.Fprintf(w, "  by type: %s\n", strings.Join(by, ", "))
	}
	fmt.Fprintf(w, "  requests %d, errors %d, invalid %d, timeouts %d, late %d, send failures %d, reconnects %d\n",
		t.Requests, t.Errors, t.Invalid, t.Timeouts, t.Late, t.SendFail, t.Reconnects)
	if t.Announce > 0 {
		fmt.Fprintf(w, "  peers per announce reply %.1f\n", r.PeersPerAnnounce)
	}
	if r.ServerCPU >= 0 {
		fmt.Fprintf(w, "  server CPU %.0f%%, ", r.ServerCPU)
	} else {
		fmt.Fprint(w, "  ")
	}
	fmt.Fprintf(w, "generator CPU %.0f%%", r.GeneratorCPU)
	if r.Wait >= 0 {
		fmt.Fprintf(w, ", run-queue wait %.0f%%", r.Wait)
	}
	fmt.Fprintln(w)
	if len(r.Samples) > 0 {
		var s []string
		for _, x := range r.Samples {
			s = append(s, fmt.Sprintf("%.0f", x.ResponsesPerSec))
		}
		fmt.Fprintf(w, "  per second: %s\n", strings.Join(s, " "))
	}
	if r.FirstError != "" {
		fmt.Fprintf(w, "  first error: %s\n", r.FirstError)
	}
	if r.FirstInvalid != "" {
		fmt.Fprintf(w, "  first invalid: %s\n", r.FirstInvalid)
	}
}
