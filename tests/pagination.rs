//! `pages()` and `items()` against loopback servers that page the way Kibana does.

mod common;

use common::wire::CANARY_KEY;
use futures::{StreamExt, TryStreamExt};
use kibana_serverless::{Error, Kibana, RetryPolicy};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn agent(n: usize) -> Value {
    padded_agent(n, 0)
}

/// An agent whose `local_metadata` carries `pad` bytes, as real agents carry host details.
fn padded_agent(n: usize, pad: usize) -> Value {
    json!({"id": format!("agent-{n}"), "packages": [], "type": "PERMANENT", "active": true, "enrolled_at": "2024-01-01T00:00:00Z", "local_metadata": {"host": {"notes": "x".repeat(pad)}}, "status": "online"})
}

fn query(req: &Request) -> HashMap<String, String> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Fleet's agent listing over `total` agents, by page number or by `searchAfter` in a point in
/// time, the way Kibana answers; `fail_on_page` answers 500 for that page.
struct Agents {
    total: usize,
    pad: usize,
    fail_on_page: Option<usize>,
    requests: Arc<AtomicUsize>,
}

impl Respond for Agents {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let q = query(req);
        if Some(n) == self.fail_on_page {
            return ResponseTemplate::new(500).set_body_json(json!({"statusCode": 500, "error": "Internal Server Error", "message": "shard failure"}));
        }
        let per_page: usize = q.get("perPage").map(|p| p.parse().unwrap()).unwrap_or(20);
        let (start, pit) = if let Some(after) = q.get("searchAfter") {
            assert_eq!(
                q.get("pitId").map(String::as_str),
                Some("pit-abc"),
                "the point in time is sent back"
            );
            assert_eq!(q.get("pitKeepAlive").map(String::as_str), Some("5m"));
            let after: Vec<usize> = serde_json::from_str(after).unwrap();
            (after[0] + 1, true)
        } else if q.get("openPit").map(String::as_str) == Some("true") {
            (0, true)
        } else {
            let page: usize = q.get("page").map(|p| p.parse().unwrap()).unwrap_or(1);
            ((page - 1) * per_page, false)
        };
        let end = (start + per_page).min(self.total);
        let items: Vec<Value> = (start..end).map(|n| padded_agent(n, self.pad)).collect();
        let mut body = json!({"items": items, "total": self.total as f64, "page": 1.0, "perPage": per_page as f64});
        if pit {
            body["pit"] = json!("pit-abc");
            if end > start {
                body["nextSearchAfter"] = json!(format!("[{}]", end - 1));
            }
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn agents_server(
    total: usize,
    fail_on_page: Option<usize>,
) -> (MockServer, Kibana, Arc<AtomicUsize>) {
    agents_server_padded(total, fail_on_page, 0).await
}

async fn agents_server_padded(
    total: usize,
    fail_on_page: Option<usize>,
    pad: usize,
) -> (MockServer, Kibana, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let requests = Arc::new(AtomicUsize::new(0));
    Mock::given(path("/api/fleet/agents"))
        .respond_with(Agents {
            total,
            pad,
            fail_on_page,
            requests: requests.clone(),
        })
        .mount(&server)
        .await;
    let kibana = client_without_retries(&server);
    (server, kibana, requests)
}

/// A client of `server` that sends each request once (a failing page is not retried).
fn client_without_retries(server: &MockServer) -> Kibana {
    Kibana::builder(server.uri())
        .api_key(CANARY_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn ids(agents: &[kibana_serverless::fleet::types::Agent]) -> Vec<String> {
    agents.iter().map(|a| a.id.clone()).collect()
}

fn expected_ids(total: usize) -> Vec<String> {
    (0..total).map(|n| format!("agent-{n}")).collect()
}

#[tokio::test]
async fn agents_across_ten_pages_by_page_number() {
    let (_server, kibana, requests) = agents_server(95, None).await;
    let pages: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .show_inactive(true)
        .pages()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 10);
    assert_eq!(pages.iter().map(|p| p.items.len()).sum::<usize>(), 95);
    // The total is reached on page 10: no 11th request.
    assert_eq!(requests.load(Ordering::SeqCst), 10);
    let items: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .items()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), expected_ids(95));
}

#[tokio::test]
async fn agents_across_ten_pages_by_search_after_in_a_point_in_time() {
    let (_server, kibana, requests) = agents_server(100, None).await;
    let items: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .sort_field("enrolled_at")
        .search_after_items()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), expected_ids(100));
    assert_eq!(requests.load(Ordering::SeqCst), 10);
}

