//! Success bodies, read and decoded. Generated operations call [`from_response`] instead of
//! progenitor's `ResponseValue::from_response`, which collects the body's chunks and then
//! copies them into one buffer: two copies of a page in memory at once. Here the chunks go
//! straight into one buffer of the announced length, and the headers move instead of being
//! cloned.

use crate::ResponseValue;
use bytes::{Bytes, BytesMut};
use serde::de::DeserializeOwned;

/// The response's JSON body decoded as `T`, with its status and headers.
pub async fn from_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = read_body(response)
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    match serde_json::from_slice(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(body, e)),
    }
}

/// The whole body: a body of one chunk as it is, more chunks in a single buffer.
pub(crate) async fn read_body(mut response: reqwest::Response) -> reqwest::Result<Bytes> {
    let announced = response.content_length().unwrap_or(0);
    let Some(first) = response.chunk().await? else {
        return Ok(Bytes::new());
    };
    let Some(second) = response.chunk().await? else {
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
    while let Some(chunk) = response.chunk().await? {
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}
