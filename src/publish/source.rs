//! Reading a source file: from the mirror folder when it has it, otherwise
//! from its upstream URL; verified by SHA-256 either way.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::data::hash::sha256_hex;
use crate::error::PublishError;
use crate::publish::manifest::SourceSpec;

/// The largest source file read.
pub const MAX_SOURCE_BYTES: u64 = 256 * 1024 * 1024;
/// How long to wait for an upstream host to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole upstream download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// A verified source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub id: String,
    /// Where it was read from (a path or a URL), for reports and errors.
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// Reads source `id` from `mirror` (if given and it has the file) or from
/// its URL, and checks its SHA-256.
pub fn read(
    id: &str,
    spec: &SourceSpec,
    mirror: Option<&Path>,
) -> Result<SourceFile, PublishError> {
    let mut tried = Vec::new();
    if let Some(mirror) = mirror {
        let path = mirror.join(&spec.mirror);
        match read_capped(&path) {
            Ok(bytes) => return verified(id, spec, path.display().to_string(), bytes),
            Err(e) => tried.push(format!("{}: {e}", path.display())),
        }
    } else {
        tried.push("no mirror folder".to_string());
    }
    match download(&spec.url) {
        Ok(bytes) => verified(id, spec, spec.url.clone(), bytes),
        Err(e) => {
            tried.push(format!("{}: {e}", spec.url));
            Err(PublishError::Unavailable {
                source_id: id.to_string(),
                tried: tried.join("; "),
            })
        }
    }
}

fn verified(
    id: &str,
    spec: &SourceSpec,
    origin: String,
    bytes: Vec<u8>,
) -> Result<SourceFile, PublishError> {
    let actual = sha256_hex(&bytes);
    if actual != spec.sha256 {
        return Err(PublishError::HashMismatch {
            source_id: format!("{id} ({origin})"),
            expected: spec.sha256.clone(),
            actual,
        });
    }
    Ok(SourceFile {
        id: id.to_string(),
        origin,
        bytes,
    })
}

fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_SOURCE_BYTES {
        return Err(format!(
            "{size} bytes, more than the {MAX_SOURCE_BYTES} a source may have"
        ));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}

fn download(url: &str) -> Result<Vec<u8>, String> {
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return Err("not an http(s) URL".into());
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(DOWNLOAD_TIMEOUT))
        .build()
        .into();
    let response = agent.get(url).call().map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(format!("larger than {MAX_SOURCE_BYTES} bytes"));
    }
    Ok(bytes)
}
