//! Reading a paginated list (Laravel's paginator: `current_page`, `last_page`, `per_page`,
//! `total`) whole, or not at all. A server that always answers page 1, says it has 10^12
//! pages, repeats an item or changes its page count midway would otherwise be read until a
//! cap, and the plan made from what was read: a lead list cut off looks like leads to add.
//! A list that comes back short (an item dropped, a page not full, fewer ids than `total`)
//! is as dangerous: each lead missing from it would be added, and called, again. Each page is
//! checked as it arrives, and the first inconsistency ends the read with `ApiError::Pages`,
//! so nothing is planned from part of a list.

use std::collections::HashMap;

use super::error::ApiError;
use super::types::{Assistant, Lead, Page};

/// The most pages of one list campaignctl reads: beyond it, the list cannot be read whole.
pub const MAX_PAGES: u64 = 10_000;

/// An item of a paginated list, known by its id.
pub trait Keyed {
    /// What the item is, for messages: `lead`, `assistant`.
    const WHAT: &'static str;
    fn key(&self) -> u64;
}

impl Keyed for Lead {
    const WHAT: &'static str = "lead";
    fn key(&self) -> u64 {
        self.id
    }
}

impl Keyed for Assistant {
    const WHAT: &'static str = "assistant";
    fn key(&self) -> u64 {
        self.id
    }
}

/// The error for `path` (the list's path, without the query) with `problem`.
pub fn refused(path: &str, problem: String) -> ApiError {
    ApiError::Pages {
        path: path.to_owned(),
        problem,
    }
}

/// Checks that `page` is the page asked for, and for the first page that its page count
/// agrees with its `total`.
pub fn check_page<T>(path: &str, requested: u64, page: &Page<T>) -> Result<(), ApiError> {
    if page.current_page != requested {
        return Err(refused(
            path,
            format!(
                "asked for page {requested}, the platform answered page {}",
                page.current_page
            ),
        ));
    }
    if requested != 1 {
        return Ok(());
    }
    // Laravel's paginator: last_page = max(ceil(total / per_page), 1).
    let expected = match page.per_page {
        0 => None,
        per_page => Some(page.total.div_ceil(per_page).max(1)),
    };
    if expected != Some(page.last_page) {
        return Err(refused(
            path,
            format!(
                "the first page says {} page(s), but {} item(s) at {} a page make {}",
                page.last_page,
                page.total,
                page.per_page,
                expected.map_or_else(|| "no whole number".to_owned(), |n| n.to_string())
            ),
        ));
    }
    Ok(())
}

/// One list read page after page: each page checked ([`check_page`]), at most [`MAX_PAGES`],
/// the page count, the page size and `total` held to the first page's, no id twice, every
/// page before the last full, and at the end as many distinct ids as `total` says. A list
/// that comes back short (an item dropped by a proxy, a lead deleted while the pages are
/// read) is refused: a missing lead would be planned as a lead to add, and a running campaign
/// would call that person a second time.
pub struct PageReader<'a> {
    path: &'a str,
    /// `last_page`, `per_page` and `total` of the first page.
    first: Option<Shape>,
    /// The page each id was seen on.
    seen: HashMap<u64, u64>,
}

/// What the first page says of the whole list.
#[derive(Clone, Copy)]
struct Shape {
    last_page: u64,
    per_page: u64,
    total: u64,
}

