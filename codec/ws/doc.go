// Package ws implements the parts of the WebSocket protocol (RFC 6455) that
// a tracker serving WebTorrent on gnet event loops needs: the server side of
// the opening handshake, a frame decoder that reassembles client messages
// from a connection's buffered inbound bytes, and append-only frame
// encoders. The client side (masked frames, reading server frames, the
// expected Sec-WebSocket-Accept) is there for tests and the load generator.
//
// Spec: https://www.rfc-editor.org/rfc/rfc6455 (§4.2 handshake, §5 framing,
// §7.4 close codes). No extension is ever negotiated: permessage-deflate
// (RFC 7692) is declined by leaving it out of the 101 response, so frames
// with RSV bits are protocol errors.
//
// # Handshake
//
// The HTTP layer parses the request head and fills an Upgrade with the raw
// header values. Upgrade.Check validates them; on success the engine appends
// AppendAccept's 101 response and switches the connection to frames, and on
// failure it appends AppendRefusal's response (UpgradeStatus gives the
// status: 400, 405, or 426 with "Sec-WebSocket-Version: 13") and closes.
//
// # Frames, for the engine
//
// One Decoder per connection, owned by the connection's event loop. In
// OnTraffic, with b the bytes gnet has buffered (Peek, never Next):
//
//	used := 0
//	for {
//		n, m, err := d.Decode(b[used:])
//		used += n
//		if err != nil { // fail the connection (RFC 6455 §7.1.7)
//			out = ws.AppendClose(out, ws.CloseCode(err), "")
//			return writeThenClose(out)
//		}
//		if m.Op == ws.OpContinuation {
//			break // nothing yet: keep b[used:] buffered
//		}
//		out = handle(out, m) // m.Payload dies at the next Decode or the Discard
//	}
//	c.Discard(used)
//
// Lifetimes: Message.Payload aliases b, or the Decoder's reassembly buffer
// for a fragmented message; it is valid until the next Decode call and until
// the used bytes are discarded, whichever comes first. Decode unmasks
// payloads IN PLACE in b, so used bytes must never be decoded again; it never
// writes past used.
//
// Nothing yet: err == nil with the zero Message (Op == OpContinuation). It
// may come with used > 0 (fragments absorbed). Decode only consumes whole
// frames, so a connection buffers up to MaxMessage+MaxHeaderSize-1 bytes of
// an unfinished frame, and never more: an oversize message is refused from
// its header (ErrMessageTooBig, Close code 1009) without waiting for its
// payload.
//
// The package keeps no per-connection timer and no state about the Close
// handshake: after a Close message or an error the engine writes its Close
// frame and closes the connection. Pings are returned to the engine, which
// answers each with AppendFrame(dst, OpPong, m.Payload) and may limit
// their rate.
//
// # Memory, concurrency, allocation
//
// The package has no mutable state. Decoder is owned by one event loop;
// never share it. Upgrade is a plain value owned by its caller. The error
// sentinels are immutable and safe for concurrent use.
//
// Check, AppendAccept, AppendRefusal, every Append function given a dst
// with room, and Decode on a warm Decoder allocate nothing; alloc_test.go
// asserts it. A Decoder allocates only to reassemble a fragmented message,
// grows only as bytes arrive, and keeps at most 4 KiB between messages.
// Masking uses gobwas/ws's Cipher (SIMD on amd64 and arm64, no allocation);
// its ReadHeader and WriteFrame allocate and are used only in tests, as a
// reference implementation.
package ws
