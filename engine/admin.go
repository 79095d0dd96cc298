package engine

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// startAdmin serves the operator endpoints on their own net/http listener,
// never on the request path.
func (e *Engine) startAdmin() error {
	ln, err := net.Listen("tcp", e.cfg.Admin.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on admin.listen %s: %w", e.cfg.Admin.Listen, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	e.adminLn = ln
	e.admin = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := e.admin.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("admin listener stopped", "err", err)
		}
	}()
	return nil
}
