package bench

import (
	"fmt"
	"strings"
)

// Targets the report checks trackerd against (the product's goals, not
// tests: they are reported, never enforced).
const (
	targetUDPvsOpentracker = 2.0  // trackerd ÷ opentracker, UDP
	targetUDPvsCeiling     = 0.85 // trackerd ÷ the UDP ceiling
	targetBytesPerPeer     = 40   // RSS per IPv4 peer, at 10M peers
	targetWSvsBTTracker    = 15   // trackerd ÷ bittorrent-tracker, WebSocket with offers relayed
	generatorBound         = 90   // generator CPU %, above which a rate is a lower bound
)

// formatReport renders the whole report: environment, load table, memory
// table, targets and notes.
func formatReport(env runEnv, cfg *RunConfig, rows []LoadRow, mem []MemoryRow, out string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## trackerbench run, %s\n\n", env.Date)
	fmt.Fprintf(&b, "- trackerd: %s, commit %s\n", env.Trackerd, env.Commit)
	fmt.Fprintf(&b, "- machine: %s × %d, %s, Linux %s, %s, load average at start %s\n", env.CPU, env.CPUs, env.Memory, env.Kernel, env.OS, env.LoadAvg)
	fmt.Fprintf(&b, "- peers: opentracker %s (Debian), bittorrent-tracker %s on node %s; %s\n", env.Opentracker, env.BTTracker, env.Node, env.Go)
	pin := fmt.Sprintf("server on CPU %d, generator on CPU %d", cfg.TrackerCPU, cfg.LoadCPU)
	if cfg.TrackerCPU < 0 {
		pin = "unpinned"
	}
	fmt.Fprintf(&b, "- %d rounds, each run %s warm-up + %s measured; %s; workload 1M torrents, 2M peers (aquatic)\n\n",
		cfg.Rounds, cfg.Warmup, cfg.Duration, pin)
	if len(rows) > 0 {
		b.WriteString(FormatLoadTable(rows))
		b.WriteString("\n")
	}
	if len(mem) > 0 {
		torrents := cfg.FillTorrents
		if torrents <= 0 {
			torrents = cfg.FillPeers / 10
		}
		fmt.Fprintf(&b, "Memory: %s distinct IPv4 peers announced over UDP to %s torrents chosen at random; RSS (VmRSS) after start-up and a second after the fill.\n\n",
			humanCount(cfg.FillPeers), humanCount(min(torrents, DefaultTorrents)))
		b.WriteString(FormatMemoryTable(mem))
		b.WriteString("\n")
	}
	if t := formatTargets(rows, mem, cfg); t != "" {
		b.WriteString(t)
		b.WriteString("\n")
	}
	if n := generatorNotes(rows); n != "" {
		b.WriteString(n)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Raw results: %s/runs.jsonl; logs: %s/logs.\n", out, out)
	return b.String()
}

// formatTargets lists the targets that this run can speak to.
func formatTargets(rows []LoadRow, mem []MemoryRow, cfg *RunConfig) string {
	var lines []string
	// row returns the measured row of proto that pick accepts, or nil.
	row := func(proto string, pick func(*LoadRow) bool) *LoadRow {
		for i := range rows {
			if r := &rows[i]; r.Protocol == proto && len(r.Results) > 0 && pick(r) {
				return r
			}
		}
		return nil
	}
	check := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	ratio := func(proto, label string, target float64, pick func(*LoadRow) bool) {
		primary := row(proto, func(r *LoadRow) bool { return r.Primary })
		other := row(proto, pick)
		if primary == nil || other == nil || other.MedianRate() == 0 {
			return
		}
		x := primary.MedianRate() / other.MedianRate()
		line := fmt.Sprintf("- %s, trackerd ≥ %.2f× %s: %.2f× (%s)", proto, target, label, x, check(x >= target))
		if pc, oc := primary.MedianPerCPU(), other.MedianPerCPU(); pc > 0 && oc > 0 {
			line += fmt.Sprintf("; per CPU-second %.2f×", pc/oc)
		}
		lines = append(lines, line)
	}
	ratio(ProtoUDP, "opentracker", targetUDPvsOpentracker, func(r *LoadRow) bool { return r.Server == "opentracker" })
	ratio(ProtoUDP, "the ceiling", targetUDPvsCeiling, func(r *LoadRow) bool { return r.Role == RoleCeiling })
	for _, proto := range []string{ProtoWS, ProtoWSCrowd} {
		ratio(proto, "bittorrent-tracker", targetWSvsBTTracker, func(r *LoadRow) bool { return r.Server == "bittorrent-tracker" })
	}
	for _, m := range mem {
		if !strings.HasPrefix(m.Server, "trackerd") || m.Fill == nil || m.Fill.Announced == 0 {
			continue
		}
		per := float64(m.RSSAfter-m.RSSBefore) / float64(m.Fill.Announced)
		at := humanCount(m.Fill.Announced)
		if cfg.FillPeers >= 10_000_000 {
			lines = append(lines, fmt.Sprintf("- RSS per IPv4 peer ≤ %d bytes at 10M peers: %.1f (%s)", targetBytesPerPeer, per, check(per <= targetBytesPerPeer)))
		} else {
			lines = append(lines, fmt.Sprintf("- RSS per IPv4 peer ≤ %d bytes at 10M peers: %.1f at %s (the target's figure needs -fill-peers 10000000)", targetBytesPerPeer, per, at))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "Targets:\n\n" + strings.Join(lines, "\n") + "\n- 0 allocations per request: see the allocs/op of the micro-benchmarks (engine, swarm, codec)\n"
}

// generatorNotes names the rows whose generator was near 100% CPU: their
// rates say what the generator could send, a lower bound of the server's.
func generatorNotes(rows []LoadRow) string {
	var names []string
	for i := range rows {
		_, _, gen, _, _ := rows[i].stats()
		if len(gen) > 0 && median(gen) >= generatorBound {
			names = append(names, rows[i].Protocol+" "+rows[i].Server)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("Generator-bound (generator CPU ≥ %d%%; the tracker may have more in hand, see its CPU and responses per CPU-s): %s.\n",
		generatorBound, strings.Join(names, "; "))
}
