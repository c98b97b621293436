//! Pagination: `pages()` and `items()` streams over any paginated operation.
//!
//! Kibana pages in several ways (page numbers, `searchAfter` with a point in time, opaque
//! cursors); `spec/pagination.yaml` describes each operation's way as data, and the generator
//! turns each description into a [`Paginator`]. [`Pages`] then drives it: one request per page,
//! one page in memory at a time (two with [`Pages::prefetch`]; with [`Pages::concurrency`],
//! several page-number requests at once, decoded in parallel and yielded in order), stopping on
//! an empty page, when the total is reached, or when no next cursor comes back, and ending with
//! [`Error::RepeatedCursor`] if the server hands out a cursor it gave before.

pub mod free_form;
#[doc(hidden)]
pub mod nested;

use crate::{Error, ResponseValue};
use futures::Stream;
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// Where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageCursor {
    /// A page number.
    Page(u64),
    /// The first page of a cursor-paged listing.
    Start,
    /// A cursor the previous page handed out, with the point in time it belongs to, if any.
    After {
        /// The cursor (e.g. Fleet's `nextSearchAfter`).
        cursor: String,
        /// The point-in-time id (e.g. Fleet's `pit`).
        point_in_time: Option<String>,
    },
}

/// What a page says about the listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// Items on this page.
    pub count: usize,
    /// Items in the whole listing, if the operation reports it.
    pub total: Option<u64>,
    /// The cursor of the next page (cursor style).
    pub next: Option<String>,
    /// The point-in-time id to send with it.
    pub point_in_time: Option<String>,
}

/// How a paginator pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// By page number, from `first`.
    PageNumber {
        /// The number of the first page (1 for most Kibana APIs, 0 for `page_index` ones).
        first: u64,
    },
    /// By cursor.
    Cursor,
}

/// One paginated operation, generated from `spec/pagination.yaml`.
pub trait Paginator {
    /// A whole response page.
    type Page: Send + 'static;
    /// One listed item.
    type Item;
    /// The request future for one page; it owns what it needs, so a prefetch can spawn it.
    type Fetch: Future<Output = Result<ResponseValue<Self::Page>, Error>> + Unpin + Send + 'static;
    /// How it pages.
    const STYLE: Style;
    /// Sends the request for the page at `at`, with `size` items per page if given.
    fn fetch(&self, at: &PageCursor, size: Option<u64>) -> Self::Fetch;
    /// What the page says about the listing.
    fn info(page: &Self::Page) -> PageInfo;
    /// The page's items.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
}

/// The number of the last page of a listing by page number that starts at page `first` and
/// holds `total` items, when its first page held `first_len` (a full page when there are
/// more, so the page size); `None` when the first page was empty.
pub fn last_page(first: u64, total: u64, first_len: u64) -> Option<u64> {
    let per_page = std::num::NonZeroU64::new(first_len)?;
    Some(first + total.div_ceil(per_page.get()).max(1) - 1)
}

/// A count field, whatever its JSON type.
pub trait AsCount {
    /// The count, if there is one: a whole number, not negative, that fits a `u64`. A fraction
    /// is no count (read as its whole part, a total of 2.5 would end the listing a page early).
    fn as_count(&self) -> Option<u64>;
}

impl AsCount for f64 {
    fn as_count(&self) -> Option<u64> {
        // 2^64: the first whole `f64` a `u64` cannot hold.
        const LIMIT: f64 = 18_446_744_073_709_551_616.0;
        (*self >= 0.0 && *self < LIMIT && self.fract() == 0.0).then_some(*self as u64)
    }
}

impl AsCount for f32 {
    fn as_count(&self) -> Option<u64> {
        f64::from(*self).as_count()
    }
}

/// Every integer type typify may choose for a count (by its format and limits).
macro_rules! integer_counts {
    ($($t:ty),*) => {$(
        impl AsCount for $t {
            fn as_count(&self) -> Option<u64> {
                u64::try_from(*self).ok()
            }
        }
    )*};
}

