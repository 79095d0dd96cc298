// Package connid issues and checks BEP 15 connection ids without keeping
// any per-client state.
//
// A connection id is the first 8 bytes of an AES CBC-MAC over two fixed
// blocks: the epoch number (Unix time / EpochSec) and the client's 16-byte
// address. CBC-MAC is a secure MAC for messages of one fixed length, which
// these are. An id is accepted during its own epoch and the next one, so it
// stays valid for at least EpochSec and at most 2×EpochSec seconds
// (PROTOCOL.md: clients reuse ids for minutes).
//
// Memory and concurrency: a Signer is owned by one worker and reused for
// every packet; it does not allocate. Use Clone to give each worker its own
// Signer with the same key.
package connid

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
)

// EpochSec is the length of one connection-id epoch in seconds.
const EpochSec = 120

// Signer makes and checks connection ids. Owned by one goroutine; never share.
type Signer struct {
	block cipher.Block
	// Scratch blocks live in the Signer, not on the stack: slices passed to
	// the cipher.Block interface escape, and this keeps them off the heap.
	in, out [16]byte
	// Cache of E(k, epoch block) for the last two epochs: one AES call per check.
	epoch [2]uint32
	pre   [2][16]byte
	valid [2]bool
}

// New returns a Signer with a fresh random key.
func New() *Signer {
	var key [16]byte
	if _, err := rand.Read(key[:]); err != nil {
		panic("BUG: crypto/rand failed: " + err.Error())
	}
	return NewWithKey(key)
}

// NewWithKey returns a Signer for key. Instances with one key agree on ids,
// which lets several workers (or processes) share clients.
func NewWithKey(key [16]byte) *Signer {
	b, err := aes.NewCipher(key[:])
	if err != nil {
		panic("BUG: aes.NewCipher with a 16-byte key: " + err.Error())
	}
	return &Signer{block: b}
}

// Clone returns a Signer with the same key and its own scratch space.
func (s *Signer) Clone() *Signer {
	return &Signer{block: s.block} // cipher.Block from crypto/aes is safe for concurrent use
}

// Make returns the connection id for addr at time nowUnix.
func (s *Signer) Make(addr *[16]byte, nowUnix uint32) uint64 {
	s.mac(addr, nowUnix/EpochSec)
	return binary.BigEndian.Uint64(s.out[:8])
}

// Check reports whether id was made for addr in the current or the previous
// epoch. The comparison is constant-time.
func (s *Signer) Check(id uint64, addr *[16]byte, nowUnix uint32) bool {
	var want [8]byte
	binary.BigEndian.PutUint64(want[:], id)
	e := nowUnix / EpochSec
	s.mac(addr, e)
	ok := subtle.ConstantTimeCompare(s.out[:8], want[:])
	if e > 0 {
		s.mac(addr, e-1)
		ok |= subtle.ConstantTimeCompare(s.out[:8], want[:])
	}
	return ok == 1
}

// mac leaves E(k, E(k, epoch) XOR addr) in s.out.
func (s *Signer) mac(addr *[16]byte, epoch uint32) {
	pre := s.prefix(epoch)
	for i := range s.in {
		s.in[i] = pre[i] ^ addr[i]
	}
	s.block.Encrypt(s.out[:], s.in[:])
}

// prefix returns E(k, epoch block), cached for the two most recent epochs.
func (s *Signer) prefix(epoch uint32) *[16]byte {
	slot := epoch & 1
	if !s.valid[slot] || s.epoch[slot] != epoch {
		s.in = [16]byte{}
		binary.BigEndian.PutUint32(s.in[:4], epoch)
		s.block.Encrypt(s.pre[slot][:], s.in[:])
		s.epoch[slot], s.valid[slot] = epoch, true
	}
	return &s.pre[slot]
}
