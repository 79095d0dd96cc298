package bench

import (
	"testing"

	"github.com/trackerd/trackerd/codec/udp"
)

func TestCeilingReply(t *testing.T) {
	var req udp.Request
	req.ConnID, req.Action, req.TxID = udp.ProtocolID, udp.ActionConnect, 1
	var resp udp.Response
	if v, why := checkUDPReply(&resp, ceilingReply(nil, udp.AppendRequest(nil, &req)), kindConnect, 0, 30); v != replyOK || resp.TxID != 1 {
		t.Errorf("connect: %d %q txid %d", v, why, resp.TxID)
	}
	req.Action, req.TxID = udp.ActionAnnounce, 2
	req.Announce.Port = 1
	if v, why := checkUDPReply(&resp, ceilingReply(nil, udp.AppendRequest(nil, &req)), kindAnnounce, 0, 30); v != replyOK || resp.TxID != 2 {
		t.Errorf("announce: %d %q txid %d", v, why, resp.TxID)
	}
	req.Reset()
	req.Action, req.TxID, req.NHashes = udp.ActionScrape, 3, 5
	if v, why := checkUDPReply(&resp, ceilingReply(nil, udp.AppendRequest(nil, &req)), kindScrape, 5, 30); v != replyOK || resp.TxID != 3 {
		t.Errorf("scrape: %d %q txid %d", v, why, resp.TxID)
	}
	for name, pkt := range map[string][]byte{
		"short":          make([]byte, 15),
		"short announce": udp.AppendRequest(nil, &udp.Request{Action: udp.ActionAnnounce})[:50],
		"ragged scrape":  make([]byte, 16+21),
		"error action":   {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1},
	} {
		if name == "ragged scrape" {
			pkt[11] = byte(udp.ActionScrape)
		}
		if got := ceilingReply(nil, pkt); got != nil {
			t.Errorf("%s: answered % x", name, got)
		}
	}
}

func TestWantsClose(t *testing.T) {
	for head, want := range map[string]bool{
		"GET /announce HTTP/1.1\r\nHost: x":                      false,
		"GET /announce HTTP/1.1\r\nHost: x\r\nconnection: CLOSE": true,
		"GET /announce HTTP/1.0\r\nHost: x":                      true,
	} {
		if got := wantsClose([]byte(head)); got != want {
			t.Errorf("wantsClose(%q) = %v", head, got)
		}
	}
}