integer_counts!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// The non-zero integer types typify chooses for a count with `minimum: 1`.
macro_rules! non_zero_counts {
    ($($t:ty),*) => {$(
        impl AsCount for $t {
            fn as_count(&self) -> Option<u64> {
                self.get().as_count()
            }
        }
    )*};
}

non_zero_counts!(
    std::num::NonZeroU8,
    std::num::NonZeroU16,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    std::num::NonZeroU128,
    std::num::NonZeroUsize,
    std::num::NonZeroI8,
    std::num::NonZeroI16,
    std::num::NonZeroI32,
    std::num::NonZeroI64,
    std::num::NonZeroI128,
    std::num::NonZeroIsize
);

impl<T: AsCount> AsCount for Option<T> {
    fn as_count(&self) -> Option<u64> {
        self.as_ref().and_then(AsCount::as_count)
    }
}

/// A cursor field, required or optional.
pub trait AsCursor {
    /// The cursor, if any (an empty string is none).
    fn as_cursor(&self) -> Option<String>;
}

impl AsCursor for String {
    fn as_cursor(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.clone())
    }
}

impl<T: AsCursor> AsCursor for Option<T> {
    fn as_cursor(&self) -> Option<String> {
        self.as_ref().and_then(AsCursor::as_cursor)
    }
}

type PageResult<P> = Result<<P as Paginator>::Page, Error>;

/// A page request: polled by the stream itself, or (prefetching) spawned onto the runtime so it
/// is sent and decoded on another worker while the caller works.
enum InFlight<P: Paginator> {
    Here(P::Fetch),
    Spawned(tokio::task::JoinHandle<Result<ResponseValue<P::Page>, Error>>),
}

impl<P: Paginator> InFlight<P> {
    fn start(fetch: P::Fetch, spawn: bool) -> Self {
        match tokio::runtime::Handle::try_current() {
            // The spawned request stays inside the caller's tracing span.
            Ok(runtime) if spawn => {
                Self::Spawned(runtime.spawn(tracing::Instrument::in_current_span(fetch)))
            }
            _ => Self::Here(fetch),
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<ResponseValue<P::Page>, Error>> {
        match self {
            Self::Here(fetch) => Pin::new(fetch).poll(cx),
            Self::Spawned(task) => Poll::Ready(match ready!(Pin::new(task).poll(cx)) {
                Ok(result) => result,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => Err(Error::Io(std::io::Error::other(
                    "the prefetched page request was cancelled (the runtime is shutting down)",
                ))),
            }),
        }
    }
}

impl<P: Paginator> Drop for InFlight<P> {
    fn drop(&mut self) {
        // A dropped stream must not leave its prefetch running.
        if let Self::Spawned(task) = self {
            task.abort();
        }
    }
}

/// A page requested, in the order pages are yielded.
enum Slot<P: Paginator> {
    Flying(InFlight<P>),
    /// An answer that arrived before it was asked for.
    Done(PageResult<P>),
}

/// A stream of whole pages. Build it with an operation's `pages()`.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<P: Paginator> {
    paginator: P,
    size: Option<u64>,
    /// Requests kept in flight ahead of the caller: 0 asks for a page only when it is wanted,
    /// 1 is [`Pages::prefetch`], more is [`Pages::concurrency`] (page numbers only).
    ahead: usize,
    /// Where the page after the last one yielded starts; `None` once the listing is done.
    next: Option<PageCursor>,
    /// Page numbers: the next one to request, and the last there is once a total is known.
    to_request: u64,
    last_page: Option<u64>,
    /// Items on the first page: the server's page size when there is more than one page.
    first_count: usize,
    /// Requests in page order, the front one the next to yield.
    queue: VecDeque<Slot<P>>,
    seen_items: u64,
    seen_cursors: HashSet<u64>,
    pages: u64,
    /// An error to yield after the current page (the repeated-cursor guard).
    pending_error: Option<Error>,
}

impl<P: Paginator> Pages<P> {
    /// Pages of `paginator`, from the first.
    pub fn new(paginator: P) -> Self {
        let (start, to_request) = match P::STYLE {
            Style::PageNumber { first } => (PageCursor::Page(first), first),
            Style::Cursor => (PageCursor::Start, 0),
        };
        Self {
            paginator,
            size: None,
            ahead: 0,
            next: Some(start),
            to_request,
            last_page: None,
            first_count: 0,
            queue: VecDeque::new(),
            seen_items: 0,
            seen_cursors: HashSet::new(),
            pages: 0,
            pending_error: None,
        }
    }

