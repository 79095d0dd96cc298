// The stand-in WebSocket tracker of cmd/trackerd/internal/browser's tests:
// bittorrent-tracker's Server, WebSocket only, on the loopback address
// process.argv[2] and a free port. Prints {"address","family","port"} as one
// line on stdout when listening, then logs swarm events to stderr.
//
// It imports server.js by path, not the package: the package's index also
// loads the tracker client, which needs node-datachannel's native module,
// and that is not built with npm ci --ignore-scripts.
import Server from './node_modules/bittorrent-tracker/server.js'

const server = new Server({ udp: false, http: false, ws: true, stats: false })
server.on('error', err => { console.error(err); process.exit(1) })
server.on('warning', err => console.error('warning:', err.message))
for (const event of ['start', 'complete', 'update', 'stop']) {
  server.on(event, (peerId, params) => console.error(event, 'info_hash', params.info_hash, 'peer_id', peerId))
}
server.listen(0, process.argv[2], () => console.log(JSON.stringify(server.http.address())))
