//! One turn of the conversation: send a round, run the tools Claude asks for through the worker, send their
//! results, until the turn ends or results wait for review.

use crate::assistant::conversation::{Conversation, Next, PendingCall, ToolOutcome};
use crate::assistant::privacy;
use crate::assistant::tools::{self, ToolCall, ToolError};
use crate::protocol::Response;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use super::relay::{post, Answer, WAITING};
use super::{Ctx, Phase};

/// The engine's answer when it is not the one asked for: its failure message, or a note that it was
/// something else.
pub(super) fn engine_error(response: Response) -> ToolError {
    match response {
        Response::Failed(failure) => ToolError::Engine(failure.message),
        _ => ToolError::Engine("the engine answered with something else".into()),
    }
}

/// Runs one tool through the engine and turns its result into content to send.
pub(super) async fn run_tool(ctx: Ctx, call: &PendingCall) -> Result<Value, ToolError> {
    let call = tools::parse(&call.name, &call.input)?;
    let engine = ctx.engine;
    let results = || engine.results.get_untracked().ok_or(ToolError::NoSegments);
    match call {
        ToolCall::DescribeColumns => {
            let preview = engine.dataset.get_untracked().ok_or(ToolError::NoFile)?;
            Ok(privacy::describe_columns(&preview, &ctx.rules()))
        }
        ToolCall::SearchVariables { query } => {
            engine.dataset.get_untracked().ok_or(ToolError::NoFile)?;
            ctx.draft.query.set(query.clone());
            match engine.suggest(query).await {
                Response::Suggestions(suggestions) => {
                    Ok(privacy::search_results(&suggestions, &ctx.rules()))
                }
                other => Err(engine_error(other)),
            }
        }
        ToolCall::RunSegmentation(args) => {
            let preview = engine.dataset.get_untracked().ok_or(ToolError::NoFile)?;
            let current = ctx.draft.settings();
            let settings =
                tools::settings_for(&args, &preview, &engine.withheld_untracked(), current)?;
            match engine.segment(settings).await {
                Response::Segmented(results) => {
                    Ok(privacy::segmentation_summary(&results, &ctx.rules()))
                }
                other => Err(engine_error(other)),
            }
        }
        ToolCall::GetSegmentProfiles => Ok(privacy::segment_profiles(&*results()?, &ctx.rules())),
        ToolCall::ExplainSegment { segment } => {
            let results = results()?;
            privacy::explain_segment(&results, segment, &ctx.rules()).ok_or(
                ToolError::NoSuchSegment {
                    segment,
                    last: results.report.n_segments.saturating_sub(1) as u32,
                },
            )
        }
    }
}

/// Sends the conversation's next request and follows the answer (tools, then again) until the
/// turn ends, an error stops it, or tool results wait for review.
pub(super) fn send_round(ctx: Ctx) {
    let body = ctx.conv.with_untracked(Conversation::request_body);
    let mut refused = None;
    ctx.conv.update(|c| refused = c.sending(&body).err());
    if let Some(e) = refused {
        ctx.conv.update(|c| c.fail(e.to_string()));
        ctx.phase.set(Phase::Idle);
        return;
    }
    ctx.phase.set(Phase::Working(WAITING.into()));
    ctx.stop_requested.set_value(false);
    ctx.requesting.set(true);
    spawn_local(async move {
        let url = ctx.endpoint.get_value();
        let outcome = post(ctx, &url, &body).await;
        ctx.abort.set_value(None);
        ctx.requesting.set(false);
        ctx.live.set(None);
        let answer = match outcome {
            Ok(Answer::Message(answer)) => answer,
            Ok(Answer::Interrupted { text, error }) => {
                ctx.conv.update(|c| c.interrupted(&text, error));
                ctx.phase.set(Phase::Idle);
                return;
            }
            Err(message) => {
                ctx.conv.update(|c| c.fail(message));
                ctx.phase.set(Phase::Idle);
                return;
            }
        };
        let mut next = None;
        ctx.conv.update(|c| next = Some(c.on_answer(&answer)));
        match next {
            Some(Ok(Next::RunTools(calls))) => {
                let mut outcomes = Vec::new();
                for call in &calls {
                    ctx.phase.set(Phase::Working(format!(
                        "Running {} in this tab…",
                        call.name
                    )));
                    let (content, is_error) = match run_tool(ctx, call).await {
                        Ok(value) => (value.to_string(), false),
                        Err(error) => (error.to_string(), true),
                    };
                    outcomes.push(ToolOutcome {
                        id: call.id.clone(),
                        name: call.name.clone(),
                        content,
                        is_error,
                    });
                }
                ctx.conv.update(|c| c.add_tool_results(outcomes));
                if ctx.prefs.get_untracked().review {
                    ctx.phase.set(Phase::Review);
                } else {
                    send_round(ctx);
                }
            }
            Some(Ok(Next::Done)) | None => ctx.phase.set(Phase::Idle),
            Some(Err(e)) => {
                ctx.conv.update(|c| c.fail(e.to_string()));
                ctx.phase.set(Phase::Idle);
            }
        }
    });
}
