package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// defaultAdminAllow is who may use the admin listener when admin.allow is
// empty: this host only.
var defaultAdminAllow = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("::1/128"),
}

// startAdmin serves the operator endpoints on their own net/http listener,
// never on the request path: /healthz, /metrics (Prometheus), /stats (HTML),
// /stats.json and, with admin.pprof, /debug/pprof/. Requests from outside
// admin.allow get 403.
func (e *Engine) startAdmin() error {
	ln, err := net.Listen("tcp", e.cfg.Admin.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on admin.listen %s: %w", e.cfg.Admin.Listen, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !e.Healthy() { // starting, stopping, clock stalled or a UDP worker gone
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("unhealthy\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(e.newRegistry(), promhttp.HandlerOpts{
		ErrorLog:      promLogger{e.log},
		ErrorHandling: promhttp.ContinueOnError,
	}))
	mux.HandleFunc("GET /stats", e.serveStats)
	mux.HandleFunc("GET /stats.json", e.serveStatsJSON)
	if e.cfg.Admin.PProf {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	allow := e.cfg.Admin.Allow
	if len(allow) == 0 {
		allow = defaultAdminAllow
	}
	e.rates.init(e)
	e.bg.Add(1)
	go func() { defer e.bg.Done(); e.rates.run(e.done) }()

	e.adminLn = ln
	e.admin = &http.Server{
		Handler:           allowOnly(allow, mux),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := e.admin.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("admin listener stopped", "err", err)
		}
	}()
	return nil
}

// allowOnly serves h to clients in allow and 403 to the others.
func allowOnly(allow []netip.Prefix, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !adminAllowed(allow, r.RemoteAddr) {
			http.Error(w, "forbidden: not in admin.allow", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// adminAllowed reports whether remote, an "ip:port" as in
// http.Request.RemoteAddr, is in one of the prefixes. An IPv4 client of a
// dual-stack socket (::ffff:a.b.c.d) is matched as IPv4; anything that does
// not parse is refused.
func adminAllowed(allow []netip.Prefix, remote string) bool {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap().WithZone("")
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// promLogger passes the Prometheus handler's errors to the engine's log.
type promLogger struct{ log *slog.Logger }

func (l promLogger) Println(v ...any) { l.log.Warn("metrics: " + fmt.Sprint(v...)) }
