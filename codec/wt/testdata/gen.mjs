// gen.mjs writes the .json fixtures in this directory: messages built the
// way bittorrent-tracker v11.2.3 builds them (client:
// lib/client/websocket-tracker.js, lib/client/index.js; server: server.js
// _onWebSocketRequest and _onScrape), serialized by JSON.stringify. Run it
// with `node gen.mjs` in this directory (node 20; no packages needed:
// uint8-util's hex2bin is Buffer.from(hex, 'hex').toString('binary')).
import { writeFileSync } from 'node:fs'

const hex2bin = hex => Buffer.from(hex, 'hex').toString('binary')
const out = (name, obj) => writeFileSync(name, JSON.stringify(obj))

// An info hash holding every kind of character JSON.stringify treats apart:
// NUL, \b, \n, other controls, '"', '\\', '/', DEL, 0x80-0xff.
const infoHash = '00081f22275c2f3c3e267f80a0c3ff0d0a09e2a8'
// webtorrent peer ids: '-WW0208-' then 12 random bytes (here fixed).
const peerA = Buffer.from('-WW0208-').toString('hex') + 'a1b2c3d4e5f60718293a4b5c'
const peerB = Buffer.from('-WW0208-').toString('hex') + '00ff22805c7f0a1b2c3d4e5f'
const offerID = i => (i.toString(16).padStart(2, '0') + 'c0ffee22' + '5c7f80ff01020304050607').padEnd(40, '9')

// A Chrome data-channel offer with its candidates (simple-peer trickle:false).
const sdp = (type, ufrag) => [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS',
  'm=application 50123 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 203.0.113.7',
  'a=candidate:1467250027 1 udp 2122260223 192.168.0.196 50123 typ host generation 0 network-id 1',
  'a=candidate:842163049 1 udp 1686052607 203.0.113.7 50123 typ srflx raddr 192.168.0.196 rport 50123 generation 0 network-id 1',
  'a=ice-ufrag:' + ufrag,
  'a=ice-pwd:asd88fgpdd777uzjYhagZg4f',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2',
  'a=setup:' + (type === 'offer' ? 'actpass' : 'active'),
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  ''
].join('\r\n')

// client.js _defaultAnnounceOpts merged with webtorrent's getAnnounceOpts
// (uploaded, downloaded, left = Math.max(length - downloaded, 0)).
const announceOpts = (event, left) => {
  const opts = { numwant: 50, uploaded: 0, downloaded: 0 }
  Object.assign(opts, { uploaded: 1024, downloaded: 524288, left })
  if (event) opts.event = event
  return opts
}

// websocket-tracker.js announce(): offers unless stopped/completed.
const announce = (opts, maxOffers) => {
  const params = Object.assign({}, opts, {
    action: 'announce',
    info_hash: hex2bin(infoHash),
    peer_id: hex2bin(peerA)
  })
  if (opts.event === 'stopped' || opts.event === 'completed') return params
  const numwant = Math.min(opts.numwant, maxOffers)
  const offers = []
  for (let i = 0; i < numwant; i++) {
    offers.push({ offer: { type: 'offer', sdp: sdp('offer', 'u' + i + 'Xq') }, offer_id: hex2bin(offerID(i)) })
  }
  params.numwant = numwant
  params.offers = offers
  return params
}

out('announce_started_10offers.json', announce(announceOpts('started', 7340032), 10)) // clients up to v11.1
out('announce_started_5offers.json', announce(announceOpts('started', 7340032), 5)) // v11.2
out('announce_update_magnet.json', announce(announceOpts(undefined, Math.max(undefined - 0, 0)), 5)) // left NaN -> null
out('announce_completed.json', announce(announceOpts('completed', 0), 5))
out('announce_stopped.json', announce(announceOpts('stopped', 0), 5))

// websocket-tracker.js _onAnnounceResponse: the answer to a relayed offer,
// with a tracker id the server once sent.
out('answer.json', {
  action: 'announce',
  info_hash: hex2bin(infoHash),
  peer_id: hex2bin(peerB),
  to_peer_id: hex2bin(peerA),
  answer: { type: 'answer', sdp: sdp('answer', 'zZ9k') },
  offer_id: hex2bin(offerID(3)),
  trackerid: 'tr-1'
})

// websocket-tracker.js scrape(): one info hash as a string, several as an array.
out('scrape_one.json', { action: 'scrape', info_hash: hex2bin(infoHash) })
out('scrape_many.json', {
  action: 'scrape',
  info_hash: [infoHash, peerA, peerB].map(hex2bin)
})

// What the reference server sends, member for member (server.js).
const interval = Math.ceil(10 * 60 * 1000 / 1000 / 5)
const reply = { complete: 3, incomplete: 7 }
reply.action = 1 // _onAnnounce (server.js:676), overwritten below
reply.interval = 600
reply.action = 'announce'
reply.info_hash = hex2bin(infoHash)
reply.interval = interval
out('server_announce_reply.json', reply)
out('server_offer.json', {
  action: 'announce',
  offer: { type: 'offer', sdp: sdp('offer', 'u3Xq') },
  offer_id: hex2bin(offerID(3)),
  peer_id: hex2bin(peerA),
  info_hash: hex2bin(infoHash)
})
out('server_answer.json', {
  action: 'announce',
  answer: { type: 'answer', sdp: sdp('answer', 'zZ9k') },
  offer_id: hex2bin(offerID(3)),
  peer_id: hex2bin(peerB),
  info_hash: hex2bin(infoHash)
})
const files = {}
files[hex2bin(infoHash)] = { complete: 3, incomplete: 7, downloaded: 3 }
files[hex2bin(peerA)] = { complete: 0, incomplete: 0, downloaded: 0 }
out('server_scrape_reply.json', { action: 'scrape', files, flags: { min_request_interval: 600 } })
out('server_failure.json', { action: 'announce', 'failure reason': 'invalid event', info_hash: hex2bin(infoHash) })

// Every binary character as JSON.stringify writes it: AppendBinaryString
// must produce these bytes exactly.
let all = ''
for (let c = 0; c < 256; c++) all += String.fromCharCode(c)
writeFileSync('stringify_256.txt', JSON.stringify(all))
