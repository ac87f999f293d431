//! Ready to activate: filters with live counts before segmenting ([`filters`]), then on the results a
//! control group, match coverage with platform minimums, upload files ([`destinations`]) and two
//! segments compared ([`compare`]).

pub mod compare;
pub mod destinations;
pub mod filters;

use audience_engine::coverage::thousands;
use audience_engine::pipeline::percent;

use crate::protocol::ActivationAnswer;

/// The status line after an activation answer (`None` for live filter counts).
pub fn answer_status(answer: &ActivationAnswer) -> Option<String> {
    match answer {
        ActivationAnswer::Counts(_) => None,
        ActivationAnswer::Holdout(split) if split.total_held_out() == 0 => {
            Some("No control group: every customer can be targeted.".to_owned())
        }
        ActivationAnswer::Holdout(split) => Some(format!(
            "Held out {} customers as a control group ({} of each segment, seed {}).",
            thousands(split.total_held_out()),
            percent(split.share),
            split.seed
        )),
        ActivationAnswer::Coverage(report) => Some(format!(
            "Checked match coverage of {} segments: {} lists below a platform minimum.",
            report.coverage.segments.len(),
            report.coverage.warnings.len()
        )),
        ActivationAnswer::Files { files, .. } => Some(format!(
            "Prepared {} upload files; they download one after another.",
            files.len()
        )),
        ActivationAnswer::Compared(comparison) => Some(format!(
            "Compared {} with {}.",
            comparison.a_label, comparison.b_label
        )),
    }
}
