// A reference sync relay built from the npm automerge-repo packages, set up
// the way @automerge/automerge-repo-sync-server sets itself up (minus
// express): a `ws` server on an HTTP server's upgrade, a Repo with file-system
// storage, a fixed peer id, and a share policy that announces nothing, so a
// peer gets only the documents it asks for by id.
//
//   node reference-relay.mjs --port N --dir DIR
//
// Prints {"listening": N, "pid": PID} on stdout once it accepts connections
// (--port 0 picks a free port); SIGTERM or SIGINT flushes storage and exits 0.

import fs from "node:fs"
import http from "node:http"
import os from "node:os"
import { parseArgs } from "node:util"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

// stdout carries only the ready line.
console.log = console.error

const { values } = parseArgs({
  options: { port: { type: "string" }, dir: { type: "string" } },
})
if (values.port === undefined || values.dir === undefined) {
  process.stderr.write("usage: reference-relay.mjs --port N --dir DIR\n")
  process.exit(2)
}
const port = Number(values.port)
fs.mkdirSync(values.dir, { recursive: true })

const socket = new WebSocketServer({ noServer: true })
const adapter = new NodeWSServerAdapter(socket)
// The Repo hands the adapter its connection handler only after loading its
// storage id; a client that connects before then is never answered (and
// retries 5-10 s later). So accept connections only once that has happened.
const adapterConnected = new Promise(resolve => {
  const connect = adapter.connect.bind(adapter)
  adapter.connect = (...args) => {
    connect(...args)
    resolve()
  }
})
const repo = new Repo({
  network: [adapter],
  storage: new NodeFSStorageAdapter(values.dir),
  peerId: `storage-server-${os.hostname()}`,
  // A server does not share generously: it syncs only documents a peer
  // already knows about and asks for by id.
  sharePolicy: async () => false,
})

const server = http.createServer((_request, response) => {
  response.end("👍 reference automerge-repo sync relay is running")
})
server.on("upgrade", (request, stream, head) => {
  socket.handleUpgrade(request, stream, head, ws => socket.emit("connection", ws, request))
})

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  for (const client of socket.clients) client.terminate()
  socket.close()
  server.close()
  await repo.shutdown() // flushes pending saves to DIR
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)

await adapterConnected
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ listening: server.address().port, pid: process.pid }) + "\n")
})
