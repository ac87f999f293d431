//! The page's handle on the engine worker, shared by components as a `Copy` value.

use leptos::prelude::*;
use web_sys::Blob;

use crate::bridge::EngineWorker;
use crate::protocol::{DatasetPreview, Request, Response};

/// Where the page's script finds the worker (emitted by Trunk next to the page).
pub const WORKER_SCRIPT: &str = "./worker_loader.js";

/// What the engine is doing, for the status line.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineStatus {
    /// The worker is loading.
    Starting,
    /// Idle and ready for a file.
    Ready,
    /// Working on something; the text says what.
    Busy(String),
    /// The last request failed; the text says why. The engine still accepts the next request.
    Failed(String),
}

/// Reactive state the engine's answers update, plus the worker itself.
#[derive(Clone, Copy)]
pub struct Engine {
    worker: StoredValue<Option<EngineWorker>, LocalStorage>,
    /// What the engine is doing.
    pub status: RwSignal<EngineStatus>,
    /// The file read last.
    pub dataset: RwSignal<Option<DatasetPreview>>,
}

impl Engine {
    /// Starts the worker and wires its answers to the signals.
    pub fn start() -> Self {
        let status = RwSignal::new(EngineStatus::Starting);
        let dataset = RwSignal::new(None);
        let on_response = move |_id: u32, response: Response| match response {
            Response::Ready => status.set(EngineStatus::Ready),
            Response::Loaded(preview) => {
                dataset.set(Some(preview));
                status.set(EngineStatus::Ready);
            }
            Response::Failed(failure) => status.set(EngineStatus::Failed(failure.message)),
        };
        let worker = match EngineWorker::spawn(WORKER_SCRIPT, on_response) {
            Ok(worker) => Some(worker),
            Err(error) => {
                status.set(EngineStatus::Failed(format!("The engine could not start: {error}")));
                None
            }
        };
        Engine {
            worker: StoredValue::new_local(worker),
            status,
            dataset,
        }
    }

    /// Whether the engine can take a request now.
    pub fn is_ready(&self) -> bool {
        matches!(self.status.get(), EngineStatus::Ready | EngineStatus::Failed(_))
    }

    /// Asks the worker to read `file`.
    pub fn load_file(&self, file: &Blob, file_name: String) {
        self.status.set(EngineStatus::Busy(format!("Reading {file_name}…")));
        let request = Request::LoadFile { file_name };
        let mut sent = Err("The engine is not running; reload the page.".to_owned());
        self.worker.update_value(|worker| {
            if let Some(worker) = worker {
                sent = worker.send(&request, Some(file)).map(drop).map_err(|error| error.to_string());
            }
        });
        if let Err(message) = sent {
            self.status.set(EngineStatus::Failed(message));
        }
    }
}
