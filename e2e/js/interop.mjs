// A JavaScript automerge-repo peer for the interop tests: it signs in to a
// QALF server over HTTP and syncs notes through the relay with the stock
// npm packages.
//
//   node interop.mjs create --server URL --username U --password P --member PERSON --title T --body B
//   node interop.mjs read   --server URL --username U --password P --doc ID
//   node interop.mjs append --server URL --username U --password P --doc ID --text X
//
// The last line on stdout is one JSON object; failures exit non-zero with the
// reason on stderr. Every run gives up after 30 s.

import { parseArgs } from "node:util"
import { randomBytes } from "node:crypto"
import * as A from "@automerge/automerge"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const TIMEOUT_MS = 30_000

// automerge-repo logs to console.log in places; stdout is reserved for the result.
console.log = console.error

function fail(error) {
  // fetch() hides the reason (e.g. ECONNREFUSED) in `cause`.
  const cause = error?.cause?.message ? ` (${error.cause.message})` : ""
  process.stderr.write(`interop: ${error?.message ?? error}${cause}\n`)
  process.exit(1)
}

process.on("uncaughtException", fail)
process.on("unhandledRejection", fail)
// What the run is waiting for, for the timeout message.
let stage = "starting"
setTimeout(() => fail(`gave up after ${TIMEOUT_MS / 1000} s ${stage}`), TIMEOUT_MS).unref()

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// --- HTTP API -------------------------------------------------------------

