//! Raw-body uploads (e.g. Fleet's package upload) from a file, bytes or any async reader:
//! streamed, never buffered whole, sent as `application/zip` or `application/gzip` as the
//! archive really is. Generated `upload()` methods call [`upload`] with their operation's
//! accepted media types.

use crate::{Error, ResponseValue};
use bytes::Bytes;
use futures::StreamExt;
use std::future::Future;
use std::path::PathBuf;
use tokio::io::{AsyncRead, AsyncReadExt};

tokio::task_local! {
    /// The media type of the body being sent by this task, for the request hook.
    pub(crate) static BODY_CONTENT_TYPE: &'static str;
    /// The media type a streamed raw body's first bytes show, for the request hook to use
    /// when the operation accepts it (it cannot see into a stream).
    pub(crate) static STREAMED_TYPE: &'static str;
}

/// An archive's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveType {
    /// `application/zip`
    Zip,
    /// `application/gzip` (a `.tar.gz` package)
    Gzip,
}

impl ArchiveType {
    /// The media type Kibana expects.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Zip => "application/zip",
            Self::Gzip => "application/gzip",
        }
    }

    /// The format a media type names, if it is an archive format.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/zip" => Some(Self::Zip),
            "application/gzip" => Some(Self::Gzip),
            _ => None,
        }
    }

    /// The format of an archive starting with `bytes`.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match crate::archive::sniff(bytes)? {
            "application/zip" => Some(Self::Zip),
            _ => Some(Self::Gzip),
        }
    }
}

/// Where an uploaded archive comes from.
pub enum Archive {
    /// A file, read as it is sent.
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(Bytes),
    /// Any reader, read as it is sent.
    Reader(Box<dyn AsyncRead + Send + Sync + Unpin>),
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Self::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Self::Reader(_) => f.write_str("Reader"),
        }
    }
}

impl From<PathBuf> for Archive {
    fn from(path: PathBuf) -> Self {
        Self::Path(path)
    }
}

impl From<&std::path::Path> for Archive {
    fn from(path: &std::path::Path) -> Self {
        Self::Path(path.to_path_buf())
    }
}

impl From<Vec<u8>> for Archive {
    fn from(bytes: Vec<u8>) -> Self {
        Self::Bytes(bytes.into())
    }
}

impl From<Bytes> for Archive {
    fn from(bytes: Bytes) -> Self {
        Self::Bytes(bytes)
    }
}

/// Reads up to `n` bytes: fewer only at the end of the input.
async fn read_prefix(
    reader: &mut (dyn AsyncRead + Send + Sync + Unpin),
    n: usize,
) -> std::io::Result<Vec<u8>> {
    let mut prefix = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        let read = reader.read(&mut prefix[filled..]).await?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    prefix.truncate(filled);
    Ok(prefix)
}

/// Sends `archive` through `send` (the operation's builder with the body set), as it is read,
/// with the media type its first bytes show (or `archive_type`, when given). `accepted` lists
/// the media types the operation takes: an archive of another type is refused before anything
/// is sent; an operation that takes one media type that is not an archive format gets it.
pub async fn upload<T, F, Fut>(
    archive: impl Into<Archive>,
    archive_type: Option<ArchiveType>,
    accepted: &'static [&'static str],
    send: F,
) -> Result<ResponseValue<T>, Error>
where
    F: FnOnce(reqwest::Body) -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, Error>>,
{
    let (sniffed, body) = match archive.into() {
        Archive::Bytes(bytes) => (ArchiveType::sniff(&bytes), reqwest::Body::from(bytes)),
        Archive::Path(path) => {
            let file = tokio::fs::File::open(&path).await.map_err(Error::Io)?;
            stream_body(Box::new(file)).await?
        }
        Archive::Reader(reader) => stream_body(reader).await?,
    };
    let media_type = match archive_type.or(sniffed) {
        Some(kind) if accepted.is_empty() || accepted.contains(&kind.media_type()) => {
            kind.media_type()
        }
        Some(kind) => {
            return Err(Error::InvalidRequest(format!(
                "the body is {}, and this operation takes {}",
                kind.media_type(),
                accepted.join(" or ")
            )));
        }
        None => match accepted {
            [only] if ArchiveType::from_media_type(only).is_none() => only,
            _ => {
                return Err(Error::InvalidRequest(format!(
                    "the body is not {}; give its ArchiveType if it is one",
                    if accepted.is_empty() {
                        "a zip or gzip archive".to_string()
                    } else {
                        accepted.join(" or ")
                    }
                )));
            }
        },
    };
    BODY_CONTENT_TYPE.scope(media_type, send(body)).await
}

/// A streaming body that starts with the bytes read to tell the format.
pub(crate) async fn stream_body(
    mut reader: Box<dyn AsyncRead + Send + Sync + Unpin>,
) -> Result<(Option<ArchiveType>, reqwest::Body), Error> {
    let prefix = read_prefix(reader.as_mut(), 4).await.map_err(Error::Io)?;
    let sniffed = ArchiveType::sniff(&prefix);
    let head = futures::stream::once(futures::future::ready(Ok::<Bytes, std::io::Error>(
        Bytes::from(prefix),
    )));
    let rest = tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024);
    Ok((sniffed, reqwest::Body::wrap_stream(head.chain(rest))))
}
