//! Newline-delimited JSON, read incrementally: lines come out as their bytes arrive, and only
//! the current partial line is held, however large the whole body.

use crate::Error;
use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use std::path::Path;
use tokio::io::AsyncWriteExt;

/// The longest line accepted; a longer one is a [`Error::MalformedLine`] (and not read into memory).
pub const MAX_LINE: usize = 64 * 1024 * 1024;

/// The non-empty lines of `body`, each with its 1-based line number. A line that arrives
/// whole inside one chunk is a slice of it (no copy); only a line split across chunks is
/// gathered into a buffer. Each byte is searched for a newline once.
pub fn lines<S>(body: S) -> impl Stream<Item = Result<(usize, Bytes), Error>>
where
    S: Stream<Item = reqwest::Result<Bytes>> + Unpin,
{
    struct State<S> {
        body: S,
        /// The start of a line whose newline has not come yet.
        partial: BytesMut,
        /// What is left of the current chunk, not yet searched.
        chunk: Bytes,
        line: usize,
        done: bool,
    }
    futures::stream::unfold(
        State {
            body,
            partial: BytesMut::new(),
            chunk: Bytes::new(),
            line: 0,
            done: false,
        },
        |mut s| async move {
            loop {
                if s.done {
                    return None;
                }
                if !s.chunk.is_empty() {
                    let Some(at) = memchr::memchr(b'\n', &s.chunk) else {
                        if s.partial.len() + s.chunk.len() > MAX_LINE {
                            s.done = true;
                            let e = Error::MalformedLine {
                                line: s.line + 1,
                                message: format!("longer than {MAX_LINE} bytes"),
                            };
                            return Some((Err(e), s));
                        }
                        s.partial.extend_from_slice(&s.chunk);
                        s.chunk.clear();
                        continue;
                    };
                    let piece = s.chunk.split_to(at + 1);
                    let mut line = if s.partial.is_empty() {
                        piece
                    } else {
                        s.partial.extend_from_slice(&piece);
                        s.partial.split().freeze()
                    };
                    line.truncate(line.len() - 1);
                    s.line += 1;
                    if line.last() == Some(&b'\r') {
                        line.truncate(line.len() - 1);
                    }
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let n = s.line;
                    return Some((Ok((n, line)), s));
                }
                match s.body.next().await {
                    Some(Ok(chunk)) => s.chunk = chunk,
                    Some(Err(e)) => {
                        s.done = true;
                        return Some((Err(Error::from_reqwest(e)), s));
                    }
                    None => {
                        s.done = true;
                        // A last line without a newline.
                        if s.partial.iter().all(u8::is_ascii_whitespace) {
                            return None;
                        }
                        s.line += 1;
                        let n = s.line;
                        let rest = std::mem::take(&mut s.partial).freeze();
                        return Some((Ok((n, rest)), s));
                    }
                }
            }
        },
    )
}

/// A stream of decoded lines, as they arrive.
pub type LineStream<T> = std::pin::Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// Each line of `body` decoded as `T`. The first line that does not decode ends the stream with
/// [`Error::MalformedLine`] (naming the JSON path), after every good line before it.
pub fn typed<T, S>(body: S) -> LineStream<T>
where
    T: DeserializeOwned + Send + 'static,
    S: Stream<Item = reqwest::Result<Bytes>> + Unpin + Send + 'static,
{
    Box::pin(lines(body).scan(false, |failed, line| {
        if *failed {
            return futures::future::ready(None);
        }
        let result = line.and_then(|(n, bytes)| decode_line::<T>(n, &bytes));
        *failed = result.is_err();
        futures::future::ready(Some(result))
    }))
}

/// One line decoded as `T`, or [`Error::MalformedLine`] naming the JSON path that failed.
pub fn decode_line<T: DeserializeOwned>(line: usize, bytes: &[u8]) -> Result<T, Error> {
    // Decoded at full speed; only a line that fails is decoded again to find where.
    if let Ok(value) = crate::de::from_json(bytes) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| Error::MalformedLine {
        line,
        message: format!("at `{}`: {}", e.path(), e.inner()),
    })
}