    /// Items per page (the operation's own default otherwise).
    pub fn page_size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// Requests the next page while the caller works through the current one. The request is
    /// spawned onto the Tokio runtime, so on a multi-thread runtime the page is received and
    /// decoded on another worker meanwhile; dropping the stream aborts it. Two pages are then in
    /// memory at a time.
    pub fn prefetch(mut self, yes: bool) -> Self {
        self.ahead = usize::from(yes);
        self
    }

    /// Keeps up to `pages` page requests in flight at once, each spawned onto the Tokio runtime,
    /// so that on a multi-thread runtime several pages are received and decoded in parallel;
    /// pages (and items) still come in order, and an error ends the stream after the pages
    /// before it. Up to `pages + 1` pages are in memory at a time.
    ///
    /// Only listings by page number can ask for a page before the one before it has answered:
    /// the first page is requested alone (its total says how many pages there are), then the
    /// rest `pages` at a time, never past the last page the total allows. A listing without a
    /// total may have up to `pages - 1` requests answered past its end (empty pages, dropped).
    /// Listings by cursor need each page's cursor for the next: for them this is
    /// [`prefetch`](Self::prefetch). `concurrency(1)` is `prefetch(true)`, `concurrency(0)` is
    /// `prefetch(false)`.
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.ahead = pages;
        self
    }

    /// The stream of items instead of pages.
    pub fn items(self) -> Items<P> {
        Items {
            pages: self,
            current: Vec::new().into_iter(),
        }
    }

    /// Sends what may be sent now: the next page's request if none is out, and with page
    /// numbers after the first page, more up to the concurrency, within the last page.
    fn start_requests(&mut self) {
        let Some(next) = &self.next else { return };
        let spawn = self.ahead > 0;
        if let (Style::PageNumber { .. }, PageCursor::Page(_)) = (P::STYLE, next) {
            let width = if self.pages == 0 {
                1
            } else {
                self.ahead.max(1)
            };
            while self.queue.len() < width && self.last_page.is_none_or(|l| self.to_request <= l) {
                let at = PageCursor::Page(self.to_request);
                let fetch = self.paginator.fetch(&at, self.size);
                self.queue
                    .push_back(Slot::Flying(InFlight::start(fetch, spawn)));
                self.to_request += 1;
            }
        } else if self.queue.is_empty() {
            let fetch = self.paginator.fetch(next, self.size);
            self.queue
                .push_back(Slot::Flying(InFlight::start(fetch, spawn)));
        }
    }

    /// Polls the requests in flight, keeping the answers that arrive early.
    fn drive(&mut self, cx: &mut Context<'_>) {
        for slot in &mut self.queue {
            if let Slot::Flying(fetch) = slot
                && let Poll::Ready(result) = fetch.poll(cx)
            {
                *slot = Slot::Done(result.map(ResponseValue::into_inner));
            }
        }
    }

