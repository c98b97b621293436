//! A fault-injecting HTTP/1.1 proxy for tests: it sits between a client and a real server on
//! loopback, forwards each request, and answers with the server's response as the test's plan
//! says: whole, reset, truncated, stalled, dripped, endless, malformed, in HTTP/1.0, or not at
//! all. Every wait is bounded, so a test that forgets a connection cannot hang on the proxy.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The longest the proxy waits on anything (a read, a held connection).
const PATIENCE: Duration = Duration::from_secs(20);

/// What the proxy does with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forward it and answer with the server's response, keeping the connection alive.
    Pass,
    /// Forward it (the server acts on it), then reset the connection before any answer.
    ResetBeforeResponse,
    /// Forward it, send the head and half the body, then reset.
    ResetMidBody,
    /// Forward it, send the head with the full `Content-Length` and half the body, then close.
    TruncatedWithLength,
    /// Forward it, send half the body as chunks without the closing chunk, then close.
    TruncatedChunked,
    /// Forward it, answer in HTTP/1.0 with half the body and no length, then close: the cut
    /// cannot be seen in HTTP, only in what the body says.
    TruncatedCloseDelimited,
    /// Read it and never answer (the connection stays open until the client leaves).
    Stall,
    /// Forward it and send the response in `pieces` parts spread over `over`.
    Drip {
        /// How many parts.
        pieces: u32,
        /// The time from the first part to the last.
        over: Duration,
    },
    /// Forward it, then answer 200 with the server's content type and a body that never ends
    /// (chunked, up to `bytes`): JSON whitespace inside an array, or one endless line.
    Endless {
        /// Where the proxy gives up sending.
        bytes: u64,
    },
    /// Forward it and answer with a header line that is not a header.
    GarbageHeader,
    /// Forward it and answer with two different `Content-Length` headers.
    ConflictingLength,
    /// Forward it and answer in HTTP/1.0, the body delimited by closing the connection.
    Http10,
    /// Accept the connection and never read from it nor answer.
    Silent,
    /// Do not forward it: answer `429` with `Retry-After: <seconds>`.
    Throttle {
        /// The `Retry-After` value, in seconds.
        retry_after: u32,
    },
}

impl Fault {
    /// Whether the server sees the request.
    fn forwards(&self) -> bool {
        !matches!(self, Fault::Stall | Fault::Silent | Fault::Throttle { .. })
    }
}

/// What to do with the request numbered `n` (from 0, in arrival order).
pub type Plan = Arc<dyn Fn(u64) -> Fault + Send + Sync>;

/// Counters of what the proxy saw and did.
#[derive(Debug, Default)]
pub struct Counters {
    /// Requests that arrived (or connections held silent).
    pub received: AtomicU64,
    /// Requests the server saw.
    pub forwarded: AtomicU64,
    /// Requests answered with anything but [`Fault::Pass`].
    pub faulted: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
}

/// A running proxy; it stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    counters: Arc<Counters>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy to `upstream` (`http://host:port`) that answers request `n` as `plan(n)` says.
    pub async fn start(
        upstream: &str,
        plan: impl Fn(u64) -> Fault + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let plan: Plan = Arc::new(plan);
        let shared = counters.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let (plan, counters) = (plan.clone(), shared.clone());
                tokio::spawn(async move {
                    let _ = serve(socket, upstream, plan, counters).await;
                });
            }
        });
        Ok(Self {
            addr,
            counters,
            task,
        })
    }

    /// A proxy that applies `faults` to the first requests, in order, and passes the rest.
    pub async fn with_faults(upstream: &str, faults: Vec<Fault>) -> std::io::Result<Self> {
        Self::start(upstream, move |n| {
            faults.get(n as usize).cloned().unwrap_or(Fault::Pass)
        })
        .await
    }

    /// The base URL to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the proxy saw and did so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Requests the server saw.
    pub fn forwarded(&self) -> u64 {
        self.counters.forwarded.load(Ordering::SeqCst)
    }

    /// Requests answered with a fault.
    pub fn faulted(&self) -> u64 {
        self.counters.faulted.load(Ordering::SeqCst)
    }

    /// Requests that arrived.
    pub fn received(&self) -> u64 {
        self.counters.received.load(Ordering::SeqCst)
    }
}

