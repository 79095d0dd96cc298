// Starts bittorrent-tracker's Server for trackerbench (make bench) on
// 127.0.0.1 only: UDP, HTTP and WebSocket on one port given as the first
// argument. Its CLI binds UDP to 0.0.0.0 whatever flag it is given, so the
// Server is started here instead, with its defaults otherwise.
// Only the server module: the package's index also loads the WebRTC client,
// whose native add-on is not installed (npm ci --ignore-scripts).
import Server from 'bittorrent-tracker/server'

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node server.js <port>')
  process.exit(2)
}

const server = new Server({ udp: true, http: true, ws: true, stats: false })

// The Server also opens a udp6 socket, which would bind [::]: close it
// before listen so that nothing binds outside 127.0.0.0/8. (Its 'listening'
// event then never fires; trackerbench probes the port instead.)
server.udp6.close()
server.udp6 = null

server.on('error', err => {
  console.error('bittorrent-tracker:', err.message)
  process.exit(1)
})
server.on('warning', () => {}) // one per refused request: counted by trackerbench, not logged

server.listen(port, { http: '127.0.0.1', udp: '127.0.0.1' })
console.log(`bittorrent-tracker ${process.versions.node} on 127.0.0.1:${port} (udp, http, ws)`)

process.on('SIGTERM', () => process.exit(0))
process.on('SIGINT', () => process.exit(0))
