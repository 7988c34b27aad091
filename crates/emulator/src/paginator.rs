//! Laravel's length-aware paginator, as `/user/assistants/get` and `/user/leads` return it:
//! absolute page URLs built from the request's Host header, null where there is no such page.

use axum::http::header::HOST;
use axum::http::HeaderMap;
use serde::Serialize;

use super::validation::{as_integer, Validator};

const DEFAULT_PER_PAGE: u64 = 15;
const PER_PAGE: std::ops::RangeInclusive<u64> = 1..=100;

#[derive(Debug, Clone, Copy)]
pub(crate) struct PageRequest {
    page: u64,
    per_page: u64,
}

impl PageRequest {
    /// Reads `per_page` (validated: 1..=100, default 15) and `page`, read the way Laravel's
    /// paginator reads it: anything but a positive integer means page 1. Failures land in `v`,
    /// together with the route's other query rules.
    pub(crate) fn read(v: &mut Validator<'_>) -> PageRequest {
        PageRequest::read_with_default(v, DEFAULT_PER_PAGE)
    }

    /// `read`, for a route whose controller passes its own default to `paginate()` (the
    /// assistant list's is documented as 10).
    pub(crate) fn read_with_default(v: &mut Validator<'_>, default_per_page: u64) -> PageRequest {
        let per_page = v
            .optional("per_page")
            .and_then(|x| v.integer("per_page", x))
            .and_then(|n| v.between("per_page", n, &PER_PAGE));
        let page = v
            .optional("page")
            .and_then(as_integer)
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n >= 1);
        PageRequest {
            page: page.unwrap_or(1),
            per_page: per_page.unwrap_or(default_per_page),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct LaravelPage<T> {
    current_page: u64,
    data: Vec<T>,
    first_page_url: String,
    from: Option<u64>,
    last_page: u64,
    last_page_url: String,
    next_page_url: Option<String>,
    path: String,
    per_page: u64,
    prev_page_url: Option<String>,
    to: Option<u64>,
    total: u64,
}

/// Where a paginated route lives, and the query parameters its page URLs carry along.
pub(crate) struct PageLinks<'a> {
    pub path: String,
    pub query: Vec<(&'a str, String)>,
}

impl<'a> PageLinks<'a> {
    /// `http://HOST/api/...` from the Host header the client sent.
    pub(crate) fn new(headers: &HeaderMap, route: &str) -> PageLinks<'a> {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        PageLinks {
            path: format!("http://{host}{route}"),
            query: Vec::new(),
        }
    }

    fn url(&self, page: u64, per_page: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("page", &page.to_string());
        query.append_pair("per_page", &per_page.to_string());
        for (key, value) in &self.query {
            query.append_pair(key, value);
        }
        format!("{}?{}", self.path, query.finish())
    }
}

/// One page of `items` (all matching items, in order).
pub(crate) fn paginate<T>(
    items: Vec<T>,
    request: PageRequest,
    links: &PageLinks<'_>,
) -> LaravelPage<T> {
    let PageRequest { page, per_page } = request;
    let total = items.len() as u64;
    let last_page = total.div_ceil(per_page).max(1);
    let offset = (page - 1).saturating_mul(per_page);
    let data: Vec<T> = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(per_page as usize)
        .collect();
    let (from, to) = match data.len() as u64 {
        0 => (None, None),
        n => (Some(offset + 1), Some(offset + n)),
    };
    LaravelPage {
        current_page: page,
        first_page_url: links.url(1, per_page),
        from,
        last_page,
        last_page_url: links.url(last_page, per_page),
        next_page_url: (page < last_page).then(|| links.url(page + 1, per_page)),
        path: links.path.clone(),
        per_page,
        prev_page_url: (page > 1).then(|| links.url(page - 1, per_page)),
        to,
        total,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> PageLinks<'static> {
        PageLinks {
            path: "http://h/api/x".to_string(),
            query: vec![("status", "a b".to_string())],
        }
    }

    #[test]
    fn middle_page_links_both_ways() {
        let page = paginate(
            (1..=25).collect(),
            PageRequest {
                page: 2,
                per_page: 10,
            },
            &links(),
        );
        assert_eq!(
            page.data,
            (11..=20).collect::<Vec<_>>(),
            "second page of ten"
        );
        assert_eq!(
            (page.from, page.to, page.total, page.last_page),
            (Some(11), Some(20), 25, 3),
            "counts"
        );
        assert_eq!(
            page.next_page_url.as_deref(),
            Some("http://h/api/x?page=3&per_page=10&status=a+b"),
            "next"
        );
        assert_eq!(
            page.prev_page_url.as_deref(),
            Some("http://h/api/x?page=1&per_page=10&status=a+b"),
            "prev"
        );
    }

    #[test]
    fn empty_and_past_the_end() {
        let empty = paginate(
            Vec::<u8>::new(),
            PageRequest {
                page: 1,
                per_page: 15,
            },
            &links(),
        );
        assert_eq!(
            (empty.last_page, empty.from, empty.to),
            (1, None, None),
            "an empty list has one empty page"
        );
        assert_eq!(empty.next_page_url, None, "no next page of an empty list");
        let past = paginate(
            vec![1, 2],
            PageRequest {
                page: 5,
                per_page: 1,
            },
            &links(),
        );
        assert!(past.data.is_empty(), "a page past the end is empty");
        assert_eq!(
            (past.current_page, past.last_page, past.next_page_url),
            (5, 2, None),
            "past the end"
        );
    }
}
