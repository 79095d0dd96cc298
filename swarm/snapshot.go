package swarm

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// A snapshot is the IP table written to a file when the tracker stops and
// read back when it starts, so that a restart does not empty every swarm:
// clients announce every 30 minutes or so, and until they all have, a
// fresh tracker would hand out nobody.
//
// WebTorrent peers (RTCTable) are not in it: each is bound to a live
// WebSocket connection, which does not survive a restart; browsers announce
// again as soon as they reconnect, a minute or two later.
//
// Format, version 1. Integers are little endian, except ports, which are
// big endian as in a compact peer (BEP 23), so that a peer record is the
// same bytes on disk as in a peer list:
//
//	header   "TRACKERD-SWARM" (14 bytes), version uint16,
//	         created uint32 (Unix seconds, the writer's clock),
//	         peer timeout uint32 (seconds, the writer's)
//	torrent  'T', info hash [20]byte, downloaded uint32, expire uint32,
//	         IPv4 peers uint32, IPv4 leechers uint32,
//	         IPv6 peers uint32, IPv6 leechers uint32,
//	         the IPv4 peers (10 bytes each: address, port, expiry uint32),
//	         then the IPv6 peers (22 bytes each); leechers first
//	...      one record per torrent, in no particular order
//	trailer  'E', torrents uint64, peers uint64,
//	         CRC-32C (Castagnoli) uint32 of every byte before it
//
// Expiry stamps are absolute Unix seconds, so a peer keeps what is left of
// its lifetime across the restart. Peers and torrents that have expired
// when the snapshot is written are left out.

// Snapshot read errors. ReadSnapshot wraps them with details (the byte
// offset, the version found); test with errors.Is.
var (
	ErrSnapshotForeign = errors.New("swarm: not a trackerd swarm snapshot")
	ErrSnapshotVersion = errors.New("swarm: unsupported snapshot version")
	ErrSnapshotStale   = errors.New("swarm: snapshot older than the peer timeout")
	ErrSnapshotCorrupt = errors.New("swarm: corrupt snapshot")
)

