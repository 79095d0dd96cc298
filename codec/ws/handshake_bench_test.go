package ws

import "testing"

// BenchmarkAppendAccept is the 101 response: SHA-1, base64 and 129 bytes.
func BenchmarkAppendAccept(b *testing.B) {
	key := []byte(rfcKey)
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(AppendAccept(nil, key))))
	for b.Loop() {
		dst = AppendAccept(dst[:0], key)
	}
}

// BenchmarkCheck validates a Chromium handshake.
func BenchmarkCheck(b *testing.B) {
	u := goodUpgrade()
	b.ReportAllocs()
	b.SetBytes(int64(len(u.Method) + len(u.Upgrade) + len(u.Connection) + len(u.Key) + len(u.Version)))
	for b.Loop() {
		if err := u.Check(); err != nil {
			b.Fatal(err)
		}
	}
}