/// What [`write_to`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteSummary<T> {
    /// Lines written (each one decoded first).
    pub lines: u64,
    /// The last line, decoded (an export's details line, for instance).
    pub last: Option<T>,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes `body` to `path` as it arrives, line by line, checking that each decodes as `T`. On
/// an error, the file holds every good line before it.
pub async fn write_to<T, S>(body: S, path: &Path) -> Result<WriteSummary<T>, Error>
where
    T: DeserializeOwned,
    S: Stream<Item = reqwest::Result<Bytes>> + Unpin,
{
    let io = Error::Io;
    let file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut out = tokio::io::BufWriter::new(file);
    let mut summary = WriteSummary {
        lines: 0,
        last: None,
        bytes: 0,
    };
    let mut lines = std::pin::pin!(lines(body));
    let copied: Result<(), Error> = async {
        while let Some(line) = lines.next().await {
            let (n, bytes) = line?;
            summary.last = Some(decode_line::<T>(n, &bytes)?);
            out.write_all(&bytes).await.map_err(io)?;
            out.write_all(b"\n").await.map_err(io)?;
            summary.lines += 1;
            summary.bytes += bytes.len() as u64 + 1;
        }
        Ok(())
    }
    .await;
    // Flushed either way: on an error the file keeps every good line.
    out.flush().await.map_err(io)?;
    copied?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    fn body(chunks: &[&'static str]) -> impl Stream<Item = reqwest::Result<Bytes>> + Unpin {
        futures::stream::iter(
            chunks
                .iter()
                .map(|c| Ok(Bytes::from_static(c.as_bytes())))
                .collect::<Vec<_>>(),
        )
    }

    #[tokio::test]
    async fn splits_across_chunks() {
        let got: Vec<(usize, Bytes)> =
            lines(body(&["{\"a\":", "1}\n{\"b\"", ":2}\r\n\n", "{\"c\":3}"]))
                .try_collect()
                .await
                .unwrap();
        let got: Vec<(usize, &str)> = got
            .iter()
            .map(|(n, b)| (*n, std::str::from_utf8(b).unwrap()))
            .collect();
        assert_eq!(got, [(1, "{\"a\":1}"), (2, "{\"b\":2}"), (4, "{\"c\":3}")]);
        let none: Vec<(usize, Bytes)> = lines(body(&["", "\n\n"])).try_collect().await.unwrap();
        assert!(none.is_empty());
    }

    #[tokio::test]
    async fn newlines_anywhere_in_many_chunks_are_found() {
        // Lines of 0..40 bytes cut into chunks of 1..7 bytes: every newline position in a
        // chunk, lines spanning many chunks, several lines in one chunk.
        let text: String = (0..40).map(|n| "x".repeat(n) + "\n").collect();
        for size in 1..8 {
            let chunks: Vec<reqwest::Result<Bytes>> = text
                .as_bytes()
                .chunks(size)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            let got: Vec<(usize, Bytes)> = lines(futures::stream::iter(chunks))
                .try_collect()
                .await
                .unwrap();
            let want: Vec<(usize, Bytes)> = (1..40)
                .map(|n| (n + 1, Bytes::from("x".repeat(n))))
                .collect();
            assert_eq!(got, want, "chunks of {size}");
        }
    }

    #[tokio::test]
    async fn a_line_past_the_limit_stops_the_stream() {
        let chunk = Bytes::from(vec![b'x'; 1 << 20]);
        let endless =
            futures::stream::repeat_with(move || Ok(chunk.clone())).take(MAX_LINE / (1 << 20) + 2);
        let mut stream = std::pin::pin!(lines(endless));
        match stream.next().await {
            Some(Err(Error::MalformedLine { line: 1, message })) => {
                assert!(message.contains("longer than"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert!(stream.next().await.is_none(), "nothing after the error");
    }
}