const (
	snapMagic   = "TRACKERD-SWARM"
	snapVersion = 1

	snapHeaderSize  = len(snapMagic) + 2 + 4 + 4
	snapTorrentSize = 1 + 20 + 4 + 4 + 4*4
	snapTrailerSize = 1 + 8 + 8 + 4

	snapTagTorrent = 'T'
	snapTagEnd     = 'E'

	// snapBufSize is the bufio size of both sides; the reader takes peer
	// records in runs of up to this many bytes.
	snapBufSize = 64 << 10

	// snapBatchBytes is how much the writer copies under one shard lock
	// hold (a torrent is always copied whole, so a big swarm exceeds it).
	snapBatchBytes = 64 << 10

	// snapMaxPeers bounds a family's peer count in a torrent record. The
	// reader never allocates from a count (peers are inserted as they are
	// read), so this is a sanity check, far above any real swarm.
	snapMaxPeers = 1 << 28
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// SnapshotStats describes a snapshot written by WriteSnapshot or read by
// ReadSnapshot. It is a plain value.
type SnapshotStats struct {
	CreatedUnix    uint32 // the writer's clock when it started writing
	PeerTimeoutSec uint32 // the writer's peer timeout
	Torrents       uint64 // torrents written, or loaded
	Peers          uint64 // peers written, or loaded
	Expired        uint64 // read only: peers in the file already expired, not loaded
	Bytes          int64  // the snapshot's size
}

// WriteSnapshot writes the table's live torrents and peers at time now
// (Unix seconds) to w, through a buffer of its own, and returns what it
// wrote. The table stays in service meanwhile.
//
// Locking: it holds Table.cleanMu throughout, so Clean waits and torrents
// do not move in their slabs, and takes one shard lock at a time, for up
// to cleanBatch torrents or snapBatchBytes of records (a big swarm is
// copied whole: 5 to 10 ms per million peers), copying into a scratch
// buffer that it writes after letting go. No lock is held across I/O. Each
// torrent is written as it was at one instant; the table as a whole is not
// one instant (a torrent created meanwhile may or may not be in it).
//
// Memory: the scratch buffer holds one batch, at most the biggest swarm.
func (t *Table) WriteSnapshot(w io.Writer, now uint32) (SnapshotStats, error) {
	st := SnapshotStats{CreatedUnix: now, PeerTimeoutSec: t.timeout}
	t.cleanMu.Lock()
	defer t.cleanMu.Unlock()

	sw := snapWriter{bw: bufio.NewWriterSize(w, snapBufSize)}
	buf := make([]byte, 0, snapBatchBytes+snapTorrentSize)
	buf = append(buf, snapMagic...)
	buf = le.AppendUint16(buf, snapVersion)
	buf = le.AppendUint32(buf, now)
	buf = le.AppendUint32(buf, t.timeout)
	sw.write(buf)
	for i := range t.shards {
		s := &t.shards[i]
		for ti, done := 0, false; !done && sw.err == nil; {
			s.mu.Lock()
			buf, ti, done = s.appendSnapshot(buf[:0], ti, now, t.timeout, &st)
			s.mu.Unlock()
			sw.write(buf)
		}
	}
	buf = append(buf[:0], snapTagEnd)
	buf = le.AppendUint64(buf, st.Torrents)
	buf = le.AppendUint64(buf, st.Peers)
	sw.write(buf)
	sw.write(le.AppendUint32(buf[:0], sw.crc))
	if sw.err == nil {
		sw.err = sw.bw.Flush()
	}
	st.Bytes = sw.n
	if sw.err != nil {
		return st, fmt.Errorf("cannot write snapshot: %w", sw.err)
	}
	return st, nil
}

// snapWriter checksums and counts what it writes, and keeps the first
// error.
type snapWriter struct {
	bw  *bufio.Writer
	crc uint32
	n   int64
	err error
}

func (sw *snapWriter) write(b []byte) {
	if sw.err != nil {
		return
	}
	sw.crc = crc32.Update(sw.crc, castagnoli, b)
	_, sw.err = sw.bw.Write(b)
	sw.n += int64(len(b))
}

// appendSnapshot appends the records of the live torrents of s from slab
// index ti on, stopping after cleanBatch torrents or once dst holds
// snapBatchBytes. It returns dst, the index to resume from and whether the
// slab is done. The caller holds s.mu.
func (s *shard) appendSnapshot(dst []byte, ti int, now, timeout uint32, st *SnapshotStats) ([]byte, int, bool) {
	// A stamp is at most now + timeout, unless the caller's clock went
	// back: cut it, so that the reader can hold the file to that bound.
	limit := now + timeout
	for range cleanBatch {
		if ti >= len(s.slab) || len(dst) >= snapBatchBytes {
			break
		}
		tr := &s.slab[ti]
		ti++
		if tr.expire <= now { // no live peer, and Clean may drop it
			continue
		}
		start := len(dst)
		dst = append(dst, snapTagTorrent)
		dst = append(dst, tr.ih[:]...)
		dst = le.AppendUint32(dst, tr.downloaded)
		dst = le.AppendUint32(dst, min(tr.expire, limit))
		var counts [16]byte
		dst = append(dst, counts[:]...) // filled in below
		for fam := range 2 {
			var l plist
			s.view(&l, tr, fam)
			n, nl := 0, 0
			for i := range l.n {
				exp := l.expiry(i)
				if exp <= now {
					continue
				}
				dst = append(dst, l.recs[i*l.rs:(i+1)*l.rs-4]...)
				dst = le.AppendUint32(dst, min(exp, limit))
				n++
				if i < l.nl {
					nl++
				}
			}
			le.PutUint32(dst[start+29+8*fam:], uint32(n))
			le.PutUint32(dst[start+33+8*fam:], uint32(nl))
			st.Peers += uint64(n)
		}
		st.Torrents++
	}
	return dst, ti, ti >= len(s.slab)
}

// ReadSnapshot reads a snapshot written by WriteSnapshot into a new table
// configured by cfg, at time now (Unix seconds). It returns the table only
// if the whole snapshot checked out; on any error the table is discarded,
// so a caller never serves half a state.
//
// It refuses a file that is not a snapshot (ErrSnapshotForeign), of another
// format version (ErrSnapshotVersion), written a peer timeout (cfg's) or
// longer before now (ErrSnapshotStale), or that is truncated, has trailing
// bytes, a bad checksum, counts out of range or that disagree, a stamp
// beyond the writer's timeout, or a repeated torrent or peer
// (ErrSnapshotCorrupt, with the byte offset). Errors from r are returned
// wrapped. The stats returned with an error carry the header's fields when
// the header was read.
//
// Loaded peers keep their expiry stamps, cut to now + cfg's peer timeout
// (in case it is shorter than the writer's); peers already expired are
// skipped and counted in Expired. Seeders stay seeders; downloaded counts
// are kept.
//
// Memory: nothing is allocated from a count in the file: peers go into the
// table as they are read, through a bufio.Reader, so memory grows with the
// bytes actually present.
func ReadSnapshot(r io.Reader, cfg Config, now uint32) (*Table, SnapshotStats, error) {
	var st SnapshotStats
	sr := snapReader{br: bufio.NewReaderSize(r, snapBufSize)}
	t := New(cfg)
	if err := sr.header(&st, now, t.timeout); err != nil {
		return nil, st, err
	}
	maxExp := uint64(st.CreatedUnix) + uint64(st.PeerTimeoutSec)
	var torrents, peers uint64
	for {
		b, err := sr.next(1)
		if err != nil {
			return nil, st, err
		}
		if b[0] == snapTagEnd {
			break
		}
		if b[0] != snapTagTorrent {
			return nil, st, sr.corrupt(-1, fmt.Sprintf("record tag %#x", b[0]))
		}
		n, err := t.loadTorrent(&sr, now, maxExp, &st)
		if err != nil {
			return nil, st, err
		}
		torrents++
		peers += n
	}
	b, err := sr.next(16)
	if err != nil {
		return nil, st, err
	}
	if ft, fp := le.Uint64(b), le.Uint64(b[8:]); ft != torrents || fp != peers {
		return nil, st, sr.corrupt(-16, fmt.Sprintf("trailer counts %d torrents, %d peers; the file holds %d, %d", ft, fp, torrents, peers))
	}
	sum := sr.crc
	if b, err = sr.next(4); err != nil {
		return nil, st, err
	}
	if got := le.Uint32(b); got != sum {
		return nil, st, sr.corrupt(-4, fmt.Sprintf("checksum %08x, computed %08x", got, sum))
	}
	if _, err := sr.br.Peek(1); err != io.EOF {
		if err != nil {
			return nil, st, fmt.Errorf("cannot read snapshot: %w", err)
		}
		return nil, st, sr.corrupt(0, "bytes after the trailer")
	}
	st.Bytes = sr.off
	return t, st, nil
}

// loadTorrent reads one torrent record after its tag into t and returns
// the number of peer records it held.
func (t *Table) loadTorrent(sr *snapReader, now uint32, maxExp uint64, st *SnapshotStats) (uint64, error) {
	b, err := sr.next(snapTorrentSize - 1)
	if err != nil {
		return 0, err
	}
	ih := InfoHash(b[:20])
	downloaded, expire := le.Uint32(b[20:]), le.Uint32(b[24:])
	var n, nl [2]int
	for fam := range 2 {
		n[fam], nl[fam] = int(le.Uint32(b[28+8*fam:])), int(le.Uint32(b[32+8*fam:]))
		if n[fam] > snapMaxPeers || nl[fam] > n[fam] {
			return 0, sr.corrupt(-snapTorrentSize, fmt.Sprintf("torrent %x: %d peers, %d leechers", ih, n[fam], nl[fam]))
		}
	}
	if uint64(expire) > maxExp {
		return 0, sr.corrupt(-snapTorrentSize, fmt.Sprintf("torrent %x: expires %d, after the writer's limit %d", ih, expire, maxExp))
	}
	s := t.shard(&ih)
	if _, dup := s.torrents[ih]; dup {
		return 0, sr.corrupt(-snapTorrentSize, fmt.Sprintf("torrent %x twice", ih))
	}
	ti := s.addTorrent(&ih)
	tr := &s.slab[ti]
	tr.downloaded = downloaded
	tr.expire = min(expire, now+t.timeout)
	for fam := range 2 {
		if err := s.loadPeers(tr, fam, n[fam], nl[fam], sr, now, maxExp, t.timeout, st); err != nil {
			return 0, err
		}
	}
	if tr.n[fam4] == 0 && tr.n[fam6] == 0 && tr.expire <= now {
		s.dropTorrent(int(ti)) // nothing left alive: Clean would drop it
	} else {
		st.Torrents++
	}
	return uint64(n[fam4] + n[fam6]), nil
}

// loadPeers reads n peer records of family fam (the first nl leechers) into
// tr's list, skipping the expired ones. The table is not shared yet, so no
// lock is taken.
func (s *shard) loadPeers(tr *torrent, fam, n, nl int, sr *snapReader, now uint32, maxExp uint64, timeout uint32, st *SnapshotStats) error {
	var l plist
	s.view(&l, tr, fam)
	rs := l.rs
	for i := 0; i < n; {
		k := min(n-i, snapBufSize/rs)
		b, err := sr.next(k * rs)
		if err != nil {
			return err
		}
		for j := range k {
			rec := b[j*rs : (j+1)*rs]
			exp := le.Uint32(rec[rs-4:])
			if uint64(exp) > maxExp {
				return sr.corrupt(-int64((k-j)*rs), fmt.Sprintf("peer expires %d, after the writer's limit %d", exp, maxExp))
			}
			if exp <= now {
				st.Expired++
				continue
			}
			exp = min(exp, now+timeout)
			key := rec[:rs-4]
			if l.find(key, now) >= 0 {
				return sr.corrupt(-int64((k-j)*rs), fmt.Sprintf("peer %x twice in torrent %x", key, tr.ih))
			}
			if l.n == l.cap() {
				s.grow(tr, fam, &l)
			}
			l.insert(key, exp, i+j >= nl)
			tr.expire = max(tr.expire, exp)
			st.Peers++
		}
		i += k
	}
	s.store(tr, fam, &l)
	return nil
}

// snapReader hands out the bytes of a snapshot in order, checksumming them
// and counting the offset.
type snapReader struct {
	br  *bufio.Reader
	crc uint32
	off int64
}

// next returns the next n bytes (n <= snapBufSize). They alias the
// reader's buffer and are valid until the next call.
func (sr *snapReader) next(n int) ([]byte, error) {
	b, err := sr.br.Peek(n)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, sr.corrupt(int64(len(b)), fmt.Sprintf("truncated: %d bytes wanted, %d left", n, len(b)))
		}
		return nil, fmt.Errorf("cannot read snapshot: %w", err)
	}
	sr.crc = crc32.Update(sr.crc, castagnoli, b)
	_, _ = sr.br.Discard(n) // cannot fail after a successful Peek
	sr.off += int64(n)
	return b, nil
}

