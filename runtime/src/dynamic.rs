//! Operations called by name with JSON arguments: what the data-driven conformance and contract
//! tests, the embedded mock's clients and a command line need, without code per operation. Each
//! generated domain has an `invoke(client, operation, args)` (cargo feature `dynamic`) that maps
//! the arguments onto the operation's typed builder, so every value still goes through the
//! operation's types and the runtime (headers, retries, errors) exactly as a typed call does.

use crate::{ByteStream, Error, ResponseValue};
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The arguments of one call.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// Path, query and header parameters, by the builder's setter name (`per_page`).
    pub params: Map<String, Value>,
    /// A JSON body.
    pub body: Option<Value>,
    /// A raw body (an archive upload).
    pub raw_body: Option<Bytes>,
    /// A raw body read from this file as it is sent, never whole in memory (when `raw_body`
    /// is `None`).
    pub raw_file: Option<PathBuf>,
    /// Where an untyped answer's bytes go as they arrive (a download to a file), instead of
    /// into memory; the answer is then [`AnswerBody::Streamed`].
    pub sink: Option<Sink>,
}

/// Receives an untyped answer's bytes chunk by chunk, in order. An error from it ends the
/// call with [`Error::Io`].
#[derive(Clone)]
pub struct Sink(Arc<Mutex<WriteChunk>>);

type WriteChunk = dyn FnMut(&[u8]) -> std::io::Result<()> + Send;

impl Sink {
    /// A sink calling `write` with each chunk.
    pub fn new(write: impl FnMut(&[u8]) -> std::io::Result<()> + Send + 'static) -> Self {
        Self(Arc::new(Mutex::new(write)))
    }

    fn write(&self, chunk: &[u8]) -> std::io::Result<()> {
        // A panic in an earlier call poisons the lock; the sink itself is still usable.
        let mut write = self.0.lock().unwrap_or_else(|p| p.into_inner());
        write(chunk)
    }
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sink")
    }
}

/// What an operation answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, as the operation's types read it.
    pub body: AnswerBody,
}

/// An answer's body.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerBody {
    /// A JSON body, decoded as the operation's type and encoded back.
    Json(Value),
    /// A body the operation does not type (ndjson, binary), as received.
    Bytes(Bytes),
    /// No body.
    Empty,
    /// A body the operation does not type, given to the arguments' [`Sink`] as it arrived:
    /// its length in bytes.
    Streamed(u64),
}

impl Args {
    /// A parameter's value, by setter name.
    pub fn param(&self, setter: &str) -> Option<&Value> {
        self.params.get(setter)
    }
}

/// An argument as the setter's type; a value of the wrong shape is an invalid request naming it.
pub fn arg<T: DeserializeOwned>(name: &str, value: &Value) -> Result<T, Error> {
    serde_json::from_value(value.clone())
        .map_err(|e| Error::InvalidRequest(format!("argument `{name}`: {e}")))
}

