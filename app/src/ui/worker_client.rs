//! The page's handle on the engine worker, shared by components as a `Copy` value.
//!
//! Requests go out through [`WorkerClient`]'s methods; answers land in its signals, and each method also returns
//! a [`Reply`]: a future resolved by the answer with the request's id, so a multi-step flow can `await` each
//! step. Cancelling a long request
//! stops the worker outright (it is busy and cannot read messages) and starts a fresh one, which reloads
//! the same file and catalog and replays what changed the table since: column retypes, the enrichment file
//! and its join.

use std::sync::Arc;

use audience_engine::ingest::HeaderMode;
use audience_engine::profile::TierChoice;
use audience_engine::table::ColumnType;
use audience_search::DataKind;
use leptos::prelude::*;
use web_sys::Blob;

use audience_engine::export::customer_match::Platform;

use super::reply::{self, Reply, Waiter};
use crate::bridge::{EngineWorker, READY_ID};
use crate::browser;
use crate::protocol::{
    ActivationRequest, DatasetPreview, EnrichmentPreview, ExportFile, ExportKind, Failure,
    FailureKind, ModelAnswer, ModelRequest, ProgressUpdate, Request, Response, RollupSettings,
    SegmentResults, SegmentSettings, Suggestions,
};

/// What the user wants a column used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    /// Offered as a variable (the default).
    Use,
    /// An identifier: kept in exports, never clustered nor offered.
    Id,
    /// Ignored: never clustered nor offered.
    Exclude,
}

/// Where the page's script finds the worker's start script (`public/engine_worker.js`, copied next to the
/// page), which reports a failed start as an error event the page shows.
pub const WORKER_SCRIPT: &str = "./engine_worker.js";
pub use crate::bridge::CATALOG_URL;

/// A request that changed the worker's table after the file was read, replayed into a restarted worker.
#[derive(Clone)]
enum TableChange {
    /// A column read under another type.
    Retype {
        column: String,
        column_type: ColumnType,
    },
    /// An enrichment file read (its bytes stay in the tab as the `Blob` the user chose).
    Enrichment { blob: Blob, file_name: String },
    /// The enrichment file joined on these keys.
    Join {
        customer_key: String,
        enrichment_key: String,
    },
    /// Census values retrieved for these catalog codes.
    Retrieve { codes: Vec<String> },
    /// The order log rolled up to one row per customer.
    RollUp(RollupSettings),
    /// A column renamed.
    RenameColumn { column: String, name: String },
}

impl TableChange {
    fn request(&self) -> (Request, Option<&Blob>) {
        match self {
            TableChange::Retype {
                column,
                column_type,
            } => (
                Request::Retype {
                    column: column.clone(),
                    column_type: *column_type,
                },
                None,
            ),
            TableChange::Enrichment { blob, file_name } => (
                Request::LoadEnrichment {
                    file_name: file_name.clone(),
                },
                Some(blob),
            ),
            TableChange::Join {
                customer_key,
                enrichment_key,
            } => (
                Request::Join {
                    customer_key: customer_key.clone(),
                    enrichment_key: enrichment_key.clone(),
                },
                None,
            ),
            TableChange::Retrieve { codes } => (
                Request::Retrieve {
                    base_url: CATALOG_URL.into(),
                    codes: codes.clone(),
                },
                None,
            ),
            TableChange::RollUp(settings) => (Request::RollUp(settings.clone()), None),
            TableChange::RenameColumn { column, name } => (
                Request::RenameColumn {
                    column: column.clone(),
                    name: name.clone(),
                },
                None,
            ),
        }
    }
}

/// What the engine is doing, for the status line.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineStatus {
    /// The worker is loading.
    Starting,
    /// Idle and ready.
    Ready,
    /// Working on something; the text says what.
    Busy(String),
    /// The last request failed; the text says why. The engine still accepts the next request.
    Failed(String),
    /// Something finished; the text says what (announced to screen readers).
    Done(String),
}

/// Whether the variable catalog is searchable.
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogState {
    /// Being fetched and indexed.
    Loading,
    /// Ready, with this many variables.
    Ready(usize),
    /// It could not be loaded; the file's own columns still work.
    Unavailable(String),
}

