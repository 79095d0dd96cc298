package engine

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// resolve checks that addr is free for sotype (SOCK_DGRAM or SOCK_STREAM)
// and returns it with its port filled in. It binds a probe socket without
// SO_REUSEPORT: the workers' sockets share the port with each other through
// SO_REUSEPORT, and so would any other process of the same user that set it
// too. The probe turns such a silent sharing into a clear error. (The port
// could be taken between the probe and the workers' binds; then the
// workers' bind fails instead.)
func resolve(addr netip.AddrPort, sotype int) (netip.AddrPort, error) {
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	fd, err := bindSocket(addr, sotype, false, 0)
	if err != nil {
		if errors.Is(err, unix.EADDRINUSE) {
			return addr, fmt.Errorf("%s %s is already in use by another process", protoName(sotype), addr)
		}
		return addr, err
	}
	defer unix.Close(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return addr, fmt.Errorf("cannot read bound address of %s %s: %w", protoName(sotype), addr, err)
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(addr.Addr(), uint16(sa.Port)), nil
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(addr.Addr(), uint16(sa.Port)), nil
	}
	return addr, fmt.Errorf("%s %s: unexpected socket address %T", protoName(sotype), addr, sa)
}

func protoName(sotype int) string {
	if sotype == unix.SOCK_STREAM {
		return "tcp"
	}
	return "udp"
}

// bindSocket returns a blocking socket of sotype bound to addr (not
// listening). IPv6 sockets are IPv6-only, so "0.0.0.0:p" and "[::]:p" can
// be bound side by side. TCP sockets set SO_REUSEADDR so that a restart is
// not refused while old connections linger in TIME_WAIT.
func bindSocket(addr netip.AddrPort, sotype int, reusePort bool, readBuffer int) (int, error) {
	family := unix.AF_INET
	if addr.Addr().Is6() {
		family = unix.AF_INET6
	}
	name := protoName(sotype)
	fd, err := unix.Socket(family, sotype|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("cannot create %s socket for %s: %w", name, addr, err)
	}
	fail := func(what string, err error) (int, error) {
		unix.Close(fd)
		return -1, fmt.Errorf("cannot %s on %s %s: %w", what, name, addr, err)
	}
	if sotype == unix.SOCK_STREAM {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return fail("set SO_REUSEADDR", err)
		}
	}
	if reusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fail("set SO_REUSEPORT", err)
		}
	}
	if readBuffer > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, readBuffer); err != nil {
			return fail("set SO_RCVBUF", err)
		}
	}
	var sa unix.Sockaddr
	if family == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1); err != nil {
			return fail("set IPV6_V6ONLY", err)
		}
		sa6 := &unix.SockaddrInet6{Port: int(addr.Port()), Addr: addr.Addr().As16()}
		if zone := addr.Addr().Zone(); zone != "" { // link-local: fe80::1%eth0
			ifi, err := net.InterfaceByName(zone)
			if err != nil {
				return fail("find interface "+zone, err)
			}
			sa6.ZoneId = uint32(ifi.Index)
		}
		sa = sa6
	} else {
		sa = &unix.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	return fd, nil
}

// resolveAll resolves the listen addresses of one protocol. An address of
// a family the host does not support (IPv6 disabled) is skipped with a
// warning, so the default config still serves IPv4 there.
func (e *Engine) resolveAll(listen []string, sotype int) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for _, s := range listen {
		a, err := resolve(netip.MustParseAddrPort(s), sotype) // Validate checked the syntax
		if errors.Is(err, unix.EAFNOSUPPORT) {
			e.log.Warn("skipping listen address: address family not supported", "proto", protoName(sotype), "addr", s)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// setIncomingCPU sets SO_INCOMING_CPU on a worker's socket. In an
// SO_REUSEPORT group where sockets have it set (Linux 6.1 and later), the
// kernel hands a datagram to the socket whose CPU matches the one
// processing the datagram, and falls back to the flow hash otherwise.
// Unprivileged; see socket(7).
func setIncomingCPU(fd, cpu int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_INCOMING_CPU, cpu)
}
