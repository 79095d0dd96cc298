package engine

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// resolveUDP checks that addr is free and returns it with its port filled
// in. It binds a probe socket without SO_REUSEPORT: the workers' sockets
// share the port with each other through SO_REUSEPORT, and so would any
// other process of the same user that set it too. The probe turns such a
// silent sharing into a clear error. (The port could be taken between the
// probe and the workers' binds; then the workers' bind fails instead.)
func resolveUDP(addr netip.AddrPort) (netip.AddrPort, error) {
	fd, err := udpSocket(addr, false, 0)
	if err != nil {
		if errors.Is(err, unix.EADDRINUSE) {
			return addr, fmt.Errorf("udp %s is already in use by another process", addr)
		}
		return addr, err
	}
	defer unix.Close(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return addr, fmt.Errorf("cannot read bound address of udp %s: %w", addr, err)
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(addr.Addr(), uint16(sa.Port)), nil
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(addr.Addr(), uint16(sa.Port)), nil
	}
	return addr, fmt.Errorf("udp %s: unexpected socket address %T", addr, sa)
}

// udpSocket returns a blocking UDP socket bound to addr. IPv6 sockets are
// IPv6-only, so "0.0.0.0:p" and "[::]:p" can be bound side by side.
func udpSocket(addr netip.AddrPort, reusePort bool, readBuffer int) (int, error) {
	family := unix.AF_INET
	if addr.Addr().Is6() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return -1, fmt.Errorf("cannot create udp socket for %s: %w", addr, err)
	}
	fail := func(what string, err error) (int, error) {
		unix.Close(fd)
		return -1, fmt.Errorf("cannot %s on udp %s: %w", what, addr, err)
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
