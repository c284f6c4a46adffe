//! SHA-256, the identity of every published file and source.

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A downloaded file that is not the one the catalog lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{url}: the file's SHA-256 is {actual}, but the catalog lists {expected}; \
     the host serves another file than it announces: try again later, or tell the host"
)]
pub struct HashMismatch {
    pub url: String,
    pub actual: String,
    pub expected: String,
}

/// Checks that `bytes` are the file the catalog lists for `url`.
pub fn check_hash(url: &str, sha256: &str, bytes: &[u8]) -> Result<(), HashMismatch> {
    hash_matches(url, sha256, &sha256_hex(bytes))
}

/// Checks a file's computed hash `actual` against the catalog's `sha256`.
pub fn hash_matches(url: &str, sha256: &str, actual: &str) -> Result<(), HashMismatch> {
    if actual == sha256 {
        Ok(())
    } else {
        Err(HashMismatch {
            url: url.to_string(),
            actual: actual.to_string(),
            expected: sha256.to_string(),
        })
    }
}

/// The first 12 characters of a SHA-256 as shown to people. Cut on
/// characters, not bytes: a hash from a link may be any text.
pub fn short_hash(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_hash_cuts_on_characters() {
        assert_eq!(short_hash(&"ab".repeat(32)), "abababababab");
        assert_eq!(short_hash("åäöåäöåäöåäöåäö"), "åäöåäöåäöåäö");
        assert_eq!(short_hash(""), "");
    }

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
