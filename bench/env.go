package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// runEnv describes where and what a run measured, for the report.
type runEnv struct {
	Date        string
	Commit      string // trackerd source: git commit, "+ uncommitted changes" when dirty
	Trackerd    string // its -version
	CPU         string
	CPUs        int
	Memory      string
	Kernel      string
	OS          string
	Go          string
	Node        string
	Opentracker string
	BTTracker   string // bittorrent-tracker version
	LoadAvg     string // /proc/loadavg at the start: other load makes figures noisy
}

// collectEnv gathers runEnv; whatever cannot be found stays "?".
func collectEnv(cfg *RunConfig) runEnv {
	e := runEnv{
		Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), CPUs: runtime.NumCPU(), Go: runtime.Version(),
		Commit: "?", Trackerd: "?", CPU: "?", Memory: "?", Kernel: "?", OS: "?", Node: "?", Opentracker: "?", BTTracker: "?", LoadAvg: "?",
	}
	if out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
		e.Commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
			e.Commit += " + uncommitted changes"
		}
	}
	if out, err := exec.Command(cfg.Trackerd, "-version").Output(); err == nil {
		e.Trackerd = strings.TrimSpace(string(out))
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				e.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(rest)
				if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
					e.Memory = strconv.FormatFloat(kb/(1<<20), 'f', 1, 64) + " GiB"
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/etc/debian_version"); err == nil {
		e.OS = "Debian " + strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			e.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		e.Node = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "opentracker").Output(); err == nil {
		e.Opentracker = strings.TrimSpace(string(out))
	}
	if b, err := os.ReadFile(filepath.Join(cfg.NodeDir, "node_modules", "bittorrent-tracker", "package.json")); err == nil {
		var pkg struct{ Version string }
		if json.Unmarshal(b, &pkg) == nil {
			e.BTTracker = pkg.Version
		}
	}
	return e
}

// oneLine is the environment for the progress log.
func (e runEnv) oneLine() string {
	return "commit " + e.Commit + ", " + e.CPU + " × " + strconv.Itoa(e.CPUs) + ", load average " + e.LoadAvg
}