/// A JSON body as the operation's body type. A field the type has no place for (a typo, or a
/// field the spec does not declare) is refused by name rather than dropped: it would not reach
/// Kibana.
pub fn body<T: DeserializeOwned + Serialize>(value: &Value) -> Result<T, Error> {
    let typed: T = match serde_path_to_error::deserialize(value) {
        Ok(typed) => typed,
        Err(e) => {
            let message = e.inner().to_string();
            // A type that refuses unknown fields (`additionalProperties: false`) says so in
            // serde's words: named here as any other field without a place.
            let field = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(field, _)| field);
            return Err(Error::InvalidRequest(match field {
                Some(field) => {
                    // The path ends at the unknown key itself.
                    let at = match e.path().to_string() {
                        p if p == "." => field.to_string(),
                        p => p,
                    };
                    format!(
                        "argument `body`: the body's type has no place for `{at}`; it would not \
                         be sent ({message})"
                    )
                }
                None => format!("argument `body`: {message}"),
            }));
        }
    };
    let sent = serde_json::to_value(&typed)
        .map_err(|e| Error::InvalidRequest(format!("argument `body`: {e}")))?;
    let mut lost = Vec::new();
    lost_fields(value, &sent, "", &mut lost);
    if lost.is_empty() {
        Ok(typed)
    } else {
        Err(Error::InvalidRequest(format!(
            "argument `body`: the body's type has no place for {}; it would not be sent",
            lost.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// The paths (`items[0].list_id`) of fields of `input` that `output` does not carry. Empty
/// values may be left out: generated types skip them on encoding.
fn lost_fields(input: &Value, output: &Value, at: &str, lost: &mut Vec<String>) {
    match (input, output) {
        (Value::Object(i), Value::Object(o)) => {
            for (k, v) in i {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match o.get(k) {
                    Some(w) => lost_fields(v, w, &path, lost),
                    None if crate::union::is_empty(v) => {}
                    None => lost.push(path),
                }
            }
        }
        (Value::Array(i), Value::Array(o)) => {
            for (n, (v, w)) in i.iter().zip(o).enumerate() {
                lost_fields(v, w, &format!("{at}[{n}]"), lost);
            }
        }
        _ => {}
    }
}

/// A typed JSON answer, encoded back to JSON.
pub fn json<T: Serialize>(response: ResponseValue<T>) -> Result<Answer, Error> {
    let status = response.status().as_u16();
    let body = serde_json::to_value(response.into_inner())
        .map_err(|e| Error::InvalidRequest(format!("encoding the answer: {e}")))?;
    Ok(Answer {
        status,
        body: AnswerBody::Json(body),
    })
}

/// An untyped answer: read whole, or given to the arguments' sink chunk by chunk.
pub async fn bytes(response: ResponseValue<ByteStream>, args: &Args) -> Result<Answer, Error> {
    use futures::TryStreamExt;
    let status = response.status().as_u16();
    if let Some(sink) = &args.sink {
        let mut stream = response.into_inner().into_inner();
        let mut length = 0u64;
        while let Some(chunk) = stream.try_next().await.map_err(Error::from_reqwest)? {
            sink.write(&chunk).map_err(Error::Io)?;
            length += chunk.len() as u64;
        }
        return Ok(Answer {
            status,
            body: AnswerBody::Streamed(length),
        });
    }
    let chunks: Vec<Bytes> = response
        .into_inner()
        .into_inner()
        .try_collect()
        .await
        .map_err(Error::from_reqwest)?;
    Ok(Answer {
        status,
        body: AnswerBody::Bytes(chunks.concat().into()),
    })
}

/// An answer without a body.
pub fn empty(response: ResponseValue<()>) -> Result<Answer, Error> {
    Ok(Answer {
        status: response.status().as_u16(),
        body: AnswerBody::Empty,
    })
}

/// The error for an operation or domain name the client does not have.
pub fn unknown(what: &str, name: &str) -> Error {
    Error::InvalidRequest(format!("no {what} named `{name}`"))
}

/// A call's raw body, and the media type its first bytes show (an archive's).
pub struct RawBody {
    /// The bytes, or the file's stream.
    pub body: reqwest::Body,
    /// `application/zip` or `application/gzip` when a file starts like one.
    pub sniffed: Option<&'static str>,
}

/// The raw body of a call: its bytes, or its file streamed as it is sent. A file cannot be
/// sent twice, so such a request is never retried.
pub async fn raw_body(args: &Args, operation: &str) -> Result<RawBody, Error> {
    match (&args.raw_body, &args.raw_file) {
        (Some(bytes), _) => Ok(RawBody {
            body: bytes.clone().into(),
            sniffed: None,
        }),
        (None, Some(path)) => {
            let named = |e: std::io::Error| {
                Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("{}: {e}", path.display()),
                ))
            };
            let file = tokio::fs::File::open(path).await.map_err(named)?;
            // The same reading as an archive upload's: its head tells the type.
            let (sniffed, body) =
                crate::upload::stream_body(Box::new(file))
                    .await
                    .map_err(|e| match e {
                        Error::Io(e) => named(e),
                        other => other,
                    })?;
            Ok(RawBody {
                body,
                sniffed: sniffed.map(crate::upload::ArchiveType::media_type),
            })
        }
        (None, None) => Err(Error::InvalidRequest(format!(
            "`{operation}` takes a raw body"
        ))),
    }
}

/// Runs `call` (a send) with the raw body's sniffed media type known to the request hook,
/// which sends it when the operation accepts that type.
pub async fn sent_as<F: std::future::Future>(sniffed: Option<&'static str>, call: F) -> F::Output {
    match sniffed {
        Some(media_type) => crate::upload::STREAMED_TYPE.scope(media_type, call).await,
        None => call.await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Serialize, Deserialize)]
    struct Item {
        name: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
    }
    #[derive(Debug, Serialize, Deserialize)]
    struct Body {
        items: Vec<Item>,
    }

    #[test]
    fn a_body_field_without_a_place_is_refused_by_name() {
        let given = json!({"items": [{"name": "a"}, {"name": "b", "list_id": "x"}], "extra": 1});
        let err = body::<Body>(&given).unwrap_err().to_string();
        assert!(err.contains("`items[1].list_id`"), "{err}");
        assert!(err.contains("`extra`"), "{err}");
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        name: String,
    }
    #[derive(Debug, Serialize, Deserialize)]
    struct Outer {
        inner: Vec<Strict>,
    }

    #[test]
    fn a_type_that_refuses_unknown_fields_names_the_field_the_same_way() {
        let err = body::<Strict>(&json!({"name": "a", "id": "x"}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no place for `id`"), "{err}");
        assert!(
            err.contains("expected `name`"),
            "serde's list of fields is kept: {err}"
        );
        let err = body::<Outer>(&json!({"inner": [{"name": "a"}, {"name": "b", "id": 1}]}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no place for `inner[1].id`"), "{err}");
        let err = body::<Strict>(&json!({"name": 5})).unwrap_err().to_string();
        assert!(
            err.starts_with("invalid request: argument `body`: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn empty_values_left_out_and_declared_fields_pass() {
        let given = json!({"items": [{"name": "a", "tags": []}], "note": null});
        let typed = body::<Body>(&given).unwrap();
        assert_eq!(typed.items[0].name, "a");
    }
}
