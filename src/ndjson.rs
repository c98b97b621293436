//! Newline-delimited JSON, read incrementally: lines come out as their bytes arrive, and only
//! the current partial line is held, however large the whole body.

use crate::Error;
use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};

/// The longest line accepted; a longer one is a [`Error::MalformedLine`] (and not read into memory).
pub const MAX_LINE: usize = 64 * 1024 * 1024;

/// The non-empty lines of `body`, each with its 1-based line number.
pub fn lines<S>(body: S) -> impl Stream<Item = Result<(usize, Bytes), Error>>
where
    S: Stream<Item = reqwest::Result<Bytes>> + Unpin,
{
    struct State<S> {
        body: S,
        buffer: BytesMut,
        line: usize,
        done: bool,
    }
    futures::stream::unfold(
        State {
            body,
            buffer: BytesMut::new(),
            line: 0,
            done: false,
        },
        |mut s| async move {
            loop {
                if s.done {
                    return None;
                }
                if let Some(end) = s.buffer.iter().position(|b| *b == b'\n') {
                    let mut line = s.buffer.split_to(end + 1).freeze();
                    line.truncate(end);
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
                if s.buffer.len() > MAX_LINE {
                    s.done = true;
                    let e = Error::MalformedLine {
                        line: s.line + 1,
                        message: format!("longer than {MAX_LINE} bytes"),
                    };
                    return Some((Err(e), s));
                }
                match s.body.next().await {
                    Some(Ok(chunk)) => s.buffer.extend_from_slice(chunk.chunk()),
                    Some(Err(e)) => {
                        s.done = true;
                        return Some((Err(Error::from_reqwest(e)), s));
                    }
                    None => {
                        s.done = true;
                        // A last line without a newline.
                        if s.buffer.iter().all(u8::is_ascii_whitespace) {
                            return None;
                        }
                        s.line += 1;
                        let n = s.line;
                        let rest = std::mem::take(&mut s.buffer).freeze();
                        return Some((Ok((n, rest)), s));
                    }
                }
            }
        },
    )
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
}
