//! automerge-repo's network protocol v1: CBOR maps with a `type` field.
//!
//! Encoding follows the JavaScript implementation (definite-length maps,
//! camelCase keys, `data` as a byte string); decoding skips fields it does not
//! know and reports message types it does not handle as [`Message::Other`],
//! so a newer peer does not break an older one.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

use super::{DocumentId, PeerId};

/// The protocol version we speak.
pub const PROTOCOL_VERSION: &str = "1";

/// Metadata a peer sends in its handshake.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerMetadata {
    /// Identifies the peer's storage, so others can keep sync state per store.
    pub storage_id: Option<String>,
    /// True when the peer keeps nothing between connections.
    pub is_ephemeral: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Join {
        sender: PeerId,
        versions: Vec<String>,
        metadata: Option<PeerMetadata>,
    },
    Peer {
        sender: PeerId,
        target: PeerId,
        version: String,
        metadata: Option<PeerMetadata>,
    },
    Leave {
        sender: PeerId,
    },
    /// Asks for a document the sender does not have.
    Request {
        sender: PeerId,
        target: PeerId,
        document: DocumentId,
        data: Vec<u8>,
    },
    Sync {
        sender: PeerId,
        target: PeerId,
        document: DocumentId,
        data: Vec<u8>,
    },
    /// The sender does not have (or will not share) the document.
    DocUnavailable {
        sender: PeerId,
        target: PeerId,
        document: DocumentId,
    },
    /// Data that is relayed but never stored (presence).
    Ephemeral {
        sender: PeerId,
        target: PeerId,
        document: DocumentId,
        session: String,
        count: u64,
        data: Vec<u8>,
    },
    Error {
        message: String,
    },
    /// A message type this client does not act on (e.g. remote heads).
    Other {
        kind: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("malformed CBOR: {0}")]
    Cbor(String),
    #[error("message is not a CBOR map")]
    NotAMap,
    #[error("message has no type")]
    MissingType,
    #[error("`{kind}` message lacks `{field}`")]
    MissingField { kind: String, field: &'static str },
    #[error("bad document id")]
    BadDocumentId,
    #[error("not in canonical form: {0}")]
    NotCanonical(#[from] super::canonical::NotCanonical),
}

impl From<minicbor::decode::Error> for DecodeError {
    fn from(e: minicbor::decode::Error) -> Self {
        DecodeError::Cbor(e.to_string())
    }
}

#[derive(Default)]
struct Fields {
    kind: Option<String>,
    sender: Option<String>,
    target: Option<String>,
    document: Option<String>,
    data: Option<Vec<u8>>,
    versions: Option<Vec<String>>,
    version: Option<String>,
    metadata: Option<PeerMetadata>,
    session: Option<String>,
    count: Option<u64>,
    message: Option<String>,
}

fn decode_number(d: &mut Decoder<'_>) -> Result<u64, DecodeError> {
    Ok(match d.datatype()? {
        Type::F16 | Type::F32 | Type::F64 => d.f64()? as u64,
        _ => d.u64()?,
    })
}

fn decode_metadata(d: &mut Decoder<'_>) -> Result<Option<PeerMetadata>, DecodeError> {
    if d.datatype()? != Type::Map {
        d.skip()?;
        return Ok(None);
    }
    let len = d.map()?.ok_or(DecodeError::NotAMap)?;
    let mut metadata = PeerMetadata::default();
    for _ in 0..len {
        match d.str()? {
            "storageId" if d.datatype()? == Type::String => {
                metadata.storage_id = Some(d.str()?.to_string())
            }
            "isEphemeral" if d.datatype()? == Type::Bool => metadata.is_ephemeral = d.bool()?,
            _ => d.skip()?,
        }
    }
    Ok(Some(metadata))
}

impl Message {
    /// Decodes a frame from an untrusted peer: only its one plain form is
    /// accepted (see [`super::canonical`]), so whoever reads it next reads
    /// the same message.
    pub fn decode_canonical(bytes: &[u8]) -> Result<Message, DecodeError> {
        super::canonical::check(bytes)?;
        Message::decode(bytes)
    }

    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        let mut d = Decoder::new(bytes);
        if d.datatype()? != Type::Map {
            return Err(DecodeError::NotAMap);
        }
        let len = d.map()?.ok_or(DecodeError::NotAMap)?;
        let mut f = Fields::default();
        for _ in 0..len {
            let key = d.str()?;
            let ty = d.datatype()?;
            match (key, ty) {
                ("type", Type::String) => f.kind = Some(d.str()?.to_string()),
                ("senderId", Type::String) => f.sender = Some(d.str()?.to_string()),
                ("targetId", Type::String) => f.target = Some(d.str()?.to_string()),
                ("documentId", Type::String) => f.document = Some(d.str()?.to_string()),
                ("data", Type::Bytes) => f.data = Some(d.bytes()?.to_vec()),
                ("selectedProtocolVersion", Type::String) => f.version = Some(d.str()?.to_string()),
                ("supportedProtocolVersions", Type::Array) => {
                    let n = d.array()?.unwrap_or(0);
                    let mut versions = Vec::new();
                    for _ in 0..n {
                        versions.push(d.str()?.to_string());
                    }
                    f.versions = Some(versions);
                }
                ("peerMetadata" | "metadata", _) => f.metadata = decode_metadata(&mut d)?,
                ("sessionId", Type::String) => f.session = Some(d.str()?.to_string()),
                ("count", _) => f.count = Some(decode_number(&mut d)?),
                ("message", Type::String) => f.message = Some(d.str()?.to_string()),
                _ => d.skip()?,
            }
        }
        let kind = f.kind.take().ok_or(DecodeError::MissingType)?;
        let need = |value: Option<String>, field: &'static str| {
            value.ok_or_else(|| DecodeError::MissingField {
                kind: kind.clone(),
                field,
            })
        };
        let peer = |value: Option<String>, field| need(value, field).map(PeerId::from_wire);
        let document = |value: Option<String>| {
            need(value, "documentId")
                .and_then(|d| DocumentId::parse(&d).map_err(|_| DecodeError::BadDocumentId))
        };
        let data = |value: Option<Vec<u8>>| {
            value.ok_or_else(|| DecodeError::MissingField {
                kind: kind.clone(),
                field: "data",
            })
        };
        Ok(match kind.as_str() {
            "join" => Message::Join {
                sender: peer(f.sender, "senderId")?,
                versions: f.versions.unwrap_or_default(),
                metadata: f.metadata,
            },
            "peer" => Message::Peer {
                sender: peer(f.sender, "senderId")?,
                target: peer(f.target, "targetId")?,
                version: need(f.version, "selectedProtocolVersion")?,
                metadata: f.metadata,
            },
            "leave" => Message::Leave {
                sender: peer(f.sender, "senderId")?,
            },
            "request" => Message::Request {
                sender: peer(f.sender, "senderId")?,
                target: peer(f.target, "targetId")?,
                document: document(f.document)?,
                data: data(f.data)?,
            },
            "sync" => Message::Sync {
                sender: peer(f.sender, "senderId")?,
                target: peer(f.target, "targetId")?,
                document: document(f.document)?,
                data: data(f.data)?,
            },
            "doc-unavailable" => Message::DocUnavailable {
                sender: peer(f.sender, "senderId")?,
                target: peer(f.target, "targetId")?,
                document: document(f.document)?,
            },
            "ephemeral" => Message::Ephemeral {
                sender: peer(f.sender, "senderId")?,
                target: peer(f.target, "targetId")?,
                document: document(f.document)?,
                session: need(f.session, "sessionId")?,
                count: f.count.unwrap_or(0),
                data: data(f.data)?,
            },
            "error" => Message::Error {
                message: f.message.unwrap_or_default(),
            },
            _ => Message::Other { kind },
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        // Writing to a Vec cannot fail.
        self.encode_into(&mut e).expect("encoding into a Vec");
        e.into_writer()
    }

    fn encode_into(
        &self,
        e: &mut Encoder<Vec<u8>>,
    ) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
        fn metadata(
            e: &mut Encoder<Vec<u8>>,
            m: &PeerMetadata,
        ) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
            e.str("peerMetadata")?;
            e.map(if m.storage_id.is_some() { 2 } else { 1 })?;
            if let Some(id) = &m.storage_id {
                e.str("storageId")?.str(id)?;
            }
            e.str("isEphemeral")?.bool(m.is_ephemeral)?;
            Ok(())
        }
        match self {
            Message::Join {
                sender,
                versions,
                metadata: m,
            } => {
                e.map(3 + u64::from(m.is_some()))?;
                e.str("type")?.str("join")?;
                e.str("senderId")?.str(sender.as_str())?;
                e.str("supportedProtocolVersions")?
                    .array(versions.len() as u64)?;
                for v in versions {
                    e.str(v)?;
                }
                if let Some(m) = m {
                    metadata(e, m)?;
                }
            }
            Message::Peer {
                sender,
                target,
                version,
                metadata: m,
            } => {
                e.map(4 + u64::from(m.is_some()))?;
                e.str("type")?.str("peer")?;
                e.str("senderId")?.str(sender.as_str())?;
                e.str("selectedProtocolVersion")?.str(version)?;
                e.str("targetId")?.str(target.as_str())?;
                if let Some(m) = m {
                    metadata(e, m)?;
                }
            }
            Message::Leave { sender } => {
                e.map(2)?;
                e.str("type")?.str("leave")?;
                e.str("senderId")?.str(sender.as_str())?;
            }
            Message::Request {
                sender,
                target,
                document,
                data,
            }
            | Message::Sync {
                sender,
                target,
                document,
                data,
            } => {
                let kind = if matches!(self, Message::Request { .. }) {
                    "request"
                } else {
                    "sync"
                };
                e.map(5)?;
                e.str("type")?.str(kind)?;
                e.str("documentId")?.str(&document.to_string())?;
                e.str("senderId")?.str(sender.as_str())?;
                e.str("targetId")?.str(target.as_str())?;
                e.str("data")?.bytes(data)?;
            }
            Message::DocUnavailable {
                sender,
                target,
                document,
            } => {
                e.map(4)?;
                e.str("type")?.str("doc-unavailable")?;
                e.str("senderId")?.str(sender.as_str())?;
                e.str("targetId")?.str(target.as_str())?;
                e.str("documentId")?.str(&document.to_string())?;
            }
            Message::Ephemeral {
                sender,
                target,
                document,
                session,
                count,
                data,
            } => {
                e.map(7)?;
                e.str("type")?.str("ephemeral")?;
                e.str("senderId")?.str(sender.as_str())?;
                e.str("targetId")?.str(target.as_str())?;
                e.str("count")?.u64(*count)?;
                e.str("sessionId")?.str(session)?;
                e.str("documentId")?.str(&document.to_string())?;
                e.str("data")?.bytes(data)?;
            }
            Message::Error { message } => {
                e.map(2)?;
                e.str("type")?.str("error")?;
                e.str("message")?.str(message)?;
            }
            Message::Other { kind } => {
                e.map(1)?;
                e.str("type")?.str(kind)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> DocumentId {
        DocumentId::from_bytes([3; 16])
    }

    fn peer(s: &str) -> PeerId {
        PeerId::from_wire(s.to_string())
    }

    #[test]
    fn every_message_round_trips() {
        let messages = [
            Message::Join {
                sender: peer("a"),
                versions: vec!["1".into()],
                metadata: Some(PeerMetadata {
                    storage_id: Some("s".into()),
                    is_ephemeral: false,
                }),
            },
            Message::Peer {
                sender: peer("server"),
                target: peer("a"),
                version: "1".into(),
                metadata: None,
            },
            Message::Leave { sender: peer("a") },
            Message::Request {
                sender: peer("a"),
                target: peer("b"),
                document: doc(),
                data: vec![1, 2],
            },
            Message::Sync {
                sender: peer("a"),
                target: peer("b"),
                document: doc(),
                data: vec![3],
            },
            Message::DocUnavailable {
                sender: peer("a"),
                target: peer("b"),
                document: doc(),
            },
            Message::Ephemeral {
                sender: peer("a"),
                target: peer("b"),
                document: doc(),
                session: "sess".into(),
                count: 4,
                data: vec![9],
            },
            Message::Error {
                message: "bad".into(),
            },
        ];
        for m in messages {
            assert_eq!(Message::decode(&m.encode()), Ok(m));
        }
    }

    #[test]
    fn unknown_message_types_decode_as_other() {
        let m = Message::Other {
            kind: "remote-heads-changed".into(),
        };
        assert_eq!(Message::decode(&m.encode()), Ok(m));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Message::decode(&[]).is_err());
        assert!(Message::decode(&[0xff, 0x00, 0x13]).is_err());
        assert_eq!(Message::decode(&[0x01]), Err(DecodeError::NotAMap));
    }

    #[test]
    fn a_sync_message_without_data_is_rejected() {
        let mut e = Encoder::new(Vec::new());
        e.map(2).unwrap();
        e.str("type").unwrap().str("sync").unwrap();
        e.str("documentId")
            .unwrap()
            .str(&doc().to_string())
            .unwrap();
        assert!(matches!(
            Message::decode(&e.into_writer()),
            Err(DecodeError::MissingField { .. })
        ));
    }
}