/// Reactive state the engine's answers update, plus the worker itself.
#[derive(Clone, Copy)]
pub struct WorkerClient {
    worker: StoredValue<Option<EngineWorker>, LocalStorage>,
    /// Whether the running worker has said it is ready (a crash before that is a failed start).
    worker_ready: StoredValue<bool>,
    /// The last file the user chose, kept to reload it into a restarted worker.
    file: StoredValue<Option<(Blob, String)>, LocalStorage>,
    /// Set by Cancel until the restarted worker has the file again.
    cancelled: StoredValue<bool>,
    /// Table changes the worker confirmed since the file was read, in order.
    changes: StoredValue<Vec<TableChange>, LocalStorage>,
    /// The table change sent last, kept once the worker confirms it.
    pending_change: StoredValue<Option<TableChange>, LocalStorage>,
    /// Replayed changes a restarted worker has yet to confirm.
    replaying: StoredValue<usize>,
    /// Requests whose answer is awaited, by id.
    waiting: StoredValue<Vec<(u32, Waiter)>, LocalStorage>,
    /// What the engine is doing.
    pub status: RwSignal<EngineStatus>,
    /// The catalog's state.
    pub catalog: RwSignal<CatalogState>,
    /// The file read last.
    pub dataset: RwSignal<Option<DatasetPreview>>,
    /// Suggestions for the last description.
    pub suggestions: RwSignal<Option<Suggestions>>,
    /// Progress of the running segmentation.
    pub progress: RwSignal<Option<ProgressUpdate>>,
    /// The last segmentation's results.
    pub results: RwSignal<Option<Arc<SegmentResults>>>,
    /// Columns the user marked "ID" or "exclude" (every other column is "use").
    pub roles: RwSignal<Vec<(String, ColumnRole)>>,
    /// Which kind of data the catalog variables must be available in (`None`: any).
    pub data_kind: RwSignal<Option<DataKind>>,
    /// The enrichment file read last, waiting to be joined.
    pub enrichment: RwSignal<Option<EnrichmentPreview>>,
    /// Whether the file's first line holds the column names (the user's choice; detected by default).
    pub header: RwSignal<HeaderMode>,
    /// Whether the clustered CSV keeps cells that would run as spreadsheet formulas byte for byte (off: they
    /// get a leading `'`).
    pub keep_formulas: RwSignal<bool>,
    /// Whether the clustered CSV holds only the rows of the segments matching the described audience.
    pub matching_only: RwSignal<bool>,
}

impl WorkerClient {
    /// Starts the worker and wires its answers to the signals.
    pub fn start() -> Self {
        let engine = WorkerClient {
            worker: StoredValue::new_local(None),
            worker_ready: StoredValue::new(false),
            file: StoredValue::new_local(None),
            cancelled: StoredValue::new(false),
            changes: StoredValue::new_local(Vec::new()),
            pending_change: StoredValue::new_local(None),
            replaying: StoredValue::new(0),
            waiting: StoredValue::new_local(Vec::new()),
            status: RwSignal::new(EngineStatus::Starting),
            catalog: RwSignal::new(CatalogState::Loading),
            dataset: RwSignal::new(None),
            suggestions: RwSignal::new(None),
            progress: RwSignal::new(None),
            results: RwSignal::new(None),
            roles: RwSignal::new(Vec::new()),
            data_kind: RwSignal::new(None),
            enrichment: RwSignal::new(None),
            header: RwSignal::new(HeaderMode::Auto),
            keep_formulas: RwSignal::new(false),
            matching_only: RwSignal::new(false),
        };
        engine.spawn_worker();
        engine
    }

    fn spawn_worker(self) {
        self.worker_ready.set_value(false);
        let on_response = move |id: u32, response: Response| self.on_answer(id, response);
        // The page's first script started it (public/early_worker.js); a restart starts a new one.
        match EngineWorker::adopt_or_spawn("engine", WORKER_SCRIPT, on_response) {
            Ok(worker) => self.worker.set_value(Some(worker)),
            Err(error) => {
                self.status.set(EngineStatus::Failed(format!(
                    "The engine could not start: {error}"
                )));
            }
        }
    }