/// One client connection: requests in turn until the client leaves or a fault ends it.
async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    plan: Plan,
    counters: Arc<Counters>,
) -> std::io::Result<()> {
    let mut buffered = Vec::new();
    loop {
        // Silence is decided before reading: the connection is never read at all.
        let next = counters.received.load(Ordering::SeqCst);
        if plan(next) == Fault::Silent {
            counters.received.fetch_add(1, Ordering::SeqCst);
            counters.faulted.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(PATIENCE).await;
            return Ok(());
        }
        let Some(request) = read_message(&mut client, &mut buffered, false).await? else {
            return Ok(());
        };
        let n = counters.received.fetch_add(1, Ordering::SeqCst);
        let fault = plan(n);
        if fault != Fault::Pass {
            counters.faulted.fetch_add(1, Ordering::SeqCst);
        }
        let response = if fault.forwards() {
            counters.forwarded.fetch_add(1, Ordering::SeqCst);
            forward(upstream, &request).await?
        } else {
            Message::default()
        };
        if !answer(&mut client, fault, response).await? {
            return Ok(());
        }
    }
}

/// A request or response: its first line, headers and whole (de-chunked) body.
#[derive(Debug, Default)]
struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The head with the given first line, this message's end-to-end headers and `extra`.
    fn head(&self, start: &str, extra: &[(&str, String)]) -> Vec<u8> {
        let mut out = format!("{start}\r\n");
        for (k, v) in &self.headers {
            let hop = [
                "content-length",
                "transfer-encoding",
                "connection",
                "keep-alive",
            ];
            if !hop.iter().any(|h| k.eq_ignore_ascii_case(h)) {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        for (k, v) in extra {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.into_bytes()
    }

    fn status_line_1_0(&self) -> String {
        self.start.replacen("HTTP/1.1", "HTTP/1.0", 1)
    }
}

/// Reads bytes into `buf` until `more` is false, failing after [`PATIENCE`] or at EOF (`Ok(false)`).
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut chunk = [0u8; 64 * 1024];
    match tokio::time::timeout(PATIENCE, stream.read(&mut chunk)).await {
        Err(_) => Err(std::io::ErrorKind::TimedOut.into()),
        Ok(Err(e)) => Err(e),
        Ok(Ok(0)) => Ok(false),
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(true)
        }
    }
}

