//! Success bodies, read and decoded. Generated operations call [`from_response`] instead of
//! progenitor's `ResponseValue::from_response`, which collects the body's chunks and then
//! copies them into one buffer: two copies of a page in memory at once. Here the chunks go
//! straight into one buffer of the announced length, and the headers move instead of being
//! cloned.

use crate::ResponseValue;
use bytes::{Bytes, BytesMut};
use serde::de::DeserializeOwned;

/// The limit the client's exec hook attaches to each response (`max_body_size`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyLimit(pub usize);

/// Marks a response whose body [`read_body`] already found past its limit (the request hook
/// reads whole JSON answers itself).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exceeded(pub usize);

/// How [`from_response`] tells `error::from_generated` that a body passed its limit, through
/// progenitor's `Custom` error (the only one it lets us build).
pub(crate) const TOO_LARGE: &str = "kibana-serverless: body larger than ";

/// Why a body was not read.
pub(crate) enum ReadError {
    Http(reqwest::Error),
    TooLarge(usize),
}

/// The response's JSON body decoded as `T`, with its status and headers.
pub async fn from_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = read_body(response).await.map_err(|e| match e {
        ReadError::Http(e) => progenitor_client::Error::ResponseBodyError(e),
        ReadError::TooLarge(limit) => {
            progenitor_client::Error::Custom(format!("{TOO_LARGE}{limit}"))
        }
    })?;
    match crate::de::from_json(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(body, e)),
    }
}

/// The whole body: a body of one chunk as it is, more chunks in a single buffer; no more than
/// the response's [`BodyLimit`] (the rest is not read).
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Bytes, ReadError> {
    let limit = response
        .extensions()
        .get::<BodyLimit>()
        .map_or(usize::MAX, |l| l.0);
    if let Some(Exceeded(limit)) = response.extensions().get::<Exceeded>() {
        return Err(ReadError::TooLarge(*limit));
    }
    let announced = response.content_length().unwrap_or(0);
    if usize::try_from(announced).unwrap_or(usize::MAX) > limit {
        return Err(ReadError::TooLarge(limit));
    }
    let Some(first) = chunk(&mut response).await? else {
        return Ok(Bytes::new());
    };
    if first.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    let Some(second) = chunk(&mut response).await? else {
        return Ok(first);
    };
    // The announced length is a hint, capped so a lying server cannot make us reserve much.
    let hint = usize::try_from(announced)
        .unwrap_or(usize::MAX)
        .min(64 << 20);
    let mut buffer = BytesMut::with_capacity(hint.max(first.len() + second.len()));
    buffer.extend_from_slice(&first);
    buffer.extend_from_slice(&second);
    drop((first, second));
    while let Some(more) = chunk(&mut response).await? {
        buffer.extend_from_slice(&more);
        if buffer.len() > limit {
            return Err(ReadError::TooLarge(limit));
        }
    }
    if buffer.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(buffer.freeze())
}

async fn chunk(response: &mut reqwest::Response) -> Result<Option<Bytes>, ReadError> {
    response.chunk().await.map_err(ReadError::Http)
}