#[tokio::test]
async fn prefetch_gives_the_same_items() {
    let (_server, kibana, _) = agents_server(250, None).await;
    let items: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .items()
        .page_size(25)
        .prefetch(true)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), expected_ids(250));
    let pages: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .search_after_pages()
        .page_size(25)
        .prefetch(true)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 10);
}

#[tokio::test]
async fn an_empty_first_page() {
    let (_server, kibana, requests) = agents_server(0, None).await;
    let pages: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.len(),
        1,
        "the first page is yielded even when empty, for its total"
    );
    assert_eq!(pages[0].total, 0);
    let items: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(items.is_empty());
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

/// With and without prefetch (which spawns each page request onto the runtime's workers), the
/// items come in order and a failing page's error comes after the items before it, with no
/// request past it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_on_page_three_comes_after_the_items_of_pages_one_and_two() {
    for prefetch in [false, true] {
        let (_server, kibana, requests) = agents_server(100, Some(3)).await;
        let results: Vec<Result<_, Error>> = kibana
            .fleet()
            .get_fleet_agents()
            .items()
            .page_size(10)
            .prefetch(prefetch)
            .collect()
            .await;
        assert_eq!(results.len(), 21, "prefetch {prefetch}");
        let ok: Vec<_> = results[..20]
            .iter()
            .map(|r| r.as_ref().unwrap().clone())
            .collect();
        assert_eq!(ids(&ok), expected_ids(20), "prefetch {prefetch}");
        match &results[20] {
            Err(Error::Api { status, .. }) => assert_eq!(status.as_u16(), 500),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            requests.load(Ordering::SeqCst),
            3,
            "no request after the error (prefetch {prefetch})"
        );
    }
}

/// A cursor-paging server that hands out the same cursor twice.
struct Repeating(Arc<AtomicUsize>);

impl Respond for Repeating {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(json!({
            "items": [agent(n)], "total": 1000.0, "page": 1.0, "perPage": 1.0,
            "pit": "pit-abc", "nextSearchAfter": if n == 0 { "[0]" } else { "[1]" }
        }))
    }
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_with_an_error() {
    let server = MockServer::start().await;
    let requests = Arc::new(AtomicUsize::new(0));
    Mock::given(path("/api/fleet/agents"))
        .respond_with(Repeating(requests.clone()))
        .mount(&server)
        .await;
    let kibana = Kibana::builder(server.uri())
        .api_key(CANARY_KEY)
        .build()
        .unwrap();
    let results: Vec<Result<_, Error>> = kibana
        .fleet()
        .get_fleet_agents()
        .search_after_items()
        .collect()
        .await;
    assert_eq!(results.len(), 4, "{results:?}");
    assert!(results[..3].iter().all(Result::is_ok));
    assert!(
        matches!(&results[3], Err(Error::RepeatedCursor { cursor, page: 3 }) if cursor == "[1]"),
        "{:?}",
        results[3]
    );
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

/// The prompts search asks `per_page` and answers `perPage`.
struct Prompts;

impl Respond for Prompts {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q = query(req);
        let page: usize = q["page"].parse().unwrap();
        let per_page: usize = q["per_page"].parse().unwrap();
        assert!(!q.contains_key("perPage"));
        let total = 23;
        let start = (page - 1) * per_page;
        let data: Vec<Value> = (start..(start + per_page).min(total))
            .map(|n| json!({"id": format!("p{n}"), "name": format!("prompt {n}"), "promptType": "quick", "content": "..."}))
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": data, "page": page, "perPage": per_page, "total": total}))
    }
}

