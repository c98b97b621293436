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

/// The arguments of one call.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// Path, query and header parameters, by the builder's setter name (`per_page`).
    pub params: Map<String, Value>,
    /// A JSON body.
    pub body: Option<Value>,
    /// A raw body (an archive upload).
    pub raw_body: Option<Bytes>,
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

/// An untyped answer, read whole.
pub async fn bytes(response: ResponseValue<ByteStream>) -> Result<Answer, Error> {
    use futures::TryStreamExt;
    let status = response.status().as_u16();
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

/// The error for a call without the raw body its operation needs.
pub fn missing_raw_body(operation: &str) -> Error {
    Error::InvalidRequest(format!("`{operation}` takes a raw body"))
}