    /// Works out where the page after `page` starts, or that there is none.
    fn advance(&mut self, page: &P::Page) {
        let info = P::info(page);
        self.pages += 1;
        self.seen_items += info.count as u64;
        let current = self.next.take();
        if self.pages == 1 {
            self.first_count = info.count;
        }
        if let (Style::PageNumber { first }, Some(total)) = (P::STYLE, info.total) {
            self.last_page = last_page(first, total, self.first_count as u64);
        }
        if info.count == 0 || info.total.is_some_and(|t| self.seen_items >= t) {
            return;
        }
        self.next = match (P::STYLE, current) {
            (Style::PageNumber { .. }, Some(PageCursor::Page(n))) => Some(PageCursor::Page(n + 1)),
            (Style::Cursor, Some(previous)) => {
                let Some(cursor) = info.next else { return };
                let mut hasher = DefaultHasher::new();
                cursor.hash(&mut hasher);
                if !self.seen_cursors.insert(hasher.finish()) {
                    self.pending_error = Some(Error::RepeatedCursor {
                        cursor,
                        page: self.pages,
                    });
                    return;
                }
                let point_in_time = info.point_in_time.or(match previous {
                    PageCursor::After { point_in_time, .. } => point_in_time,
                    _ => None,
                });
                Some(PageCursor::After {
                    cursor,
                    point_in_time,
                })
            }
            _ => None,
        };
    }
}

// No field is ever pinned: the request future is `Unpin` and pages are moved, not polled.
impl<P: Paginator> Unpin for Pages<P> {}
impl<P: Paginator> Unpin for Items<P> {}

impl<P: Paginator> Stream for Pages<P> {
    type Item = Result<P::Page, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(e) = this.pending_error.take() {
            return Poll::Ready(Some(Err(e)));
        }
        this.start_requests();
        this.drive(cx);
        match this.queue.front() {
            None => return Poll::Ready(None),
            Some(Slot::Flying(_)) => return Poll::Pending,
            Some(Slot::Done(_)) => {}
        }
        let Some(Slot::Done(result)) = this.queue.pop_front() else {
            return Poll::Pending;
        };
        match result {
            Ok(page) => {
                let first = this.pages == 0;
                this.advance(&page);
                if this.next.is_none() {
                    // Past the end: requests still out are aborted, answers dropped.
                    this.queue.clear();
                }
                if this.ahead > 0 {
                    this.start_requests();
                    this.drive(cx);
                }
                if P::info(&page).count == 0 && !first {
                    // An empty page after the first ends the listing without being yielded.
                    return match this.pending_error.take() {
                        Some(e) => Poll::Ready(Some(Err(e))),
                        None => Poll::Ready(None),
                    };
                }
                Poll::Ready(Some(Ok(page)))
            }
            Err(e) => {
                this.next = None;
                this.queue.clear();
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

/// A stream of items, page after page. Build it with an operation's `items()`.
#[must_use = "streams do nothing unless polled"]
pub struct Items<P: Paginator> {
    pages: Pages<P>,
    current: std::vec::IntoIter<P::Item>,
}

impl<P: Paginator> Items<P> {
    /// Items per page requested (the operation's own default otherwise).
    pub fn page_size(mut self, size: u64) -> Self {
        self.pages.size = Some(size);
        self
    }

    /// Requests the next page while the caller works through the current one.
    pub fn prefetch(mut self, yes: bool) -> Self {
        self.pages = self.pages.prefetch(yes);
        self
    }

    /// Up to `pages` page requests in flight at once (see [`Pages::concurrency`]).
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.pages = self.pages.concurrency(pages);
        self
    }
}

impl<P: Paginator> Stream for Items<P> {
    type Item = Result<P::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                // Keep the prefetched request moving while items are handed out.
                if this.pages.ahead > 0 {
                    this.pages.drive(cx);
                }
                return Poll::Ready(Some(Ok(item)));
            }
            // The spent page's buffer goes before the next page is decoded, not after.
            this.current = Vec::new().into_iter();
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.current = P::into_items(page).into_iter(),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

/// Where a paginated operation's page keeps its items and counts: the JSON field names, which
/// [`PageOf`] reads. Each generated paginator has one.
pub trait PageShape {
    /// The field holding the page's items (an array).
    const ITEMS: &'static str;
    /// The field holding the listing's total, if the operation reports one.
    const TOTAL: Option<&'static str>;
    /// The field holding the next page's cursor (cursor style).
    const CURSOR: Option<&'static str>;
    /// The field holding the point-in-time id (cursor style with a point in time).
    const POINT_IN_TIME: Option<&'static str>;
}

/// The request future of a page decoded as `R`.
pub type BoxFetch<R> =
    Pin<Box<dyn Future<Output = Result<ResponseValue<R>, Error>> + Send + 'static>>;

/// A generated paginator that can also fetch its pages decoded as another type (every success
/// of its operation is JSON), for [`PagesAs`].
pub trait FetchAs: Paginator {
    /// Where its page keeps items and counts (the paginator itself, `'static`).
    type Shape: PageShape + 'static;
    /// [`Paginator::fetch`], the page decoded as `R`.
    fn fetch_as<R: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        at: &PageCursor,
        size: Option<u64>,
    ) -> BoxFetch<R>;
}

/// A generated paginator whose items are decoded as `T`, a type of the caller's
/// (`pages_as::<T>()`, `items_as::<T>()`): pages are [`PageOf`], the rest of each item and of
/// the page skipped unread; it pages as `P` does.
pub struct PagesAs<P, T> {
    paginator: P,
    item: std::marker::PhantomData<fn() -> T>,
}

impl<P, T> PagesAs<P, T> {
    /// Pages of `paginator`'s operation with items as `T`.
    pub fn new(paginator: P) -> Self {
        Self {
            paginator,
            item: std::marker::PhantomData,
        }
    }
}

impl<P: Clone, T> Clone for PagesAs<P, T> {
    fn clone(&self) -> Self {
        Self::new(self.paginator.clone())
    }
}

impl<P: std::fmt::Debug, T> std::fmt::Debug for PagesAs<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PagesAs")
            .field("paginator", &self.paginator)
            .finish()
    }
}

