//! Reading a paginated list (Laravel's paginator: `current_page`, `last_page`, `per_page`,
//! `total`) whole, or not at all. A server that always answers page 1, says it has 10^12
//! pages, repeats an item or changes its page count midway would otherwise be read until a
//! cap, and the plan made from what was read: a lead list cut off looks like leads to add.
//! Each page is checked as it arrives, and the first inconsistency ends the read with
//! `ApiError::Pages`, so nothing is planned from part of a list.

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
/// the page count held to the first page's, no id twice, no empty page before the last.
pub struct PageReader<'a> {
    path: &'a str,
    last_page: Option<u64>,
    /// The page each id was seen on.
    seen: HashMap<u64, u64>,
}

impl<'a> PageReader<'a> {
    pub fn new(path: &'a str) -> PageReader<'a> {
        PageReader {
            path,
            last_page: None,
            seen: HashMap::new(),
        }
    }

    /// Takes page `requested` (pages are asked for from 1 up); `Ok(true)` when more follow.
    pub fn accept<T: Keyed>(&mut self, requested: u64, page: &Page<T>) -> Result<bool, ApiError> {
        check_page(self.path, requested, page)?;
        if page.last_page > MAX_PAGES {
            return Err(refused(
                self.path,
                format!(
                    "it has {} pages, more than the {MAX_PAGES} campaignctl reads",
                    page.last_page
                ),
            ));
        }
        let last = *self.last_page.get_or_insert(page.last_page);
        if page.last_page != last {
            return Err(refused(
                self.path,
                format!(
                    "the list changed while it was read (first {last} page(s), then {}); run again",
                    page.last_page
                ),
            ));
        }
        for item in &page.data {
            if let Some(before) = self.seen.insert(item.key(), requested) {
                return Err(refused(
                    self.path,
                    format!(
                        "{} {} appears on page {before} and again on page {requested}",
                        T::WHAT,
                        item.key()
                    ),
                ));
            }
        }
        if requested < last && page.data.is_empty() {
            return Err(refused(
                self.path,
                format!("page {requested} of {last} is empty"),
            ));
        }
        Ok(requested < last)
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
}