    /// Applies an answer to the signals, then resolves the [`Reply`] awaiting its id (a crash resolves
    /// them all).
    fn on_answer(self, id: u32, response: Response) {
        let final_answer = !matches!(response, Response::Progress(_) | Response::Ready);
        let waiter = if final_answer && id != READY_ID {
            let mut found = None;
            self.waiting.update_value(|waiting| {
                if let Some(at) = waiting.iter().position(|(waiting_id, _)| *waiting_id == id) {
                    found = Some(waiting.swap_remove(at).1);
                }
            });
            found.filter(reply::is_awaited)
        } else {
            None
        };
        let copy = waiter.as_ref().map(|_| response.clone());
        let crash = match &response {
            Response::Failed(failure) if failure.kind == FailureKind::Crashed => {
                Some(failure.clone())
            }
            _ => None,
        };
        if crash.is_some() && !self.worker_ready.get_value() {
            // The worker never started (its wasm could not be loaded): let it go, so every control stays
            // off and the status keeps saying why, instead of requests waiting for it.
            self.worker.set_value(None);
        }
        self.receive(response);
        if let (Some(waiter), Some(copy)) = (waiter, copy) {
            reply::resolve(&waiter, copy);
        }
        if let Some(failure) = crash {
            self.resolve_all(failure);
        }
    }

    /// Answers every awaited request with `failure` (the worker is gone).
    fn resolve_all(self, failure: Failure) {
        let mut waiting = Vec::new();
        self.waiting
            .update_value(|all| waiting = std::mem::take(all));
        for (_, waiter) in waiting {
            reply::resolve(&waiter, Response::Failed(failure.clone()));
        }
    }