class Session {
  static async signIn(server, username, password) {
    const response = await fetch(new URL("/api/session", server), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    })
    if (!response.ok) {
      throw new Error(`sign-in as ${username} failed: HTTP ${response.status} ${await response.text()}`)
    }
    const cookie = response.headers
      .getSetCookie()
      .map(c => c.split(";")[0])
      .join("; ")
    const { id } = await response.json()
    return new Session(server, id, cookie)
  }

  constructor(server, personId, cookie) {
    this.server = server
    this.personId = personId
    this.cookie = cookie
  }

  async post(path, body) {
    const response = await fetch(new URL(path, this.server), {
      method: "POST",
      headers: { "content-type": "application/json", cookie: this.cookie },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${text}`)
    return { status: response.status, json: text ? JSON.parse(text) : null }
  }

  // Changes are signed "by:<person id>", as the QALF app signs its own.
  changeOptions() {
    return { message: `by:${this.personId}`, time: Math.floor(Date.now() / 1000) }
  }

  // A Repo connected to the relay under a fresh device peer id.
  async connect(options = {}) {
    const peerId = `${this.personId}~js-${randomBytes(4).toString("hex")}`
    const { json } = await this.post("/api/sync/ticket", { peer_id: peerId })
    const url = new URL(`/sync?ticket=${encodeURIComponent(json.ticket)}`, this.server)
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
    stage = "connecting to the relay"
    const adapter = new RelayAdapter(url.href)
    const repo = new Repo({ network: [adapter], peerId, ...options })
    const relay = await new Promise((resolve, reject) => {
      adapter.onFailure = reject
      repo.networkSubsystem.once("peer", ({ peerId }) => resolve(peerId))
    })
    adapter.onFailure = fail
    return { repo, relay, adapter }
  }
}

// The stock client adapter, except that it never reconnects (a ticket is
// good for one connection) and a close by the relay is an error.
class RelayAdapter extends WebSocketClientAdapter {
  constructor(url) {
    super(url, 3_600_000)
    this.onFailure = fail
    const onClose = this.onClose
    this.onClose = event => {
      const reason = event?.reason ? `: ${event.reason}` : ""
      this.onFailure(new Error(`the relay closed the connection (code ${event?.code}${reason})`))
      onClose(event)
    }
  }
}

async function close({ repo }) {
  await Promise.race([repo.shutdown(), sleep(2000)])
}

// --- Sync checks ------------------------------------------------------------

// Resolves once the relay's sync messages show that it has `heads`.
function relayAcknowledges(repo, relay, documentId, heads) {
  stage = "waiting for the relay to acknowledge the change"
  return new Promise(resolve => {
    const listener = ({ peerId, documentId: doc, syncState }) => {
      if (peerId !== relay || doc !== documentId) return
      const known = [...(syncState.theirHeads ?? []), ...syncState.sharedHeads]
      if (heads.every(h => known.includes(h))) {
        repo.synchronizer.off("sync-state", listener)
        resolve()
      }
    }
    repo.synchronizer.on("sync-state", listener)
  })
}

// Fetches the document through the relay on a new connection with no local
// state, until it holds the changes `heads`. Returns that copy of the doc.
async function fetchFromRelay(session, documentId, heads = []) {
  for (;;) {
    const peer = await session.connect()
    try {
      stage = `fetching ${documentId} from the relay`
      const handle = await peer.repo.find(documentId)
      while (!A.hasHeads(handle.doc(), heads)) {
        await new Promise(resolve => handle.once("change", resolve))
      }
      return handle.doc()
    } catch (e) {
      // The relay answers from what it holds; right after a write that may
      // still be nothing, so ask again on a new connection.
      if (!/unavailable/i.test(e.message)) throw e
      if (!heads.length) {
        throw new Error(`the relay does not share ${documentId} with ${session.personId} (unregistered, or no access)`)
      }
      await sleep(300)
    } finally {
      await close(peer)
    }
  }
}

function text(doc, field) {
  const value = doc?.[field]
  if (typeof value !== "string") throw new Error(`document has no text field ${field}`)
  return value
}

// --- Commands ---------------------------------------------------------------

async function create(session, { member, title, body }) {
  const createdAt = Math.floor(Date.now() / 1000)
  // The relay refuses documents that are not yet registered, so the Repo
  // offers this one to the relay only once the registration has gone through.
  let registered = false
  const peer = await session.connect({ sharePolicy: async () => registered })
  // The types the Rust side (autosurgeon) reads: a JS string would become a
  // text object, right for title and body but not for the plain strings kind
  // and created_by; schema is a u64, which hydrates only from a uint; and
  // created_at an i64. (Set in a change: `create(initialValue)` stores Uint
  // and Int wrappers as maps.)
  const handle = peer.repo.create()
  handle.change(d => {
    d.kind = new A.ImmutableString("note")
    d.schema = new A.Uint(1)
    d.title = title
    d.body = body
    d.created_by = new A.ImmutableString(session.personId)
    d.created_at = new A.Int(createdAt)
  }, session.changeOptions())
  const documentId = handle.documentId
  const heads = A.getHeads(handle.doc())
  const acknowledged = relayAcknowledges(peer.repo, peer.relay, documentId, heads)
  await session.post("/api/records", {
    id: documentId,
    created_by: session.personId,
    created_at: createdAt,
    parties: { kind: "note", members: [member] },
  })
  registered = true
  peer.repo.shareConfigChanged()
  await acknowledged
  await close(peer)
  await fetchFromRelay(session, documentId, heads)
  return { documentId }
}

async function read(session, { doc }) {
  const copy = await fetchFromRelay(session, doc)
  return { title: text(copy, "title"), body: text(copy, "body") }
}

async function append(session, { doc, text: addition }) {
  const peer = await session.connect()
  stage = `fetching ${doc} from the relay`
  const handle = await peer.repo.find(doc)
  text(handle.doc(), "body")
  handle.change(d => {
    A.splice(d, ["body"], d.body.length, 0, addition)
  }, session.changeOptions())
  const heads = A.getHeads(handle.doc())
  await relayAcknowledges(peer.repo, peer.relay, handle.documentId, heads)
  await close(peer)
  const copy = await fetchFromRelay(session, handle.documentId, heads)
  return { body: text(copy, "body") }
}

// --- CLI --------------------------------------------------------------------

const COMMANDS = {
  create: { run: create, needs: ["member", "title", "body"] },
  read: { run: read, needs: ["doc"] },
  append: { run: append, needs: ["doc", "text"] },
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: Object.fromEntries(
      ["server", "username", "password", "member", "title", "body", "doc", "text"].map(name => [
        name,
        { type: "string" },
      ])
    ),
  })
  const command = COMMANDS[positionals[0]]
  if (positionals.length !== 1 || !command) {
    throw new Error(`usage: interop.mjs ${Object.keys(COMMANDS).join("|")} --server URL --username U --password P ...`)
  }
  for (const name of ["server", "username", "password", ...command.needs]) {
    if (values[name] === undefined) throw new Error(`${positionals[0]} needs --${name}`)
  }
  if (values.doc?.startsWith("automerge:")) values.doc = values.doc.slice("automerge:".length)
  const session = await Session.signIn(values.server, values.username, values.password)
  const result = await command.run(session, values)
  process.stdout.write(JSON.stringify(result) + "\n")
  process.exit(0)
}

main().catch(fail)
