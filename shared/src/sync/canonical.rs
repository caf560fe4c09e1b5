//! One reading of a frame: the relay's gate and samod must see the same
//! message, so a frame from a client is accepted only in a form with one
//! reading. Two decoders that disagree on a duplicate key (the first wins
//! in one, the last in the other), on an item of unstated length or on
//! bytes after the message could otherwise be shown one document and serve
//! another. (The gate also passes samod the message it read, encoded
//! afresh, so what is checked here is the frame's meaning.)
//!
//! Checked: no unstated-length items, no reserved heads, text that is
//! UTF-8, no key twice in any map, nesting at most [`MAX_DEPTH`] deep,
//! nothing after the message. A length or number may be written longer
//! than it needs: the JavaScript client's encoder (cbor-x) reserves room
//! for a string's length before it knows it, and such a head has one
//! reading. Key order is free, and floats are taken as written.

use std::collections::HashSet;

/// Deeper than any protocol message; bounds the walk's stack.
pub const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCanonical {
    #[error("the frame ends inside an item")]
    Truncated,
    #[error("bytes after the message")]
    TrailingBytes,
    #[error("an item of unstated length")]
    Indefinite,
    #[error("a reserved CBOR head")]
    Reserved,
    #[error("text that is not UTF-8")]
    NotUtf8,
    #[error("a map names the same key twice")]
    DuplicateKey,
    #[error("nested deeper than a protocol message")]
    TooDeep,
}

/// Checks that `bytes` is exactly one CBOR item in canonical form.
pub fn check(bytes: &[u8]) -> Result<(), NotCanonical> {
    let mut walk = Walk { bytes, at: 0 };
    walk.item(0)?;
    if walk.at != bytes.len() {
        return Err(NotCanonical::TrailingBytes);
    }
    Ok(())
}

struct Walk<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Walk<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], NotCanonical> {
        let n = usize::try_from(n).map_err(|_| NotCanonical::Truncated)?;
        let end = self.at.checked_add(n).ok_or(NotCanonical::Truncated)?;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or(NotCanonical::Truncated)?;
        self.at = end;
        Ok(slice)
    }

    fn number(&mut self, width: u64) -> Result<u64, NotCanonical> {
        Ok(self
            .take(width)?
            .iter()
            .fold(0u64, |n, b| n << 8 | u64::from(*b)))
    }

    /// One item's head: its major type and argument.
    fn head(&mut self) -> Result<(u8, u64), NotCanonical> {
        let first = self.take(1)?[0];
        let (major, info) = (first >> 5, first & 0x1f);
        if major == 7 {
            // Simple values and floats, taken as written.
            return match info {
                0..=23 => Ok((7, u64::from(info))),
                24 => self.number(1).map(|v| (7, v)),
                25 => self.take(2).map(|_| (7, 0)),
                26 => self.take(4).map(|_| (7, 0)),
                27 => self.take(8).map(|_| (7, 0)),
                31 => Err(NotCanonical::Indefinite),
                _ => Err(NotCanonical::Reserved),
            };
        }
        let argument = match info {
            0..=23 => u64::from(info),
            24 => self.number(1)?,
            25 => self.number(2)?,
            26 => self.number(4)?,
            27 => self.number(8)?,
            31 => return Err(NotCanonical::Indefinite),
            _ => return Err(NotCanonical::Reserved),
        };
        Ok((major, argument))
    }

    fn item(&mut self, depth: usize) -> Result<(), NotCanonical> {
        if depth > MAX_DEPTH {
            return Err(NotCanonical::TooDeep);
        }
        match self.head()? {
            (0 | 1 | 7, _) => Ok(()),
            (2, len) => self.take(len).map(|_| ()),
            (3, len) => std::str::from_utf8(self.take(len)?)
                .map(|_| ())
                .map_err(|_| NotCanonical::NotUtf8),
            (4, len) => (0..len).try_for_each(|_| self.item(depth + 1)),
            (5, len) => {
                let mut keys = HashSet::new();
                for _ in 0..len {
                    let start = self.at;
                    self.item(depth + 1)?;
                    // In canonical form equal keys are equal bytes.
                    if !keys.insert(&self.bytes[start..self.at]) {
                        return Err(NotCanonical::DuplicateKey);
                    }
                    self.item(depth + 1)?;
                }
                Ok(())
            }
            (6, _) => self.item(depth + 1),
            _ => Err(NotCanonical::Reserved),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_written_long_has_one_reading_and_passes() {
        // cbor-x writes "type" with a one-byte length after the head.
        assert_eq!(
            check(&[0xa1, 0x78, 4, b't', b'y', b'p', b'e', 0x01]),
            Ok(())
        );
    }

    #[test]
    fn an_honest_encoders_frames_pass() {
        let mut e = minicbor::Encoder::new(Vec::new());
        e.map(4).unwrap();
        e.str("type").unwrap().str("sync").unwrap();
        e.str("count").unwrap().u64(70_000).unwrap();
        e.str("data").unwrap().bytes(&[0; 300]).unwrap();
        e.str("list")
            .unwrap()
            .array(2)
            .unwrap()
            .f64(1.5)
            .unwrap()
            .bool(true)
            .unwrap();
        assert_eq!(check(&e.into_writer()), Ok(()));
    }

    #[test]
    fn every_other_form_is_refused() {
        let cases: [(&[u8], NotCanonical); 7] = [
            (
                &[0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x02],
                NotCanonical::DuplicateKey,
            ),
            (&[0xbf, 0x61, b'a', 0x01, 0xff], NotCanonical::Indefinite),
            (&[0x01, 0x02], NotCanonical::TrailingBytes),
            (&[0x62, b'a'], NotCanonical::Truncated),
            (&[0x62, 0xff, 0xfe], NotCanonical::NotUtf8),
            (&[0x1c], NotCanonical::Reserved),
            (&[0x81; 12], NotCanonical::TooDeep),
        ];
        for (bytes, why) in cases {
            assert_eq!(check(bytes), Err(why), "{bytes:x?}");
        }
    }

    proptest::proptest! {
        /// Whatever the bytes, the walk ends with an answer.
        #[test]
        fn any_bytes_get_an_answer(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _answer = check(&bytes);
        }
    }
}