    fn receive(self, response: Response) {
        match response {
            Response::Ready => {
                self.worker_ready.set_value(true);
                self.send(
                    &Request::LoadCatalog {
                        base_url: CATALOG_URL.into(),
                    },
                    None,
                );
                // A restarted worker (after Cancel) gets the user's file back.
                match self.file.get_value() {
                    Some((blob, name)) => {
                        self.status
                            .set(EngineStatus::Busy(format!("Reloading {name}…")));
                        let request = Request::LoadFile {
                            file_name: name,
                            header: self.header.get_untracked(),
                        };
                        self.send(&request, Some(&blob));
                    }
                    None => self.status.set(EngineStatus::Ready),
                }
            }
            Response::Loaded(preview) => {
                let took = preview
                    .read_ms
                    .map_or(String::new(), |ms| format!(" in {}", duration_text(ms)));
                let mut message = format!(
                    "Read {} rows and {} columns{took}.",
                    preview.n_rows, preview.n_columns
                );
                let changes = self.changes.get_value();
                if self.cancelled.get_value() {
                    self.cancelled.set_value(false);
                    message = format!("Segmentation cancelled. {message}");
                    if !changes.is_empty() {
                        // Back to the table the user had: retypes and the join, in order.
                        self.replaying.set_value(changes.len());
                        self.status.set(EngineStatus::Busy(format!(
                            "{message} Restoring {}…",
                            describe_changes(&changes)
                        )));
                        for change in &changes {
                            let (request, blob) = change.request();
                            self.send(&request, blob);
                        }
                        return;
                    }
                } else {
                    self.roles.set(Vec::new());
                    self.enrichment.set(None);
                }
                self.dataset.set(Some(preview));
                self.status.set(EngineStatus::Done(message));
            }
            Response::Updated(preview)
            | Response::Retrieved(preview)
            | Response::RolledUp(preview)
                if self.replaying.get_value() > 0 =>
            {
                self.replayed(Some(preview));
            }
            Response::EnrichmentLoaded(_) if self.replaying.get_value() > 0 => {
                self.replayed(None);
            }
            Response::Updated(preview) => {
                let renamed = match self.pending_change.get_value() {
                    Some(TableChange::RenameColumn { column, name }) => Some(format!(
                        "Renamed “{column}” to “{name}”: traits, names and downloads use the new name."
                    )),
                    _ => None,
                };
                self.confirm_change();
                let message = match &preview.enrichment {
                    _ if renamed.is_some() => renamed.unwrap_or_default(),
                    Some(coverage) => format!(
                        "Joined {}: {} of {} rows matched, {} columns added.",
                        coverage.file_name,
                        coverage.report.matched,
                        coverage.report.customer_rows,
                        coverage.report.added_columns.len()
                    ),
                    None => "Updated the column types.".to_owned(),
                };
                // Suggestions and results describe the table as it was.
                self.suggestions.set(None);
                self.results.set(None);
                self.dataset.set(Some(preview));
                self.status.set(EngineStatus::Done(message));
            }
            Response::Retrieved(preview) => {
                self.confirm_change();
                let message = match &preview.retrieval {
                    Some(retrieval) => retrieval_message(retrieval),
                    None => "Removed the census values.".to_owned(),
                };
                // The suggestions stay (the user is choosing among them); results describe the old table.
                self.results.set(None);
                self.dataset.set(Some(preview));
                self.status.set(EngineStatus::Done(message));
            }
            Response::RolledUp(preview) => {
                self.confirm_change();
                let message = super::rollup::rolled_up_message(&preview);
                // The customer table has other columns: choices made on the log no longer apply.
                self.suggestions.set(None);
                self.results.set(None);
                self.roles.set(Vec::new());
                self.dataset.set(Some(preview));
                self.status.set(EngineStatus::Done(message));
            }
            Response::EnrichmentLoaded(preview) => {
                self.confirm_change();
                let message = format!(
                    "Read the enrichment file {}: {} rows, {} columns. Choose the key columns and join.",
                    preview.file_name,
                    preview.n_rows,
                    preview.columns.len()
                );
                self.enrichment.set(Some(preview));
                self.status.set(EngineStatus::Done(message));
            }
            Response::CatalogReady { variables } => {
                self.catalog.set(CatalogState::Ready(variables))
            }
            Response::Suggestions(suggestions) => {
                // The page's effect that checks the suggested columns says how many it checked.
                self.status
                    .set(EngineStatus::Done("Suggestions ready.".to_owned()));
                self.suggestions.set(Some(suggestions));
            }
            Response::Progress(update) => {
                self.status.set(EngineStatus::Busy(update.stage.clone()));
                self.progress.set(Some(update));
            }
            Response::Segmented(results) => {
                self.progress.set(None);
                let message = format!(
                    "Made {} segments of {} rows in {}.",
                    results.segmentation.k,
                    results.report.n_rows,
                    duration_text(results.elapsed_ms)
                );
                self.results.set(Some(Arc::from(results)));
                self.status.set(EngineStatus::Done(message));
            }
            Response::Personas(report) => {
                self.results.update(|results| {
                    if let Some(results) = results {
                        Arc::make_mut(results).report = *report;
                    }
                });
                self.status.set(EngineStatus::Done(
                    "Renamed; every download now uses the new name.".into(),
                ));
            }
            Response::File(file) => {
                let message = format!("Downloaded {}.", file.name);
                match download_text(&file) {
                    Ok(()) => self.status.set(EngineStatus::Done(message)),
                    Err(error) => self.status.set(EngineStatus::Failed(error)),
                }
            }
            Response::Model(answer) => {
                self.progress.set(None);
                self.status.set(EngineStatus::Done(model_status(&answer)));
            }
            Response::Files { files, notes } => {
                let saved = files.iter().try_for_each(download_text);
                match saved {
                    Ok(()) => self.status.set(EngineStatus::Done(notes.join(" "))),
                    Err(error) => self.status.set(EngineStatus::Failed(error)),
                }
            }
            Response::Activation(answer) => {
                // Live filter counts leave the status line alone (they come as the user types).
                if let Some(text) = super::activation::answer_status(&answer) {
                    self.status.set(EngineStatus::Done(text));
                }
            }
            Response::Described(report) => {
                self.status
                    .set(EngineStatus::Done(super::describe_columns::report_text(
                        &report,
                    )));
            }
            // Answers between the engine's two workers; the page never asks for them.
            Response::CatalogAnswer(_) | Response::CatalogLabels(_) => {}
            Response::Failed(failure) => {
                if failure.kind == FailureKind::Catalog {
                    self.catalog.set(CatalogState::Unavailable(failure.message));
                } else if self.replaying.get_value() > 0 {
                    // A change that worked before failed on the same bytes: say so, keep the rest.
                    self.replayed(None);
                    self.status.set(EngineStatus::Failed(format!(
                        "After the restart, a column type or the enrichment join could not be restored: {}",
                        failure.message
                    )));
                } else {
                    self.pending_change.set_value(None);
                    self.progress.set(None);
                    self.status.set(EngineStatus::Failed(failure.message));
                }
            }
        }
    }