#[tokio::test]
async fn prompts_with_their_casing_mismatch() {
    let server = MockServer::start().await;
    Mock::given(path("/api/security_ai_assistant/prompts/_find"))
        .respond_with(Prompts)
        .mount(&server)
        .await;
    let kibana = Kibana::builder(server.uri())
        .api_key(CANARY_KEY)
        .build()
        .unwrap();
    let pages: Vec<_> = kibana
        .security_ai_assistant()
        .find_prompts()
        .pages()
        .page_size(5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 5);
    assert_eq!(
        pages.iter().map(|p| p.per_page).collect::<Vec<_>>(),
        [5, 5, 5, 5, 5]
    );
    let names: Vec<String> = kibana
        .security_ai_assistant()
        .find_prompts()
        .items()
        .page_size(5)
        .map_ok(|p| p.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 23);
    assert_eq!(names[22], "prompt 22");
}

/// Run alone in a fresh process by `paging_100k_agents_holds_one_page_at_a_time`; on its own it
/// checks that 100,000 agents arrive, 1,000 a page. Prints the process's peak memory and the
/// size of one page.
#[test]
fn page_through_100k_agents() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (_server, kibana, requests) = agents_server_padded(100_000, None, 1000).await;
        let mut items = kibana.fleet().get_fleet_agents().items().page_size(1000);
        let mut n = 0usize;
        while let Some(agent) = items.next().await {
            assert_eq!(agent.unwrap().id, format!("agent-{n}"));
            n += 1;
        }
        assert_eq!(n, 100_000);
        assert_eq!(requests.load(Ordering::SeqCst), 100);
    });
    let page: Vec<Value> = (0..1000).map(|n| padded_agent(n, 1000)).collect();
    println!(
        "PAGE_KIB={}",
        serde_json::to_vec(&page).unwrap().len() / 1024
    );
    println!("PEAK_RSS_KIB={}", common::stream_server::peak_rss_kib());
}

#[test]
fn paging_100k_agents_holds_one_page_at_a_time() {
    let stdout = common::run_alone("page_through_100k_agents", &[], &[]);
    let (page, peak) = (
        common::printed(&stdout, "PAGE_KIB="),
        common::printed(&stdout, "PEAK_RSS_KIB="),
    );
    let all = page * 100;
    println!(
        "100,000 agents ({} MiB as JSON, {page} KiB a page): peak RSS {} MiB",
        all / 1024,
        peak / 1024
    );
    assert!(
        peak < all / 2,
        "peak RSS {peak} KiB while the listing is {all} KiB"
    );
}

/// Dropping a prefetching stream aborts the spawned request for the next page: the server sees
/// that request's connection close instead of it waiting on an answer forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_prefetching_stream_aborts_the_next_request() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (closed_tx, mut closed_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let closed = closed_tx.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    let mut head = Vec::new();
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
                            _ => return,
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    if head.contains("page=2") {
                        // Never answer; report when the client gives up on the connection.
                        let n = socket.read(&mut buf).await.unwrap_or(0);
                        let _ = closed.send(format!("page 2 connection read {n} bytes"));
                        return;
                    }
                    let items: Vec<Value> = (0..10).map(agent).collect();
                    let body = json!({"items": items, "total": 20.0, "page": 1.0, "perPage": 10.0})
                        .to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let kibana = Kibana::new(&url, CANARY_KEY).unwrap();
    let mut items = kibana
        .fleet()
        .get_fleet_agents()
        .items()
        .page_size(10)
        .prefetch(true);
    let first = items.try_next().await.unwrap().unwrap();
    assert_eq!(first.id, "agent-0");
    // Let the spawned page-2 request reach the server.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(items);
    let seen = tokio::time::timeout(std::time::Duration::from_secs(5), closed_rx.recv())
        .await
        .expect("the page-2 request was not aborted")
        .unwrap();
    assert_eq!(seen, "page 2 connection read 0 bytes");
}

