//! `Pages` and `Items` over in-memory paginators: where each page starts, when the listing
//! ends, what a failure or a repeated cursor does, and what prefetching asks for.

use futures::StreamExt;
use kibana_serverless_runtime::pagination::{
    AsCount, AsCursor, PageCursor, PageInfo, Paginator, Style,
};
use kibana_serverless_runtime::{Error, Pages, ResponseValue};
use std::sync::{Arc, Mutex};

/// The requests a paginator was asked for: where each page starts, and its size.
type Asked = Arc<Mutex<Vec<(PageCursor, Option<u64>)>>>;

/// A page as the fake server answers it.
#[derive(Clone, Debug)]
struct Page {
    items: Vec<u32>,
    total: Option<u64>,
    next: Option<String>,
    pit: Option<String>,
}

/// Answers the `n`th request with `pages[n]` (an error where `None`), and records each request.
struct Fake<const FIRST: u64, const CURSOR: bool> {
    pages: Vec<Option<Page>>,
    asked: Asked,
}

impl<const FIRST: u64, const CURSOR: bool> Paginator for Fake<FIRST, CURSOR> {
    type Page = Page;
    type Item = u32;
    type Fetch = futures::future::Ready<Result<ResponseValue<Page>, Error>>;
    const STYLE: Style = if CURSOR {
        Style::Cursor
    } else {
        Style::PageNumber { first: FIRST }
    };

    fn fetch(&self, at: &PageCursor, size: Option<u64>) -> Self::Fetch {
        let mut asked = self.asked.lock().unwrap();
        let n = asked.len();
        asked.push((at.clone(), size));
        let answer = match self.pages.get(n).cloned().flatten() {
            Some(page) => Ok(ResponseValue::new(
                page,
                reqwest::StatusCode::OK,
                Default::default(),
            )),
            None => Err(Error::InvalidRequest(format!("page request {n} fails"))),
        };
        futures::future::ready(answer)
    }

    fn info(page: &Page) -> PageInfo {
        PageInfo {
            count: page.items.len(),
            total: page.total,
            next: page.next.clone(),
            point_in_time: page.pit.clone(),
        }
    }

    fn into_items(page: Page) -> Vec<u32> {
        page.items
    }
}

fn page(items: std::ops::Range<u32>, total: Option<u64>) -> Option<Page> {
    Some(Page {
        items: items.collect(),
        total,
        next: None,
        pit: None,
    })
}

fn cursor_page(items: std::ops::Range<u32>, next: Option<&str>, pit: Option<&str>) -> Option<Page> {
    Some(Page {
        items: items.collect(),
        total: None,
        next: next.map(str::to_string),
        pit: pit.map(str::to_string),
    })
}

fn fake<const F: u64, const C: bool>(pages: Vec<Option<Page>>) -> (Fake<F, C>, Asked) {
    let asked = Asked::default();
    (
        Fake {
            pages,
            asked: asked.clone(),
        },
        asked,
    )
}