// corrupt returns ErrSnapshotCorrupt for the bytes at sr.off+rel.
func (sr *snapReader) corrupt(rel int64, why string) error {
	return fmt.Errorf("%w: byte %d: %s", ErrSnapshotCorrupt, sr.off+rel, why)
}

// header reads and checks the header into st; timeout is the reader's
// peer timeout.
func (sr *snapReader) header(st *SnapshotStats, now, timeout uint32) error {
	b, err := sr.br.Peek(snapHeaderSize)
	if len(b) < len(snapMagic) && string(b) != snapMagic[:len(b)] || len(b) >= len(snapMagic) && string(b[:len(snapMagic)]) != snapMagic {
		return ErrSnapshotForeign
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("cannot read snapshot: %w", err)
	}
	if b, err = sr.next(snapHeaderSize); err != nil {
		return err
	}
	if v := le.Uint16(b[len(snapMagic):]); v != snapVersion {
		return fmt.Errorf("%w %d (this trackerd reads version %d)", ErrSnapshotVersion, v, snapVersion)
	}
	st.CreatedUnix = le.Uint32(b[len(snapMagic)+2:])
	st.PeerTimeoutSec = le.Uint32(b[len(snapMagic)+6:])
	if st.PeerTimeoutSec > MaxPeerTimeoutSec {
		return sr.corrupt(-4, fmt.Sprintf("peer timeout %d s", st.PeerTimeoutSec))
	}
	if uint64(st.CreatedUnix)+uint64(timeout) <= uint64(now) {
		return fmt.Errorf("%w: written %d s ago, peer timeout %d s", ErrSnapshotStale, now-st.CreatedUnix, timeout)
	}
	return nil
}