/// Fleet's agents by page number, each page answered after its own delay; records when each
/// page's request arrived.
struct Numbered {
    total: usize,
    fail_page: Option<usize>,
    delays: HashMap<usize, u64>,
    arrivals: Arc<std::sync::Mutex<Vec<(usize, std::time::Instant)>>>,
}

impl Respond for Numbered {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q = query(req);
        let page: usize = q.get("page").map_or(1, |p| p.parse().unwrap());
        let per_page: usize = q.get("perPage").map_or(20, |p| p.parse().unwrap());
        self.arrivals
            .lock()
            .unwrap()
            .push((page, std::time::Instant::now()));
        let delay = std::time::Duration::from_millis(self.delays.get(&page).copied().unwrap_or(0));
        if Some(page) == self.fail_page {
            return ResponseTemplate::new(500)
                .set_delay(delay)
                .set_body_json(json!({"statusCode": 500, "error": "Internal Server Error", "message": "shard failure"}));
        }
        let start = (page - 1) * per_page;
        let items: Vec<Value> = (start..(start + per_page).min(self.total))
            .map(agent)
            .collect();
        ResponseTemplate::new(200)
            .set_delay(delay)
            .set_body_json(json!({"items": items, "total": self.total as f64, "page": page as f64, "perPage": per_page as f64}))
    }
}

async fn numbered_server(
    total: usize,
    fail_page: Option<usize>,
    delays: HashMap<usize, u64>,
) -> (
    MockServer,
    Kibana,
    Arc<std::sync::Mutex<Vec<(usize, std::time::Instant)>>>,
) {
    let server = MockServer::start().await;
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(path("/api/fleet/agents"))
        .respond_with(Numbered {
            total,
            fail_page,
            delays,
            arrivals: arrivals.clone(),
        })
        .mount(&server)
        .await;
    let kibana = client_without_retries(&server);
    (server, kibana, arrivals)
}

/// Several page requests at once: the items come in order even when later pages answer first,
/// and no page past the total is requested.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pages_come_in_order_and_stop_at_the_total() {
    // Earlier pages answer later: 1 after 50 ms, 2 after 40 ms, ... .
    let delays = (1..=5).map(|p| (p, (6 - p as u64) * 10)).collect();
    let (_server, kibana, arrivals) = numbered_server(95, None, delays).await;
    for concurrency in [2, 4, 16] {
        arrivals.lock().unwrap().clear();
        let items: Vec<_> = kibana
            .fleet()
            .get_fleet_agents()
            .items()
            .page_size(10)
            .concurrency(concurrency)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids(&items), expected_ids(95), "concurrency {concurrency}");
        let mut pages: Vec<usize> = arrivals.lock().unwrap().iter().map(|a| a.0).collect();
        pages.sort_unstable();
        assert_eq!(
            pages,
            (1..=10).collect::<Vec<_>>(),
            "each page once, none past the 10th"
        );
    }
    let pages: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .pages()
        .page_size(10)
        .concurrency(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.page).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<i64>>()
    );
}

/// The requests really overlap: while page 2 waits, pages 3 to 5 are already asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pages_are_requested_while_an_earlier_one_waits() {
    let (_server, kibana, arrivals) = numbered_server(100, None, HashMap::from([(2, 500)])).await;
    let items: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .items()
        .page_size(10)
        .concurrency(4)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), expected_ids(100));
    let arrivals = arrivals.lock().unwrap().clone();
    let at = |page: usize| arrivals.iter().find(|a| a.0 == page).unwrap().1;
    for page in 3..=5 {
        assert!(
            at(page) < at(2) + std::time::Duration::from_millis(400),
            "page {page} was requested only after page 2 answered"
        );
    }
    // Not more than four at once: page 6 waits for page 2's answer.
    assert!(at(6) >= at(2) + std::time::Duration::from_millis(450));
}