    /// The worker confirmed the table change sent last: it is replayed after a restart.
    fn confirm_change(self) {
        if let Some(change) = self.pending_change.get_value() {
            self.pending_change.set_value(None);
            self.changes.update_value(|changes| changes.push(change));
        }
    }

    /// One replayed change answered; the last one shows the restored table.
    fn replayed(self, preview: Option<DatasetPreview>) {
        let left = self.replaying.get_value().saturating_sub(1);
        self.replaying.set_value(left);
        if let Some(preview) = preview {
            self.dataset.set(Some(preview));
        }
        if left == 0 {
            if let Some(dataset) = self.dataset.get_untracked() {
                self.status.set(EngineStatus::Done(format!(
                    "Segmentation cancelled. Read {} rows; restored {}.",
                    dataset.n_rows,
                    describe_changes(&self.changes.get_value())
                )));
            }
        }
    }

    /// Sends a request that changes the worker's table, remembered for replay once confirmed.
    fn send_change(self, change: TableChange) -> Reply {
        let (request, blob) = change.request();
        let reply = self.ask(&request, blob);
        self.pending_change.set_value(Some(change));
        reply
    }

    /// Sends a request and returns the future of its answer.
    fn ask(self, request: &Request, file: Option<&Blob>) -> Reply {
        match self.send(request, file) {
            Some(id) => {
                let (reply, waiter) = Reply::pending();
                self.waiting
                    .update_value(|waiting| waiting.push((id, waiter)));
                reply
            }
            None => Reply::ready(Response::Failed(Failure::new(
                FailureKind::Browser,
                "The engine is not running; reload the page.",
            ))),
        }
    }

    /// Sends a request; its id, or `None` (and a failed status) when it could not be sent.
    fn send(self, request: &Request, file: Option<&Blob>) -> Option<u32> {
        let mut sent = Err("The engine is not running; reload the page.".to_owned());
        self.worker.update_value(|worker| {
            if let Some(worker) = worker {
                sent = worker
                    .send(request, file)
                    .map_err(|error| error.to_string());
            }
        });
        match sent {
            Ok(id) => Some(id),
            Err(message) => {
                self.status.set(EngineStatus::Failed(message));
                None
            }
        }
    }

    /// Whether the engine can take a request now (it is running and not busy).
    pub fn is_idle(&self) -> bool {
        matches!(
            self.status.get(),
            EngineStatus::Ready | EngineStatus::Failed(_) | EngineStatus::Done(_)
        ) && self.worker.with_value(Option::is_some)
    }

    /// Asks the worker to read `file`.
    pub fn load_file(&self, file: &Blob, file_name: String) -> Reply {
        self.file.set_value(Some((file.clone(), file_name.clone())));
        self.changes.set_value(Vec::new());
        self.pending_change.set_value(None);
        self.suggestions.set(None);
        self.results.set(None);
        self.status
            .set(EngineStatus::Busy(format!("Reading {file_name}…")));
        let request = Request::LoadFile {
            file_name,
            header: self.header.get_untracked(),
        };
        self.ask(&request, Some(file))
    }

    /// Reads the file chosen last again, under a new header choice. Nothing happens before a file is chosen.
    pub fn set_header(&self, header: HeaderMode) {
        self.header.set(header);
        if let Some((blob, name)) = self.file.get_value() {
            // The page shows the new preview from the signals.
            drop(self.load_file(&blob, name));
        }
    }

    /// Asks for column and variable suggestions.
    pub fn suggest(&self, query: String) -> Reply {
        self.status
            .set(EngineStatus::Busy("Finding variables…".into()));
        let request = Request::Suggest {
            query,
            data_kind: self.data_kind.get_untracked(),
            withheld: self.withheld_untracked(),
        };
        self.ask(&request, None)
    }

    /// The columns marked "ID" or "exclude", read without tracking.
    pub fn withheld_untracked(&self) -> Vec<String> {
        withheld(&self.roles.get_untracked())
    }

    /// Asks the worker to re-read a column under another type.
    pub fn retype(&self, column: String, column_type: ColumnType) -> Reply {
        self.status
            .set(EngineStatus::Busy(format!("Re-reading {column}…")));
        self.send_change(TableChange::Retype {
            column,
            column_type,
        })
    }