/// Reads one message. `buf` keeps bytes read past its end (the next request on the
/// connection). A response without a length runs to EOF (`to_eof`). `None` at a clean EOF
/// before any byte.
async fn read_message(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    to_eof: bool,
) -> std::io::Result<Option<Message>> {
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if !fill(stream, buf).await? {
            if buf.is_empty() {
                return Ok(None);
            }
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let start = lines.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut message = Message {
        start,
        headers,
        body: Vec::new(),
    };
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        message.body = read_chunked(stream, buf).await?;
    } else if let Some(len) = message.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        while buf.len() < len {
            if !fill(stream, buf).await? {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        message.body = buf.drain(..len).collect();
    } else if to_eof {
        while fill(stream, buf).await? {}
        message.body = std::mem::take(buf);
    }
    Ok(Some(message))
}

/// A chunked body, de-chunked (trailers are read and dropped).
async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(at) = buf.windows(2).position(|w| w == b"\r\n") {
                break at;
            }
            if !fill(stream, buf).await? {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                if let Some(at) = buf.windows(2).position(|w| w == b"\r\n") {
                    let empty = at == 0;
                    buf.drain(..at + 2);
                    if empty {
                        return Ok(body);
                    }
                } else if !fill(stream, buf).await? {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
            }
        }
        while buf.len() < size + 2 {
            if !fill(stream, buf).await? {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
}

/// Sends `request` to the server on a connection of its own and reads its whole response.
async fn forward(upstream: SocketAddr, request: &Message) -> std::io::Result<Message> {
    let mut server = TcpStream::connect(upstream).await?;
    let mut bytes = request.head(
        &request.start,
        &[
            ("content-length", request.body.len().to_string()),
            ("connection", "close".into()),
        ],
    );
    bytes.extend_from_slice(&request.body);
    server.write_all(&bytes).await?;
    let mut buf = Vec::new();
    read_message(&mut server, &mut buf, true)
        .await?
        .ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into())
}

/// Answers one request as `fault` says; whether the connection stays open for another.
async fn answer(client: &mut TcpStream, fault: Fault, response: Message) -> std::io::Result<bool> {
    let half = response.body.len() / 2;
    let length = ("content-length", response.body.len().to_string());
    match fault {
        Fault::Pass => {
            let mut out = response.head(&response.start, &[length]);
            out.extend_from_slice(&response.body);
            client.write_all(&out).await?;
            Ok(true)
        }
        Fault::ResetBeforeResponse => {
            reset(client);
            Ok(false)
        }
        Fault::ResetMidBody => {
            let mut out = response.head(&response.start, &[length]);
            out.extend_from_slice(&response.body[..half]);
            client.write_all(&out).await?;
            client.flush().await?;
            // Let the head arrive before the reset discards what is unread.
            tokio::time::sleep(Duration::from_millis(20)).await;
            reset(client);
            Ok(false)
        }
        Fault::TruncatedWithLength => {
            let mut out = response.head(&response.start, &[length]);
            out.extend_from_slice(&response.body[..half]);
            client.write_all(&out).await?;
            client.shutdown().await?;
            Ok(false)
        }
        Fault::TruncatedChunked => {
            let mut out =
                response.head(&response.start, &[("transfer-encoding", "chunked".into())]);
            out.extend_from_slice(format!("{half:x}\r\n").as_bytes());
            out.extend_from_slice(&response.body[..half]);
            out.extend_from_slice(b"\r\n");
            client.write_all(&out).await?;
            client.shutdown().await?;
            Ok(false)
        }
        Fault::TruncatedCloseDelimited => {
            let mut out = response.head(&response.status_line_1_0(), &[]);
            out.extend_from_slice(&response.body[..half]);
            client.write_all(&out).await?;
            client.shutdown().await?;
            Ok(false)
        }
        Fault::Stall => {
            // Hold the connection until the client gives up (or the proxy's patience ends).
            let mut sink = [0u8; 1024];
            let _ = tokio::time::timeout(PATIENCE, async {
                while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
            })
            .await;
            Ok(false)
        }
        Fault::Drip { pieces, over } => {
            let mut out = response.head(&response.start, &[length]);
            out.extend_from_slice(&response.body);
            let pieces = pieces.max(1) as usize;
            let size = out.len().div_ceil(pieces);
            let pause = over / pieces as u32;
            for (i, part) in out.chunks(size.max(1)).enumerate() {
                if i > 0 {
                    tokio::time::sleep(pause).await;
                }
                client.write_all(part).await?;
                client.flush().await?;
            }
            Ok(true)
        }
        Fault::Endless { bytes } => {
            let json = !response
                .header("content-type")
                .is_some_and(|t| t.contains("ndjson"));
            let mut head = Message {
                headers: response
                    .headers
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    .cloned()
                    .collect(),
                ..Message::default()
            }
            .head(
                "HTTP/1.1 200 OK",
                &[("transfer-encoding", "chunked".into())],
            );
            let opening: &[u8] = if json { b"[" } else { b"{\"a\":\"" };
            head.extend_from_slice(format!("{:x}\r\n", opening.len()).as_bytes());
            head.extend_from_slice(opening);
            head.extend_from_slice(b"\r\n");
            client.write_all(&head).await?;
            let filler = if json { b' ' } else { b'x' };
            let mut chunk = format!("{:x}\r\n", 1 << 20).into_bytes();
            chunk.extend(std::iter::repeat_n(filler, 1 << 20));
            chunk.extend_from_slice(b"\r\n");
            let mut sent = 0u64;
            while sent < bytes {
                // The client stops reading at its limit and closes: writing then fails.
                if client.write_all(&chunk).await.is_err() {
                    return Ok(false);
                }
                sent += 1 << 20;
            }
            let _ = client.write_all(b"0\r\n\r\n").await;
            Ok(false)
        }
        Fault::GarbageHeader => {
            let mut out = response.head(
                &response.start,
                &[length, ("this is not a header", String::new())],
            );
            // `head` wrote "name: value": make the line one without a colon at all.
            let text = String::from_utf8_lossy(&out)
                .replace("this is not a header: \r\n", "this is not a header\r\n");
            out = text.into_bytes();
            out.extend_from_slice(&response.body);
            client.write_all(&out).await?;
            client.shutdown().await?;
            Ok(false)
        }
        Fault::ConflictingLength => {
            let wrong = ("content-length", (response.body.len() + 7).to_string());
            let mut out = response.head(&response.start, &[length, wrong]);
            out.extend_from_slice(&response.body);
            client.write_all(&out).await?;
            client.shutdown().await?;
            Ok(false)
        }
        Fault::Http10 => {
            let mut out = response.head(&response.status_line_1_0(), &[]);
            out.extend_from_slice(&response.body);
            client.write_all(&out).await?;
            client.shutdown().await?;
            Ok(false)
        }
        Fault::Silent => Ok(false),
        Fault::Throttle { retry_after } => {
            let body = br#"{"statusCode":429,"error":"Too Many Requests","message":"slow down"}"#;
            let head = format!(
                "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: {retry_after}\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            client.write_all(head.as_bytes()).await?;
            client.write_all(body).await?;
            Ok(true)
        }
    }
}

/// Closes with a TCP reset (linger 0), not an orderly close.
fn reset(client: &TcpStream) {
    let _ = client.set_zero_linger();
}