/// A failing page ends the stream after the items of the pages before it, with nothing after,
/// however many requests were out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_page_among_concurrent_ones_ends_the_stream_in_order() {
    // Page 3 fails last, after pages 4 and 5 have answered.
    let (_server, kibana, _) = numbered_server(100, Some(3), HashMap::from([(3, 100)])).await;
    let results: Vec<Result<_, Error>> = kibana
        .fleet()
        .get_fleet_agents()
        .items()
        .page_size(10)
        .concurrency(4)
        .collect()
        .await;
    assert_eq!(results.len(), 21);
    let ok: Vec<_> = results[..20]
        .iter()
        .map(|r| r.as_ref().unwrap().clone())
        .collect();
    assert_eq!(ids(&ok), expected_ids(20));
    match &results[20] {
        Err(Error::Api { status, .. }) => assert_eq!(status.as_u16(), 500),
        other => panic!("{other:?}"),
    }
}

/// On a current-thread runtime the spawned requests share the one thread: the same items, in
/// order.
#[tokio::test]
async fn concurrent_pages_on_a_current_thread_runtime() {
    let (_server, kibana, _) = numbered_server(45, None, HashMap::new()).await;
    let items: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .items()
        .page_size(10)
        .concurrency(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&items), expected_ids(45));
}

/// Only the fields a caller reads, in a type of the caller's.
#[derive(serde::Deserialize, Debug, Clone, PartialEq)]
struct Slim {
    id: String,
    status: Option<kibana_serverless::fleet::types::AgentStatus>,
}

/// `items_as::<T>()` and its siblings page exactly as `items()` does, with each item decoded as
/// the caller's type and the rest of the page skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_as_a_type_of_the_callers() {
    let (_server, kibana, requests) = agents_server(95, None).await;
    let slim: Vec<Slim> = kibana
        .fleet()
        .get_fleet_agents()
        .items_as::<Slim>()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = slim.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, expected_ids(95));
    assert!(
        slim.iter()
            .all(|s| s.status == Some(kibana_serverless::fleet::types::AgentStatus::Online))
    );
    assert_eq!(requests.load(Ordering::SeqCst), 10, "stops at the total");

    // By cursor in a point in time, as pages, and four pages at once.
    let (_server, kibana, _) = agents_server(100, None).await;
    let pages: Vec<_> = kibana
        .fleet()
        .get_fleet_agents()
        .sort_field("enrolled_at")
        .search_after_pages_as::<Slim>()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 10);
    assert_eq!(pages[0].total, Some(100));
    assert_eq!(pages[0].point_in_time.as_deref(), Some("pit-abc"));
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|s| s.id.clone()))
        .collect();
    assert_eq!(ids, expected_ids(100));
    let values: Vec<Value> = kibana
        .fleet()
        .get_fleet_agents()
        .items_as::<Value>()
        .page_size(30)
        .concurrency(4)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(values.len(), 100);
    assert_eq!(values[99]["id"], "agent-99");
}

/// An item that does not decode as the caller's type fails with the path of the field.
#[tokio::test]
async fn items_as_a_type_that_does_not_fit_names_the_field() {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        id: u64,
    }
    let (_server, kibana, _) = agents_server(5, None).await;
    let first = kibana
        .fleet()
        .get_fleet_agents()
        .items_as::<Wrong>()
        .try_next()
        .await;
    match first {
        Err(Error::Decode { path, .. }) => assert_eq!(path, "items[0].id"),
        other => panic!("{other:?}"),
    }
}

/// How a [`Listing`] lays out one page's answer: from the page number, the page size and the
/// page's items.
type Layout = Box<dyn Fn(usize, usize, Vec<Value>) -> Value + Send + Sync>;

/// A listing of `total` items (`item(n)`) paged by number from `first`, `size_param` items a
/// page, each answer laid out by `layout`; `broken` answers page `first + 1` in place of the
/// page. The pages asked for are recorded.
struct Listing {
    total: usize,
    first: usize,
    size_param: &'static str,
    item: fn(usize) -> Value,
    layout: Layout,
    broken: Option<Value>,
    pages_asked: Arc<std::sync::Mutex<Vec<usize>>>,
}

