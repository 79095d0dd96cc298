package e2e

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RandomFile writes size random bytes to a new file in dir and returns its
// path and SHA-256.
func RandomFile(t testing.TB, dir string, size int64) (path string, sum [sha256.Size]byte) {
	t.Helper()
	f, err := os.CreateTemp(dir, "payload-*.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.Reader, size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	h.Sum(sum[:0])
	return f.Name(), sum
}

// MakeTorrent creates a private torrent of file whose only tracker is
// announceURL (transmission-create -p -t announceURL), in a new temp dir, and
// returns its path and info hash. Private (BEP 27) keeps clients from finding
// peers anywhere but the tracker.
func MakeTorrent(t testing.TB, file, announceURL string) (path string, infoHash [sha1.Size]byte) {
	t.Helper()
	Require(t, "transmission-create")
	path = filepath.Join(t.TempDir(), filepath.Base(file)+".torrent")
	out, err := exec.Command("transmission-create", "-p", "-t", announceURL, "-o", path, file).CombinedOutput()
	if err != nil {
		t.Fatalf("transmission-create: %v\n%s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	infoHash, err = InfoHash(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return path, infoHash
}

// InfoHash returns the SHA-1 of the bencoded info dictionary of the torrent
// file data.
func InfoHash(data []byte) ([sha1.Size]byte, error) {
	if len(data) == 0 || data[0] != 'd' {
		return [sha1.Size]byte{}, errors.New("torrent is not a dictionary")
	}
	for i := 1; i < len(data) && data[i] != 'e'; {
		key, j, err := bdecode(data, i)
		if err != nil {
			return [sha1.Size]byte{}, err
		}
		_, k, err := bdecode(data, j)
		if err != nil {
			return [sha1.Size]byte{}, err
		}
		if key == "info" {
			return sha1.Sum(data[j:k]), nil
		}
		i = k
	}
	return [sha1.Size]byte{}, errors.New("torrent has no info dictionary")
}