async fn all_items<P: Paginator<Item = u32>>(pages: Pages<P>) -> (Vec<u32>, Option<String>) {
    let mut items = pages.items();
    let (mut got, mut error) = (Vec::new(), None);
    while let Some(next) = items.next().await {
        match next {
            Ok(n) => got.push(n),
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    // Nothing comes after the end or an error.
    assert!(items.next().await.is_none());
    (got, error)
}

#[tokio::test]
async fn page_numbers_from_one_stop_at_the_total() {
    let (p, asked) = fake::<1, false>(vec![
        page(0..3, Some(7)),
        page(3..6, Some(7)),
        page(6..7, Some(7)),
        page(0..3, Some(7)),
    ]);
    let (items, error) = all_items(Pages::new(p).page_size(3)).await;
    assert_eq!(items, (0..7).collect::<Vec<_>>());
    assert_eq!(error, None);
    let asked = asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        [
            (PageCursor::Page(1), Some(3)),
            (PageCursor::Page(2), Some(3)),
            (PageCursor::Page(3), Some(3))
        ],
        "no request past the total"
    );
}

#[tokio::test]
async fn page_numbers_from_zero_stop_at_an_empty_page() {
    let (p, asked) = fake::<0, false>(vec![page(0..2, None), page(2..4, None), page(0..0, None)]);
    let mut pages = Pages::new(p);
    let mut counts = Vec::new();
    while let Some(page) = pages.next().await {
        counts.push(page.unwrap().items.len());
    }
    assert_eq!(counts, [2, 2], "the empty last page is not yielded");
    let asked: Vec<PageCursor> = asked
        .lock()
        .unwrap()
        .iter()
        .map(|(c, _)| c.clone())
        .collect();
    assert_eq!(
        asked,
        [
            PageCursor::Page(0),
            PageCursor::Page(1),
            PageCursor::Page(2)
        ]
    );
    assert_eq!(asked.len(), 3);
}

#[tokio::test]
async fn an_empty_first_page_is_yielded_once() {
    let (p, asked) = fake::<1, false>(vec![page(0..0, Some(0)), page(0..5, None)]);
    let mut pages = Pages::new(p);
    let first = pages.next().await.unwrap().unwrap();
    assert!(first.items.is_empty());
    assert!(pages.next().await.is_none());
    assert_eq!(asked.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_page_ends_the_listing_after_the_good_ones() {
    let (p, asked) = fake::<1, false>(vec![
        page(0..2, None),
        page(2..4, None),
        None,
        page(9..10, None),
    ]);
    let (items, error) = all_items(Pages::new(p)).await;
    assert_eq!(items, [0, 1, 2, 3]);
    assert!(error.unwrap().contains("page request 2 fails"));
    assert_eq!(
        asked.lock().unwrap().len(),
        3,
        "nothing is asked after the failure"
    );
}

#[tokio::test]
async fn cursors_are_followed_with_their_point_in_time() {
    let (p, asked) = fake::<0, true>(vec![
        cursor_page(0..2, Some("c1"), Some("pit-1")),
        // This page names no point in time: the one before still holds.
        cursor_page(2..4, Some("c2"), None),
        cursor_page(4..5, Some("c3"), Some("pit-2")),
        cursor_page(5..6, None, None),
    ]);
    let (items, error) = all_items(Pages::new(p).page_size(2)).await;
    assert_eq!(items, (0..6).collect::<Vec<_>>());
    assert_eq!(error, None);
    let after = |c: &str, pit: &str| PageCursor::After {
        cursor: c.into(),
        point_in_time: Some(pit.into()),
    };
    let asked: Vec<PageCursor> = asked
        .lock()
        .unwrap()
        .iter()
        .map(|(c, _)| c.clone())
        .collect();
    assert_eq!(
        asked,
        [
            PageCursor::Start,
            after("c1", "pit-1"),
            after("c2", "pit-1"),
            after("c3", "pit-2")
        ]
    );
}

#[tokio::test]
async fn a_repeated_cursor_stops_after_the_page_that_repeats_it() {
    let (p, asked) = fake::<0, true>(vec![
        cursor_page(0..1, Some("a"), None),
        cursor_page(1..2, Some("b"), None),
        cursor_page(2..3, Some("a"), None),
        cursor_page(3..4, Some("z"), None),
    ]);
    let mut pages = Pages::new(p);
    let mut seen = Vec::new();
    let mut failure = None;
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => seen.extend(page.items),
            Err(e) => failure = Some(e),
        }
    }
    assert_eq!(
        seen,
        [0, 1, 2],
        "the page that repeats the cursor is delivered"
    );
    match failure {
        Some(Error::RepeatedCursor { cursor, page }) => {
            assert_eq!((cursor.as_str(), page), ("a", 3))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_repeated_cursor_on_an_empty_page_is_still_reported() {
    let (p, _) = fake::<0, true>(vec![
        cursor_page(0..1, Some("a"), None),
        cursor_page(1..1, Some("a"), None),
    ]);
    let mut pages = Pages::new(p);
    assert_eq!(pages.next().await.unwrap().unwrap().items, [0]);
    // The empty page ends the listing: nothing more is asked, no error to report.
    assert!(pages.next().await.is_none());
}

#[tokio::test]
async fn prefetch_asks_for_the_next_page_before_it_is_needed() {
    let (p, asked) = fake::<1, false>(vec![
        page(0..2, Some(6)),
        page(2..4, Some(6)),
        page(4..6, Some(6)),
    ]);
    let mut items = Pages::new(p).prefetch(true).items();
    assert_eq!(items.next().await.unwrap().unwrap(), 0);
    assert_eq!(
        asked.lock().unwrap().len(),
        2,
        "page 2 is asked for with page 1 in hand"
    );
    let rest: Vec<u32> = items.map(|i| i.unwrap()).collect().await;
    assert_eq!(rest, [1, 2, 3, 4, 5]);
    assert_eq!(asked.lock().unwrap().len(), 3, "and never past the total");

    let (p, asked) = fake::<1, false>(vec![page(0..2, Some(6)), page(2..4, Some(6))]);
    let mut items = Pages::new(p).items();
    items.next().await.unwrap().unwrap();
    assert_eq!(
        asked.lock().unwrap().len(),
        1,
        "without prefetch, one page at a time"
    );
}

#[tokio::test]
async fn items_page_size_and_prefetch_reach_the_pages() {
    let (p, asked) = fake::<1, false>(vec![page(0..4, Some(8)), page(4..8, Some(8))]);
    let mut items = Pages::new(p).items().page_size(4).prefetch(true);
    assert_eq!(items.next().await.unwrap().unwrap(), 0);
    let asked = asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        [
            (PageCursor::Page(1), Some(4)),
            (PageCursor::Page(2), Some(4))
        ]
    );
}

#[test]
fn counts_and_cursors_read_only_what_makes_sense() {
    assert_eq!(7.0f64.as_count(), Some(7));
    assert_eq!(0.0f64.as_count(), Some(0));
    assert_eq!((-1.0f64).as_count(), None);
    assert_eq!(f64::NAN.as_count(), None);
    assert_eq!(f64::INFINITY.as_count(), None);
    assert_eq!(5i64.as_count(), Some(5));
    assert_eq!((-5i64).as_count(), None);
    assert_eq!(9u64.as_count(), Some(9));
    assert_eq!(Some(3i64).as_count(), Some(3));
    assert_eq!(None::<i64>.as_count(), None);
    assert_eq!(String::from("c").as_cursor().as_deref(), Some("c"));
    assert_eq!(String::new().as_cursor(), None);
    assert_eq!(Some(String::from("d")).as_cursor().as_deref(), Some("d"));
    assert_eq!(None::<String>.as_cursor(), None);
}