impl Respond for Listing {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q = query(req);
        let page: usize = q["page"].parse().unwrap();
        let size: usize = q[self.size_param].parse().unwrap();
        self.pages_asked.lock().unwrap().push(page);
        if let (Some(broken), true) = (&self.broken, page == self.first + 1) {
            return ResponseTemplate::new(200).set_body_json(broken);
        }
        let start = (page - self.first) * size;
        let items = (start..(start + size).min(self.total))
            .map(self.item)
            .collect();
        ResponseTemplate::new(200).set_body_json((self.layout)(page, size, items))
    }
}

async fn listing_server(
    route: &str,
    first: usize,
    size_param: &'static str,
    total: usize,
    item: fn(usize) -> Value,
    layout: Layout,
    broken: Option<Value>,
) -> (MockServer, Kibana, Arc<std::sync::Mutex<Vec<usize>>>) {
    let server = MockServer::start().await;
    let pages_asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(path(route))
        .respond_with(Listing {
            total,
            first,
            size_param,
            item,
            layout,
            broken,
            pages_asked: pages_asked.clone(),
        })
        .mount(&server)
        .await;
    let kibana = client_without_retries(&server);
    (server, kibana, pages_asked)
}

/// A listing whose answer the spec leaves free-form, paged by the fields `spec/pagination.yaml`
/// names: 25 items under `items` and a `total`, pages by number from `first`.
async fn free_form_server(
    route: &str,
    first: usize,
    size_param: &'static str,
    items: &'static str,
    broken: Option<Value>,
) -> (MockServer, Kibana, Arc<std::sync::Mutex<Vec<usize>>>) {
    let item = |n: usize| json!({"id": format!("item-{n}"), "name": format!("name {n}"), "enabled": n.is_multiple_of(2)});
    // Kibana writes the page size as `per_page` in some of these answers: not read.
    let layout = Box::new(
        move |page, size, list| json!({"page": page, "per_page": size, "total": 25, items: list}),
    );
    listing_server(route, first, size_param, 25, item, layout, broken).await
}

fn item_ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn expected_items(total: usize) -> Vec<String> {
    (0..total).map(|n| format!("item-{n}")).collect()
}

/// Osquery packs, endpoint hosts and Synthetics monitors: free-form answers in the spec, paged
/// all the same, items as JSON values or as the caller's type, stopping at the total.
#[tokio::test]
async fn listings_with_free_form_answers_page_by_their_described_fields() {
    let (_server, kibana, asked) =
        free_form_server("/api/osquery/packs", 1, "pageSize", "data", None).await;
    let packs: Vec<Value> = kibana
        .osquery()
        .osquery_find_packs()
        .items()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(item_ids(&packs), expected_items(25));
    assert_eq!(packs[2]["enabled"], true, "each item whole");
    assert_eq!(*asked.lock().unwrap(), [1, 2, 3], "stops at the total");

    #[derive(serde::Deserialize)]
    struct Pack {
        id: String,
        enabled: bool,
    }
    let typed: Vec<Pack> = kibana
        .osquery()
        .osquery_find_packs()
        .items_as::<Pack>()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(typed.len(), 25);
    assert_eq!((typed[3].id.as_str(), typed[3].enabled), ("item-3", false));

    // Endpoint hosts are numbered from 0.
    let (_server, kibana, asked) =
        free_form_server("/api/endpoint/metadata", 0, "pageSize", "data", None).await;
    let pages: Vec<_> = kibana
        .endpoint()
        .get_endpoint_metadata_list()
        .host_statuses(vec![
            kibana_serverless::endpoint::types::GetEndpointMetadataListHostStatusesItem::Healthy,
        ])
        .pages()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0]["total"], 25, "a page is the operation's answer");
    assert_eq!(*asked.lock().unwrap(), [0, 1, 2]);

    // Synthetics monitors, under `monitors`, `perPage` items a page, four pages at once.
    let (_server, kibana, _) =
        free_form_server("/api/synthetics/monitors", 1, "perPage", "monitors", None).await;
    let monitors: Vec<Value> = kibana
        .synthetics()
        .get_synthetic_monitors()
        .items()
        .page_size(4)
        .concurrency(4)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(item_ids(&monitors), expected_items(25));
}

