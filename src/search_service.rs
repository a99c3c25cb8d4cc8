//! Keeps the search index in step with the store (temporary stub until the engine lands).

use crate::api::{ApiResult, SearchRequest, SearchResults};
use crate::domain::{Clock, Dossier, Ticket, User};
use crate::store::Store;

pub struct SearchService {
    #[allow(dead_code)]
    store: Store,
}

impl SearchService {
    pub fn start(store: Store, _clock: Clock) -> SearchService {
        SearchService { store }
    }
    pub fn ticket_changed(&self, _t: &Ticket) {}
    pub fn dossiers_changed(&self, _d: &[Dossier]) {}
    pub fn search(&self, _q: &SearchRequest, _user: &User) -> SearchResults {
        SearchResults {
            hits: vec![],
            total: 0,
            micros: 0,
            index_ready: false,
        }
    }
    pub fn caller_by_name(
        &self,
        _name: &str,
        _user: &User,
        _limit: usize,
    ) -> ApiResult<(Vec<Ticket>, Vec<Dossier>)> {
        Ok((vec![], vec![]))
    }
    pub fn wait_ready(&self) {}
    pub fn progress(&self) -> (u64, u64) {
        (0, 0)
    }
}
