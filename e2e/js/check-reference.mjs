// Checks reference-relay.mjs: two peers editing one note converge through it,
// the note survives a restart of the relay, and SIGTERM exits cleanly.
//
//   node check-reference.mjs        (exit 0 and "ok" on success)

import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import readline from "node:readline"
import { fileURLToPath } from "node:url"
import * as A from "@automerge/automerge"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

setTimeout(() => {
  console.error("check-reference: gave up after 30 s")
  process.exit(1)
}, 30_000).unref()

const here = path.dirname(fileURLToPath(import.meta.url))
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reference-relay-"))

async function startRelay() {
  const child = spawn(process.execPath, [path.join(here, "reference-relay.mjs"), "--port", "0", "--dir", dir], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const ready = JSON.parse((await lines.next()).value)
  assert.equal(ready.pid, child.pid)
  return { child, port: ready.listening }
}

async function stopRelay({ child }) {
  const exited = new Promise(resolve => child.once("exit", (code, signal) => resolve({ code, signal })))
  child.kill("SIGTERM")
  assert.deepEqual(await exited, { code: 0, signal: null })
}

async function peer(port, name) {
  const repo = new Repo({ network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`)], peerId: name })
  await new Promise(resolve => repo.networkSubsystem.once("peer", resolve))
  return repo
}

function until(handle, predicate) {
  return new Promise(resolve => {
    const check = () => predicate(handle.doc()) && (handle.off("change", check), resolve())
    handle.on("change", check)
    check()
  })
}

let relay = await startRelay()
const alice = await peer(relay.port, "alice")
const bob = await peer(relay.port, "bob")

const mine = alice.create({ title: "Shared", body: "Hello" })
const theirs = await bob.find(mine.documentId)
assert.equal(theirs.doc().body, "Hello")

// Concurrent edits at both ends meet in the middle.
mine.change(d => A.splice(d, ["body"], d.body.length, 0, " from Alice"))
theirs.change(d => A.splice(d, ["body"], 0, 0, "Bob says: "))
const merged = "Bob says: Hello from Alice"
await Promise.all([until(mine, d => d.body === merged), until(theirs, d => d.body === merged)])
assert.deepEqual(A.getHeads(mine.doc()), A.getHeads(theirs.doc()))

await alice.shutdown()
await bob.shutdown()
await stopRelay(relay)

// The relay kept the note on disk.
relay = await startRelay()
const carol = await peer(relay.port, "carol")
assert.equal((await carol.find(mine.documentId)).doc().body, merged)
await carol.shutdown()
await stopRelay(relay)

fs.rmSync(dir, { recursive: true, force: true })
console.log("ok")
process.exit(0)