impl<P: FetchAs, T: serde::de::DeserializeOwned + Send + 'static> Paginator for PagesAs<P, T> {
    type Page = PageOf<T, P::Shape>;
    type Item = T;
    type Fetch = BoxFetch<Self::Page>;
    const STYLE: Style = P::STYLE;

    fn fetch(&self, at: &PageCursor, size: Option<u64>) -> Self::Fetch {
        self.paginator.fetch_as::<Self::Page>(at, size)
    }

    fn info(page: &Self::Page) -> PageInfo {
        page.info()
    }

    fn into_items(page: Self::Page) -> Vec<T> {
        page.items
    }
}

/// A page decoded with its items as a type of the caller's (`items_as::<T>()` and
/// `pages_as::<T>()` on a paginated operation): the items, and only the fields that page the
/// listing; every other field of the page is skipped unread.
pub struct PageOf<T, S> {
    /// The page's items.
    pub items: Vec<T>,
    /// The listing's total, if the page has one.
    pub total: Option<u64>,
    /// The next page's cursor, if any (cursor style).
    pub next: Option<String>,
    /// The point-in-time id, if any.
    pub point_in_time: Option<String>,
    shape: std::marker::PhantomData<fn() -> S>,
}

impl<T, S> PageOf<T, S> {
    /// What the page says about the listing.
    pub fn info(&self) -> PageInfo {
        PageInfo {
            count: self.items.len(),
            total: self.total,
            next: self.next.as_cursor(),
            point_in_time: self.point_in_time.as_cursor(),
        }
    }
}

impl<T: std::fmt::Debug, S> std::fmt::Debug for PageOf<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageOf")
            .field("items", &self.items)
            .field("total", &self.total)
            .field("next", &self.next)
            .field("point_in_time", &self.point_in_time)
            .finish()
    }
}

impl<T: Clone, S> Clone for PageOf<T, S> {
    fn clone(&self) -> Self {
        Self {
            items: self.items.clone(),
            total: self.total,
            next: self.next.clone(),
            point_in_time: self.point_in_time.clone(),
            shape: std::marker::PhantomData,
        }
    }
}