/// APM source maps: typed items the spec writes inline, no total in the answer, so paging
/// goes on until a page comes back empty.
#[tokio::test]
async fn source_maps_page_without_a_total_until_an_empty_page() {
    let map = |n: usize| json!({"id": format!("apm:map-{n}"), "identifier": format!("svc-1.0.{n}"), "type": "sourcemap", "body": {"serviceName": "svc", "sourceMap": {"version": 3}}});
    let layout = Box::new(|_, _, artifacts| json!({"artifacts": artifacts}));
    let (_server, kibana, asked) =
        listing_server("/api/apm/sourcemaps", 1, "perPage", 25, map, layout, None).await;
    let maps: Vec<_> = kibana
        .apm()
        .get_source_maps()
        .items()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = maps.iter().map(|m| m.id.as_deref().unwrap()).collect();
    let expected: Vec<String> = (0..25).map(|n| format!("apm:map-{n}")).collect();
    assert_eq!(ids, expected);
    let body = maps[7].body.as_ref().unwrap();
    assert_eq!(body.service_name.as_deref(), Some("svc"));
    assert_eq!(*asked.lock().unwrap(), [1, 2, 3, 4]);
}

/// Osquery live query results: rows under `data.edges`, the total under `data.total`, pages
/// numbered from 0; as JSON values, as the caller's type, and several pages at once. The live
/// queries: `data.items` without a total.
#[tokio::test]
async fn live_query_results_page_by_their_nested_fields() {
    let row = |n: usize| json!({"_id": format!("row-{n}"), "_source": {"host": {"uptime": n}}});
    let layout = Box::new(|_, _, edges| json!({"data": {"total": 23, "edges": edges}}));
    let route = "/api/osquery/live_queries/q-1/results/a-1";
    let (_server, kibana, asked) =
        listing_server(route, 0, "pageSize", 23, row, layout, None).await;
    let results = || {
        kibana
            .osquery()
            .osquery_get_live_query_results()
            .id("q-1".to_string())
            .action_id("a-1".to_string())
    };
    let rows: Vec<Value> = results().items().page_size(10).try_collect().await.unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["_id"].as_str().unwrap()).collect();
    let expected: Vec<String> = (0..23).map(|n| format!("row-{n}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(rows[4]["_source"]["host"]["uptime"], 4, "each row whole");
    assert_eq!(
        *asked.lock().unwrap(),
        [0, 1, 2],
        "from 0, stopping at the total"
    );

    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(rename = "_id")]
        id: String,
    }
    asked.lock().unwrap().clear();
    let typed: Vec<Row> = results()
        .items_as::<Row>()
        .page_size(5)
        .concurrency(3)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = typed.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, expected);
    let mut pages = asked.lock().unwrap().clone();
    pages.sort_unstable();
    assert_eq!(pages, [0, 1, 2, 3, 4], "never past the last page");

    // The live queries themselves: `data.items`, no total, so until an empty page.
    let query = |n: usize| json!({"_source": {"action_id": format!("action-{n}")}});
    let layout = Box::new(|_, _, items| json!({"data": {"items": items}}));
    let (_server, kibana, _) = listing_server(
        "/api/osquery/live_queries",
        0,
        "pageSize",
        7,
        query,
        layout,
        None,
    )
    .await;
    let queries: Vec<Value> = kibana
        .osquery()
        .osquery_find_live_queries()
        .items()
        .page_size(3)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = queries
        .iter()
        .map(|q| q["_source"]["action_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        (0..7).map(|n| format!("action-{n}")).collect::<Vec<_>>()
    );
}