    /// Asks the worker to read an enrichment file.
    pub fn load_enrichment(&self, file: &Blob, file_name: String) -> Reply {
        self.status
            .set(EngineStatus::Busy(format!("Reading {file_name}…")));
        self.send_change(TableChange::Enrichment {
            blob: file.clone(),
            file_name,
        })
    }

    /// Asks the worker to join the enrichment file on the given keys.
    pub fn join(&self, customer_key: String, enrichment_key: String) -> Reply {
        self.status
            .set(EngineStatus::Busy("Joining the enrichment file…".into()));
        self.send_change(TableChange::Join {
            customer_key,
            enrichment_key,
        })
    }

    /// Asks the worker to retrieve census values for `codes` (all the codes wanted, replacing the last
    /// retrieval; none removes the retrieved columns).
    pub fn retrieve(&self, codes: Vec<String>) -> Reply {
        self.status.set(EngineStatus::Busy(
            "Adding census values for your ZIP codes…".into(),
        ));
        self.send_change(TableChange::Retrieve { codes })
    }

    /// Asks the worker to roll the order log up to one row per customer.
    pub fn roll_up(&self, settings: RollupSettings) -> Reply {
        self.status.set(EngineStatus::Busy(
            "Rolling the orders up to one row per customer…".into(),
        ));
        self.send_change(TableChange::RollUp(settings))
    }

    /// Asks for the rolled-up log's transactions, each with its customer's segment.
    pub fn export_transactions(&self) -> Reply {
        self.status
            .set(EngineStatus::Busy("Preparing the download…".into()));
        let request = Request::ExportTransactions {
            keep_formulas: self.keep_formulas.get_untracked(),
        };
        self.ask(&request, None)
    }

    /// Asks the worker to rename column `column` to `name`.
    pub fn rename_column(&self, column: String, name: String) -> Reply {
        self.status
            .set(EngineStatus::Busy(format!("Renaming {column}…")));
        self.send_change(TableChange::RenameColumn { column, name })
    }

    /// Asks the worker to read a data dictionary (CSV: column, description).
    pub fn load_dictionary(&self, file: &Blob, file_name: String) -> Reply {
        self.status
            .set(EngineStatus::Busy(format!("Reading {file_name}…")));
        self.ask(&Request::LoadDictionary { file_name }, Some(file))
    }

    /// Asks the worker to describe `column` with `description`.
    pub fn describe_column(&self, column: String, description: String) -> Reply {
        self.ask(
            &Request::DescribeColumn {
                column,
                description,
            },
            None,
        )
    }

    /// Starts a segmentation.
    pub fn segment(&self, settings: SegmentSettings) -> Reply {
        self.results.set(None);
        self.progress.set(Some(ProgressUpdate {
            stage: "Starting".into(),
            fraction: 0.0,
        }));
        self.status.set(EngineStatus::Busy("Segmenting…".into()));
        self.ask(&Request::Segment(settings), None)
    }

    /// Stops the running request: the worker is replaced by a fresh one, which reloads the file.
    pub fn cancel(&self) {
        self.worker.set_value(None); // dropping the handle terminates the worker
        self.cancelled.set_value(true);
        self.progress.set(None);
        self.catalog.set(CatalogState::Loading);
        self.status.set(EngineStatus::Busy(
            "Segmentation cancelled; restarting the engine…".into(),
        ));
        self.resolve_all(Failure::new(
            FailureKind::Cancelled,
            "the segmentation was cancelled",
        ));
        self.spawn_worker();
    }

    /// Asks for customer-match files for the chosen segments.
    pub fn customer_match(
        &self,
        segments: Vec<u32>,
        platform: Platform,
        default_country: Option<String>,
    ) -> Reply {
        self.status
            .set(EngineStatus::Busy("Hashing identifiers…".into()));
        self.ask(
            &Request::CustomerMatch {
                segments,
                platform,
                default_country,
            },
            None,
        )
    }

    /// Asks to give segment `segment` (its number) the name `name` in every later download.
    pub fn rename(&self, segment: u32, name: String) -> Reply {
        self.ask(&Request::Rename { segment, name }, None)
    }

    /// Asks to assign the last results' tiers again with `tiers`.
    pub fn tiers(&self, tiers: TierChoice) -> Reply {
        self.ask(&Request::Tiers { tiers }, None)
    }