impl<'de, T: serde::Deserialize<'de>, S: PageShape> serde::Deserialize<'de> for PageOf<T, S> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut gathered = Gathered {
            items: None,
            total: None,
            next: None,
            point_in_time: None,
        };
        deserializer.deserialize_map(Level::<T, S> {
            at: String::new(),
            gathered: &mut gathered,
            shape: std::marker::PhantomData,
        })?;
        Ok(PageOf {
            items: gathered
                .items
                .ok_or_else(|| serde::de::Error::missing_field(S::ITEMS))?,
            total: gathered.total,
            next: gathered.next,
            point_in_time: gathered.point_in_time,
            shape: std::marker::PhantomData,
        })
    }
}

/// The paging fields of a page, as they are read.
struct Gathered<T> {
    items: Option<Vec<T>>,
    total: Option<u64>,
    next: Option<String>,
    point_in_time: Option<String>,
}

/// One object of a page: the page itself (`at` empty), or an object on the way to a nested
/// paging field (`at` its dotted path, e.g. `data` for `data.edges`). Keys that are neither a
/// paging field nor on the way to one are skipped unread.
struct Level<'g, T, S> {
    at: String,
    gathered: &'g mut Gathered<T>,
    shape: std::marker::PhantomData<fn() -> S>,
}