impl<'a> PageReader<'a> {
    pub fn new(path: &'a str) -> PageReader<'a> {
        PageReader {
            path,
            first: None,
            seen: HashMap::new(),
        }
    }

    fn refuse(&self, problem: String) -> ApiError {
        refused(self.path, problem)
    }

    /// Takes page `requested` (pages are asked for from 1 up); `Ok(true)` when more follow.
    pub fn accept<T: Keyed>(&mut self, requested: u64, page: &Page<T>) -> Result<bool, ApiError> {
        check_page(self.path, requested, page)?;
        if page.last_page > MAX_PAGES {
            return Err(self.refuse(format!(
                "it has {} pages, more than the {MAX_PAGES} campaignctl reads",
                page.last_page
            )));
        }
        let first = *self.first.get_or_insert(Shape {
            last_page: page.last_page,
            per_page: page.per_page,
            total: page.total,
        });
        let last = first.last_page;
        // Each of these moving means items were added or removed while the list was read (or
        // the server is not paging one list): the pages read so far no longer add up.
        for (what, before, now) in [
            ("page(s)", last, page.last_page),
            ("item(s) in all", first.total, page.total),
            ("item(s) a page", first.per_page, page.per_page),
        ] {
            if before != now {
                return Err(self.refuse(format!(
                    "the list changed while it was read (page 1 said {before} {what}, page {requested} says {now}); run again"
                )));
            }
        }
        for item in &page.data {
            if let Some(before) = self.seen.insert(item.key(), requested) {
                return Err(self.refuse(format!(
                    "{} {} appears on page {before} and again on page {requested}",
                    T::WHAT,
                    item.key()
                )));
            }
        }
        let held = page.data.len() as u64;
        if requested < last && held != first.per_page {
            return Err(self.refuse(if held == 0 {
                format!("page {requested} of {last} is empty")
            } else {
                format!(
                    "page {requested} of {last} holds {held} item(s), not the {} a page it states; items are missing",
                    first.per_page
                )
            }));
        }
        if requested < last {
            return Ok(true);
        }
        let read = self.seen.len() as u64;
        if read != first.total {
            return Err(self.refuse(format!(
                "{read} distinct {}(s) read in all, but the platform says there are {}; the list came back {}",
                T::WHAT,
                first.total,
                if read < first.total { "short" } else { "with more than it counts" }
            )));
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(current: u64, ids: &[u64], last: u64, per_page: u64, total: u64) -> Page<Lead> {
        Page {
            current_page: current,
            data: ids
                .iter()
                .map(|&id| Lead {
                    id,
                    campaign_id: 1,
                    phone_number: "+14155550101".into(),
                    variables: Default::default(),
                    status: None,
                    created_at: None,
                    updated_at: None,
                })
                .collect(),
            last_page: last,
            next_page_url: None,
            per_page,
            total,
            from: None,
            to: None,
        }
    }

    #[test]
    fn a_consistent_list_is_read_to_its_last_page() {
        let mut r = PageReader::new("user/leads");
        assert!(matches!(r.accept(1, &page(1, &[1, 2], 2, 2, 3)), Ok(true)));
        assert!(matches!(r.accept(2, &page(2, &[3], 2, 2, 3)), Ok(false)));
        let mut r = PageReader::new("user/leads");
        assert!(
            matches!(r.accept(1, &page(1, &[], 1, 100, 0)), Ok(false)),
            "an empty list is one empty page"
        );
    }

    #[test]
    fn every_inconsistency_is_refused_naming_it() {
        let problem = |pages: &[Page<Lead>]| {
            let mut r = PageReader::new("user/leads");
            for (i, p) in pages.iter().enumerate() {
                if let Err(e) = r.accept(i as u64 + 1, p) {
                    return e.to_string();
                }
            }
            String::new()
        };
        assert!(problem(&[page(1, &[1], 3, 1, 3), page(1, &[1], 3, 1, 3)])
            .contains("asked for page 2, the platform answered page 1"));
        assert!(problem(&[page(1, &[1], 1_000_000_000_000, 1, 1)]).contains(
            "the first page says 1000000000000 page(s), but 1 item(s) at 1 a page make 1"
        ));
        assert!(
            problem(&[page(1, &[1], 1_000_000_000_000, 100, 100_000_000_000_000)])
                .contains("it has 1000000000000 pages, more than the 10000 campaignctl reads")
        );
        assert!(problem(&[page(1, &[1], 2, 1, 2), page(2, &[1], 2, 1, 2)])
            .contains("lead 1 appears on page 1 and again on page 2"));
        assert!(problem(&[page(1, &[1], 3, 1, 3), page(2, &[2], 4, 1, 4)])
            .contains("the list changed while it was read"));
        assert!(problem(&[page(1, &[], 2, 1, 2)]).contains("page 1 of 2 is empty"));
        assert!(problem(&[page(1, &[1], 1, 0, 1)]).contains("make no whole number"));
    }

    #[test]
    fn a_list_that_comes_back_short_or_shifts_is_refused() {
        let problem = |pages: &[Page<Lead>]| {
            let mut r = PageReader::new("user/leads");
            for (i, p) in pages.iter().enumerate() {
                match r.accept(i as u64 + 1, p) {
                    Err(e) => return e.to_string(),
                    Ok(false) => return String::new(),
                    Ok(true) => {}
                }
            }
            "not read to its end".to_owned()
        };
        // The last item dropped, the count kept.
        assert!(problem(&[page(1, &[1], 1, 100, 2)]).contains(
            "1 distinct lead(s) read in all, but the platform says there are 2; the list came back short"
        ));
        assert!(problem(&[page(1, &[1, 2, 3], 1, 100, 2)])
            .contains("3 distinct lead(s) read in all, but the platform says there are 2"));
        // A page before the last that is not full: its missing items are on no page.
        assert!(
            problem(&[page(1, &[1], 2, 2, 3), page(2, &[3], 2, 2, 3)]).contains(
                "page 1 of 2 holds 1 item(s), not the 2 a page it states; items are missing"
            )
        );
        // `total` or the page size moving between pages.
        assert!(
            problem(&[page(1, &[1, 2], 2, 2, 3), page(2, &[3], 2, 2, 4)]).contains(
                "the list changed while it was read (page 1 said 3 item(s) in all, page 2 says 4)"
            )
        );
        assert!(
            problem(&[page(1, &[1, 2], 2, 2, 3), page(2, &[3], 2, 3, 3)]).contains(
                "the list changed while it was read (page 1 said 2 item(s) a page, page 2 says 3)"
            )
        );
        assert_eq!(
            problem(&[page(1, &[1, 2], 2, 2, 3), page(2, &[3], 2, 2, 3)]),
            "",
            "a whole list is accepted"
        );
    }
}
