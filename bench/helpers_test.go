package bench

import (
	"io"
	"math/rand/v2"
	"net"
	"time"
)

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(11, 12)) }

// nopConn is a net.Conn that writes to w and reads nothing.
type nopConn struct{ w io.Writer }

func (c nopConn) Read([]byte) (int, error)         { return 0, io.EOF }
func (c nopConn) Write(b []byte) (int, error)      { return c.w.Write(b) }
func (c nopConn) Close() error                     { return nil }
func (c nopConn) LocalAddr() net.Addr              { return nil }
func (c nopConn) RemoteAddr() net.Addr             { return nil }
func (c nopConn) SetDeadline(time.Time) error      { return nil }
func (c nopConn) SetReadDeadline(time.Time) error  { return nil }
func (c nopConn) SetWriteDeadline(time.Time) error { return nil }