impl<'de, T: serde::Deserialize<'de>, S: PageShape> serde::de::DeserializeSeed<'de>
    for Level<'_, T, S>
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // `any`: a null on the way is a field that is absent, not an error.
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: serde::Deserialize<'de>, S: PageShape> serde::de::Visitor<'de> for Level<'_, T, S> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.at.is_empty() {
            write!(f, "a page with its items in `{}`", S::ITEMS)
        } else {
            write!(f, "an object at `{}`", self.at)
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let fields = [Some(S::ITEMS), S::TOTAL, S::CURSOR, S::POINT_IN_TIME];
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.at.is_empty() {
                key
            } else {
                format!("{}.{key}", self.at)
            };
            let here = Some(path.as_str());
            if here == Some(S::ITEMS) {
                self.gathered.items = Some(map.next_value::<Vec<T>>()?);
            } else if here == S::TOTAL {
                self.gathered.total = map.next_value::<Option<Count>>()?.and_then(|c| c.0);
            } else if here == S::CURSOR {
                self.gathered.next = map.next_value()?;
            } else if here == S::POINT_IN_TIME {
                self.gathered.point_in_time = map.next_value()?;
            } else if fields.iter().flatten().any(|f| {
                f.strip_prefix(path.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
            }) {
                map.next_value_seed(Level::<T, S> {
                    at: path,
                    gathered: &mut *self.gathered,
                    shape: std::marker::PhantomData,
                })?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A count in any JSON number (Kibana writes totals as integers or floats), read as
/// [`AsCount`] reads it: negative or fractional garbage is no count.
struct Count(Option<u64>);

impl<'de> serde::Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a count")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Count, E> {
                Ok(Count(Some(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Count, E> {
                Ok(Count(v.as_count()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Count, E> {
                Ok(Count(v.as_count()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod page_of_tests {
    use super::*;

    struct Shape;
    impl PageShape for Shape {
        const ITEMS: &'static str = "data";
        const TOTAL: Option<&'static str> = Some("totalCount");
        const CURSOR: Option<&'static str> = Some("next");
        const POINT_IN_TIME: Option<&'static str> = None;
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Slim {
        id: String,
    }

    #[test]
    fn reads_the_items_and_the_paging_fields_and_skips_the_rest() {
        let page: PageOf<Slim, Shape> = serde_json::from_str(
            r#"{"page": 1, "data": [{"id": "a", "x": {"deep": [1]}}, {"id": "b"}], "totalCount": 7.0, "next": "c2", "pit": "p"}"#,
        )
        .unwrap();
        assert_eq!(
            page.items,
            [Slim { id: "a".into() }, Slim { id: "b".into() }]
        );
        assert_eq!(
            page.info(),
            PageInfo {
                count: 2,
                total: Some(7),
                next: Some("c2".into()),
                point_in_time: None,
            }
        );
        // An empty cursor is none; a total may be an integer, absent, or null.
        let page: PageOf<Slim, Shape> =
            serde_json::from_str(r#"{"data": [], "totalCount": 3, "next": ""}"#).unwrap();
        assert_eq!((page.info().total, page.info().next), (Some(3), None));
        let page: PageOf<Slim, Shape> =
            serde_json::from_str(r#"{"data": [], "totalCount": null}"#).unwrap();
        assert_eq!(page.total, None);
        // A fraction, a negative number or one past u64 is no count, never a truncated one.
        for garbage in ["2.5", "-1", "-0.5", "1e20", "1.8446744073709552e19"] {
            let text = format!(r#"{{"data": [], "totalCount": {garbage}}}"#);
            let page: PageOf<Slim, Shape> = serde_json::from_str(&text).unwrap();
            assert_eq!(page.total, None, "{garbage}");
        }
        let page: PageOf<Slim, Shape> =
            serde_json::from_str(r#"{"data": [], "totalCount": 9007199254740992.0}"#).unwrap();
        assert_eq!(page.total, Some(9_007_199_254_740_992));
    }

    struct Nested;
    impl PageShape for Nested {
        const ITEMS: &'static str = "data.edges";
        const TOTAL: Option<&'static str> = Some("data.total");
        const CURSOR: Option<&'static str> = None;
        const POINT_IN_TIME: Option<&'static str> = None;
    }

    #[test]
    fn nested_paging_fields_are_read_by_their_dotted_path() {
        let text = r#"{"edges": 1, "data": {"skip": {"edges": []}, "total": 3, "edges": [{"id": "a"}, {"id": "b"}]}, "more": {"data": 1}}"#;
        let page: PageOf<Slim, Nested> = serde_json::from_str(text).unwrap();
        assert_eq!(
            page.items,
            [Slim { id: "a".into() }, Slim { id: "b".into() }]
        );
        assert_eq!(page.total, Some(3));
        // The object on the way may be null or absent: no items, a missing-field error.
        for text in [r#"{"data": null}"#, r#"{"other": {}}"#] {
            let e = serde_json::from_str::<PageOf<Slim, Nested>>(text).unwrap_err();
            assert!(e.to_string().contains("missing field `data.edges`"), "{e}");
        }
        // Anything else on the way is an error naming where.
        let e = serde_json::from_str::<PageOf<Slim, Nested>>(r#"{"data": [1]}"#).unwrap_err();
        assert!(e.to_string().contains("an object at `data`"), "{e}");
        let text = r#"{"data": {"edges": [{"id": "a"}, {"id": 5}]}}"#;
        let e = serde_path_to_error::deserialize::<_, PageOf<Slim, Nested>>(
            &mut serde_json::Deserializer::from_str(text),
        )
        .unwrap_err();
        assert_eq!(e.path().to_string(), "data.edges[1].id");
    }

    #[test]
    fn a_page_without_items_or_with_wrong_items_is_an_error_with_its_path() {
        let e = serde_json::from_str::<PageOf<Slim, Shape>>(r#"{"items": []}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `data`"), "{e}");
        let text = r#"{"data": [{"id": "a"}, {"id": 5}]}"#;
        let e = serde_path_to_error::deserialize::<_, PageOf<Slim, Shape>>(
            &mut serde_json::Deserializer::from_str(text),
        )
        .unwrap_err();
        assert_eq!(e.path().to_string(), "data[1].id");
        assert!(
            serde_json::from_str::<PageOf<Slim, Shape>>(r#"{"data": [], "totalCount": "x"}"#)
                .is_err()
        );
    }
}
