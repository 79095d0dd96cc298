// The browser half of cmd/trackerd/internal/browser. Query parameters:
//   role=seed&tracker=URL            seed /payload, report {infoHash}
//   role=leech&tracker=URL&infohash=H download H, report {sha256}
// Everything the page logs is POSTed to /log/<role>; its one result (or
// {error}) to /result/<role>, which the Go test waits for.
import WebTorrent from '/webtorrent.min.js'

const params = new URLSearchParams(location.search)
const role = params.get('role')
const tracker = params.get('tracker')

function log (...args) {
  const line = args.map(a => a instanceof Error ? (a.stack || String(a)) : String(a)).join(' ')
  console.log(line)
  fetch('/log/' + role, { method: 'POST', body: line }).catch(() => {})
}

let reported = false
function report (result) {
  if (reported) return
  reported = true
  fetch('/result/' + role, { method: 'POST', body: JSON.stringify(result) })
}

function fail (err) {
  log('FAIL:', err)
  report({ error: String((err && err.stack) || err) })
}
addEventListener('error', e => fail(e.error || e.message))
addEventListener('unhandledrejection', e => fail(e.reason))

// Peers may come from the tracker at `tracker` only: browsers have no DHT,
// LSD or uTP, and PEX and web seeds are off. tracker.announce is added to
// every torrent's list; no STUN servers (the namespace has no route out,
// and the only candidates wanted are loopback host candidates).
const client = new WebTorrent({
  dht: false,
  lsd: false,
  utPex: false,
  webSeeds: false,
  tracker: { announce: [tracker], rtcConfig: { iceServers: [] } }
})
client.on('error', fail)

function watch (torrent) {
  torrent.on('error', fail)
  torrent.on('warning', w => log('warning:', w))
  torrent.on('wire', (wire, addr) => log('peer connected:', addr || wire.remoteAddress))
  setInterval(() => log(`progress ${(torrent.progress * 100).toFixed(1)}% peers ${torrent.numPeers} down ${torrent.downloaded} up ${torrent.uploaded}`), 2000)
}

// onlyTracker fails unless the torrent's tracker list is exactly [tracker],
// so the transfer proves that tracker and nothing else.
function onlyTracker (torrent) {
  if (torrent.announce.length !== 1 || torrent.announce[0] !== tracker) {
    throw new Error('torrent trackers are ' + JSON.stringify(torrent.announce) + ', want only ' + tracker)
  }
}

function event (emitter, name) {
  return new Promise(resolve => emitter.once(name, resolve))
}

log(navigator.userAgent, 'WebTorrent', WebTorrent.VERSION, 'role', role, 'tracker', tracker)

if (role === 'seed') {
  const res = await fetch('/payload')
  const file = new File([await res.blob()], 'payload.bin')
  const torrent = client.seed(file, { announce: [tracker] })
  watch(torrent)
  // Report once the tracker has answered an announce: the seeder is then in
  // the swarm, so the leecher's offers reach it.
  const announced = event(torrent, 'trackerAnnounce')
  await event(torrent, 'seed')
  onlyTracker(torrent)
  await announced
  log('seeding', torrent.infoHash, 'announced')
  report({ infoHash: torrent.infoHash })
} else if (role === 'leech') {
  const torrent = client.add(params.get('infohash')) // a bare info hash: a magnet link without trackers
  watch(torrent)
  await event(torrent, 'done')
  onlyTracker(torrent)
  const data = await torrent.files[0].arrayBuffer()
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
  log('downloaded', data.byteLength, 'bytes')
  report({ sha256: Array.from(sum, b => b.toString(16).padStart(2, '0')).join('') })
} else {
  fail('unknown role ' + role)
}
