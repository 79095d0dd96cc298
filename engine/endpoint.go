package engine

// endpoint is a client's address as the socket saw it: the address in
// 16-byte form (IPv4 as ::ffff:a.b.c.d, so the two families never collide)
// and the port.
type endpoint struct {
	addr [16]byte
	port uint16
}

var v4InV6Prefix = [12]byte{10: 0xff, 11: 0xff}

func (p *endpoint) is4() bool { return [12]byte(p.addr[:12]) == v4InV6Prefix }

func (p *endpoint) set4(a [4]byte, port uint16) {
	p.addr = [16]byte{10: 0xff, 11: 0xff, 12: a[0], 13: a[1], 14: a[2], 15: a[3]}
	p.port = port
}
