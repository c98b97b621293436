//! Prefetching: the next page's request runs as a task of its own (not on the caller's), a
//! dropped stream aborts it, a panic in it reaches the caller, and a runtime shut down under
//! it is an error, not a panic.

use futures::StreamExt;
use kibana_serverless_runtime::pagination::{PageCursor, PageInfo, Paginator, Style};
use kibana_serverless_runtime::{Error, Pages, ResponseValue};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

type Fetched = Result<ResponseValue<Vec<u32>>, Error>;

/// What the `n`th request does.
#[derive(Clone, Copy)]
enum Plan {
    /// Answers two items, noting whether it ran as a task of its own.
    Page,
    /// Never answers; notes when it is dropped.
    Forever,
    /// Panics.
    Panic,
}

struct Scripted {
    plan: Vec<Plan>,
    asked: Arc<Mutex<usize>>,
    in_a_task: Arc<Mutex<Vec<bool>>>,
    dropped: Arc<AtomicBool>,
}

/// Sets its flag when dropped.
struct Flag(Arc<AtomicBool>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Paginator for Scripted {
    type Page = Vec<u32>;
    type Item = u32;
    type Fetch = Pin<Box<dyn Future<Output = Fetched> + Send>>;
    const STYLE: Style = Style::PageNumber { first: 1 };

    fn fetch(&self, _: &PageCursor, _: Option<u64>) -> Self::Fetch {
        let n = {
            let mut asked = self.asked.lock().unwrap();
            *asked += 1;
            *asked - 1
        };
        match self.plan[n.min(self.plan.len() - 1)] {
            Plan::Page => {
                let in_a_task = self.in_a_task.clone();
                Box::pin(async move {
                    in_a_task
                        .lock()
                        .unwrap()
                        .push(tokio::task::try_id().is_some());
                    Ok(ResponseValue::new(
                        vec![1, 2],
                        reqwest::StatusCode::OK,
                        Default::default(),
                    ))
                })
            }
            Plan::Forever => {
                let flag = Flag(self.dropped.clone());
                Box::pin(async move {
                    let _flag = flag;
                    futures::future::pending::<Fetched>().await
                })
            }
            Plan::Panic => Box::pin(async { panic!("the page request panicked") }),
        }
    }

    fn info(page: &Vec<u32>) -> PageInfo {
        PageInfo {
            count: page.len(),
            ..PageInfo::default()
        }
    }

    fn into_items(page: Vec<u32>) -> Vec<u32> {
        page
    }
}

fn scripted(plan: Vec<Plan>) -> (Scripted, Arc<Mutex<Vec<bool>>>, Arc<AtomicBool>) {
    let s = Scripted {
        plan,
        asked: Arc::default(),
        in_a_task: Arc::default(),
        dropped: Arc::default(),
    };
    let (tasks, dropped) = (s.in_a_task.clone(), s.dropped.clone());
    (s, tasks, dropped)
}

#[tokio::test]
async fn a_prefetched_page_runs_as_a_task_of_its_own() {
    let (p, tasks, _) = scripted(vec![Plan::Page, Plan::Page, Plan::Page, Plan::Page]);
    let mut items = Pages::new(p).prefetch(true).items();
    for _ in 0..6 {
        items.next().await.unwrap().unwrap();
    }
    let tasks = tasks.lock().unwrap().clone();
    assert_eq!(
        &tasks[..3],
        [true, true, true],
        "every page of a prefetching stream is a task"
    );

    let (p, tasks, _) = scripted(vec![Plan::Page, Plan::Page]);
    let mut items = Pages::new(p).items();
    for _ in 0..4 {
        items.next().await.unwrap().unwrap();
    }
    assert_eq!(
        *tasks.lock().unwrap(),
        [false, false],
        "without prefetch, on the caller's task"
    );
}

#[tokio::test]
async fn dropping_a_prefetching_stream_aborts_its_request() {
    let (p, _, dropped) = scripted(vec![Plan::Page, Plan::Forever]);
    let mut items = Pages::new(p).prefetch(true).items();
    items.next().await.unwrap().unwrap();
    assert!(
        !dropped.load(Ordering::SeqCst),
        "the next page's request is running"
    );
    drop(items);
    for _ in 0..100 {
        if dropped.load(Ordering::SeqCst) {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("the prefetched request still runs after its stream was dropped");
}

#[tokio::test]
#[should_panic(expected = "the page request panicked")]
async fn a_panic_in_a_prefetched_request_reaches_the_caller() {
    let (p, _, _) = scripted(vec![Plan::Page, Plan::Panic]);
    let mut pages = Pages::new(p).prefetch(true);
    pages.next().await.unwrap().unwrap();
    let _ = pages.next().await;
}

#[test]
fn a_runtime_shut_down_under_a_prefetch_is_an_error() {
    let (p, _, _) = scripted(vec![Plan::Page, Plan::Forever]);
    let first = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let mut pages = first.block_on(async {
        let mut pages = Pages::new(p).prefetch(true);
        pages.next().await.unwrap().unwrap();
        pages
    });
    // The prefetch is a task of the first runtime; shutting it down cancels the task.
    first.shutdown_timeout(std::time::Duration::from_secs(1));
    let second = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    match second.block_on(pages.next()) {
        Some(Err(Error::Io(e))) => assert!(e.to_string().contains("cancelled"), "{e}"),
        other => panic!("{other:?}"),
    }
}