/// A page without its items array is a decode error naming the field, with the page as sent,
/// after the items of the pages before it: never a listing that silently ends early.
#[tokio::test]
async fn a_free_form_page_without_its_items_is_a_decode_error() {
    for (broken, wanted_path, wanted) in [
        (
            json!({"page": 2, "total": 25, "items": []}),
            "data",
            "no field `data`",
        ),
        (
            json!({"page": 2, "total": 25, "data": {"id": "x"}}),
            "data",
            "found an object",
        ),
        (
            json!({"page": 2, "total": "many", "data": []}),
            "total",
            "expected a count",
        ),
    ] {
        let (_server, kibana, _) = free_form_server(
            "/api/osquery/saved_queries",
            1,
            "pageSize",
            "data",
            Some(broken.clone()),
        )
        .await;
        let mut items = kibana
            .osquery()
            .osquery_find_saved_queries()
            .items()
            .page_size(10);
        for n in 0..10 {
            let item = items.try_next().await.unwrap().unwrap();
            assert_eq!(item["id"], format!("item-{n}"));
        }
        match items.try_next().await {
            Err(Error::Decode {
                path,
                message,
                body,
                status,
            }) => {
                assert_eq!(path, wanted_path);
                assert!(message.contains(wanted), "{message}");
                assert_eq!(status.map(|s| s.as_u16()), Some(200));
                let sent: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(sent, broken, "the page as sent");
            }
            other => panic!("{broken}: {other:?}"),
        }
    }
}

/// The scripts library pages by a number and a size that Kibana types with `minimum: 1` (typify's
/// `NonZeroU64` newtypes): pages from 1 up to the total; a page size of 0 is a typed error, and
/// nothing is sent.
#[tokio::test]
async fn a_listing_whose_page_counters_must_be_positive() {
    let script = |n: usize| json!({"id": format!("script-{n}"), "name": format!("script {n}")});
    let layout = Box::new(
        |page, size, data| json!({"data": data, "page": page, "pageSize": size, "sortField": "name", "total": 23}),
    );
    let (_server, kibana, asked) = listing_server(
        "/api/endpoint/scripts_library",
        1,
        "pageSize",
        23,
        script,
        layout,
        None,
    )
    .await;
    let scripts: Vec<_> = kibana
        .endpoint()
        .endpoint_script_library_list_scripts()
        .items()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = scripts.iter().map(|s| s.id.as_deref().unwrap()).collect();
    let expected: Vec<String> = (0..23).map(|n| format!("script-{n}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(*asked.lock().unwrap(), [1, 2, 3]);

    let refused = kibana
        .endpoint()
        .endpoint_script_library_list_scripts()
        .items()
        .page_size(0)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::InvalidRequest(m)
            if m.contains("`ApiPageSize` for page_size failed: 0 is out of range for ApiPageSize")),
        "{refused:?}"
    );
    assert_eq!(asked.lock().unwrap().len(), 3, "nothing more was sent");
}

/// Dashboards' search answers with its total nested in `meta.total`: paging stops there, typed
/// or as the caller's type, without asking for the empty page past the end.
#[tokio::test]
async fn a_total_nested_in_the_answer_ends_the_listing() {
    let dashboard = |n: usize| json!({"id": format!("dashboard-{n}"), "data": {"title": format!("dashboard {n}")}, "meta": {}});
    let layout = Box::new(
        |page, size, data| json!({"data": data, "meta": {"page": page, "per_page": size, "total": 23}}),
    );
    let (_server, kibana, asked) = listing_server(
        "/api/dashboards",
        1,
        "per_page",
        23,
        dashboard,
        layout,
        None,
    )
    .await;
    let expected: Vec<String> = (0..23).map(|n| format!("dashboard-{n}")).collect();
    let found: Vec<_> = kibana
        .dashboards()
        .get_dashboards()
        .items()
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert_eq!(*asked.lock().unwrap(), [1, 2, 3], "no page past the total");

    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let ids: Vec<String> = kibana
        .dashboards()
        .get_dashboards()
        .items_as::<Id>()
        .page_size(10)
        .map_ok(|d| d.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, expected);
    assert_eq!(*asked.lock().unwrap(), [1, 2, 3, 1, 2, 3]);
}
