// Package proxy decodes the PROXY protocol header (versions 1 and 2) that a
// load balancer such as HAProxy puts in front of a TCP stream to pass on
// the client's address.
//
// Spec: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt
//
// Memory: Header.Parse fills a caller-owned Header, never allocates and
// keeps no reference to its input.
//
// Concurrency: no package state; a Header belongs to one goroutine.
package proxy