    /// Asks something about a saved segmentation (save, apply, movement, lookalike, stability), with
    /// `file` attached when the request reads one; `busy` says what is happening meanwhile.
    pub fn model(&self, request: ModelRequest, file: Option<&Blob>, busy: String) -> Reply {
        self.status.set(EngineStatus::Busy(busy));
        self.ask(&Request::Model(request), file)
    }

    /// Asks for filter counts, a holdout, coverage, upload files or a comparison; `busy` (if any) is
    /// shown meanwhile (live counts show nothing).
    pub fn activation(&self, request: ActivationRequest, busy: Option<String>) -> Reply {
        if let Some(busy) = busy {
            self.status.set(EngineStatus::Busy(busy));
        }
        self.ask(&Request::Activation(request), None)
    }

    /// Asks for a download from the last results.
    pub fn export(&self, kind: ExportKind) -> Reply {
        self.status
            .set(EngineStatus::Busy("Preparing the download…".into()));
        let request = Request::Export {
            kind,
            keep_formulas: self.keep_formulas.get_untracked(),
            matching_only: kind == ExportKind::ClusteredCsv && self.matching_only.get_untracked(),
        };
        self.ask(&request, None)
    }
}

/// The status line after a saved-segmentation answer.
fn model_status(answer: &ModelAnswer) -> String {
    match answer {
        ModelAnswer::Saved { label, .. } => format!("Saved the segmentation ({label})."),
        ModelAnswer::Movement(report) => format!(
            "Compared with {}: {} customers kept their segment, {} moved, {} are new, {} are gone.",
            report.previous,
            report.movement.stayed(),
            report.movement.moved(),
            report.movement.new_customers(),
            report.movement.gone()
        ),
        ModelAnswer::Lookalike(report) => format!(
            "Scored {} prospects against {}; downloaded the {} best.",
            report.prospects, report.segment_phrase, report.written
        ),
        ModelAnswer::Stability(report) => format!(
            "Checked stability: {} refits, {:.0}% of customers kept their segment.",
            report.refits.len(),
            100.0 * report.kept
        ),
    }
}

/// The names of the columns whose role is not "use".
pub fn withheld(roles: &[(String, ColumnRole)]) -> Vec<String> {
    roles
        .iter()
        .filter(|(_, role)| *role != ColumnRole::Use)
        .map(|(name, _)| name.clone())
        .collect()
}

/// Saves a text file through the browser's download mechanism (nothing is uploaded).
pub fn download_text(file: &ExportFile) -> Result<(), String> {
    browser::download(&file.name, &file.mime, &file.content)
}

/// "240 ms" below a second, "1.4 s" above.
fn duration_text(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{:.0} ms", ms.max(0.0))
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// What replaying `changes` restores: "2 column types and the join with zips.csv".
fn describe_changes(changes: &[TableChange]) -> String {
    let retypes = changes
        .iter()
        .filter(|change| matches!(change, TableChange::Retype { .. }))
        .count();
    let mut parts = Vec::new();
    match retypes {
        0 => {}
        1 => parts.push("1 column type".to_owned()),
        n => parts.push(format!("{n} column types")),
    }
    let mut enrichment: Option<&str> = None;
    for change in changes {
        match change {
            TableChange::Enrichment { file_name, .. } => enrichment = Some(file_name),
            TableChange::Join { .. } => {
                if let Some(file_name) = enrichment.take() {
                    parts.push(format!("the join with {file_name}"));
                }
            }
            TableChange::RollUp(_) => parts.push("one row per customer".to_owned()),
            TableChange::Retype { .. }
            | TableChange::Retrieve { .. }
            | TableChange::RenameColumn { .. } => {}
        }
    }
    if let Some(file_name) = enrichment {
        parts.push(format!("the enrichment file {file_name}"));
    }
    parts.join(" and ")
}

/// The status line after a retrieval: how many rows got values and how.
pub fn retrieval_message(retrieval: &crate::protocol::RetrievalCoverage) -> String {
    let coverage = &retrieval.coverage;
    let labels: Vec<&str> = retrieval.columns.iter().map(|c| c.label.as_str()).collect();
    format!(
        "Added census values ({}) by {}: {} of {} rows matched their ZIP code area, {} got their county's \
         value. Rows without a value stay in the file.",
        labels.join(", "),
        retrieval.zip_column,
        coverage.zcta,
        coverage.rows,
        coverage.county
    )
}
