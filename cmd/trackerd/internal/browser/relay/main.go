//go:build linux

// Command relay is the inside half of the browser harness's bridges. The
// harness starts it as the first process of a private user and network
// namespace; it brings the namespace's loopback interface up and, for each
// argument LISTEN=SOCKET, listens on TCP address LISTEN (a loopback address
// inside the namespace) and forwards every connection to the Unix socket at
// path SOCKET, which the harness serves outside the namespace. Unix socket
// paths are filesystem names, not network names, so they cross the
// namespace boundary while no packet leaves loopback.
//
// Once all listeners are up it prints their addresses, space-separated, as
// one line on stdout (port 0 in LISTEN picks a free port). It runs until
// killed; errors go to stderr.
//
//	relay 127.0.0.1:6969=/tmp/b/tracker.sock 127.0.0.1:0=/tmp/b/page.sock
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

func main() {
	log.SetFlags(log.Lmicroseconds)
	log.SetPrefix("relay: ")
	if err := loopbackUp(); err != nil {
		log.Fatalf("bring lo up: %v", err)
	}
	var addrs []string
	for _, arg := range os.Args[1:] {
		listen, sock, ok := strings.Cut(arg, "=")
		if !ok {
			log.Fatalf("argument %q is not LISTEN=SOCKET", arg)
		}
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			log.Fatal(err)
		}
		addrs = append(addrs, ln.Addr().String())
		go serve(ln, sock)
	}
	fmt.Println(strings.Join(addrs, " "))
	select {}
}

// serve forwards each connection accepted on ln to the Unix socket sock.
func serve(ln net.Listener, sock string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("unix", sock)
			if err != nil {
				log.Print(err)
				return
			}
			defer u.Close()
			pipe(c, u)
		}()
	}
}

// pipe copies a to b and b to a until both directions reach EOF, passing
// each EOF on as a half-close.
func pipe(a, b net.Conn) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(a, b)
		_ = a.(interface{ CloseWrite() error }).CloseWrite()
		close(done)
	}()
	_, _ = io.Copy(b, a)
	_ = b.(interface{ CloseWrite() error }).CloseWrite()
	<-done
}

// loopbackUp sets IFF_UP on "lo", as `ip link set lo up` does; a new network
// namespace starts with lo down, so not even 127.0.0.1 works. It uses the
// SIOCGIFFLAGS/SIOCSIFFLAGS ioctls on a struct ifreq (name[16], then the
// flags as a short), which need no netlink code and no iproute2.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr [40]byte // sizeof(struct ifreq) on 64-bit Linux
	copy(ifr[:], "lo")
	ioctl := func(req uintptr) error {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&ifr))); e != 0 {
			return e
		}
		return nil
	}
	if err := ioctl(syscall.SIOCGIFFLAGS); err != nil {
		return err
	}
	flags := binary.NativeEndian.Uint16(ifr[16:]) | syscall.IFF_UP
	binary.NativeEndian.PutUint16(ifr[16:], flags)
	return ioctl(syscall.SIOCSIFFLAGS)
}
