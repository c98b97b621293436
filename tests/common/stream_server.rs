//! A minimal HTTP/1.1 server on loopback that answers every request with a chunked body made on
//! the fly, so that a test can stream more data than it ever holds.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Starts the server; `line(n)` makes line `n` (0-based) of `lines` lines, each followed by `\n`.
pub async fn ndjson(lines: usize, line: fn(usize) -> String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the request head (and whatever body arrives with it).
                let mut buf = vec![0u8; 64 * 1024];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buf)).await
                    {
                        Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
                        _ => return,
                    }
                }
                let start = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
                if socket.write_all(start.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = String::new();
                for n in 0..lines {
                    chunk.push_str(&line(n));
                    chunk.push('\n');
                    if chunk.len() >= 16 * 1024 || n + 1 == lines {
                        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                        if socket.write_all(framed.as_bytes()).await.is_err() {
                            return;
                        }
                        chunk.clear();
                    }
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

/// This process's peak resident memory, in KiB (Linux).
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status: peak memory is measured on Linux");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}
