//! `audience movement OLD.csv NEW.csv --id COLUMN`: who moved between segments from one file to the next.
//!
//! Both files carry a segment column (written by `audience segment` or `audience apply`) and share an ID
//! column. The transition table counts customers from each old segment to each new one, customers new in
//! the second file and customers gone from it; it is printed and written as CSV (`from,to,customers`, one
//! line per cell, `new` and `gone` included).

use std::io::Write;
use std::path::{Path, PathBuf};

use audience_engine::ingest::{BadRowPolicy, HeaderMode};
use audience_engine::model::movement::{labelled_rows, movement, LeftOut, Movement};
use audience_engine::model::SegmentationModel;
use audience_engine::table::Table;

use crate::input::{parse_header, read_input};
use crate::output::{self, Failure, Outputs};

/// Arguments of `audience movement`.
#[derive(Debug, clap::Args)]
pub struct MovementArgs {
    /// The earlier file, with its segment column.
    pub old: PathBuf,
    /// The later file, with its segment column.
    pub new: PathBuf,
    /// The column that identifies a customer in both files.
    #[arg(long)]
    pub id: String,
    /// The segment column of both files.
    #[arg(long, default_value = "segment")]
    pub segment_column: String,
    /// The saved segmentation, for the segment names and count.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Where to write the transition table as CSV.
    #[arg(long, default_value = "movement.csv")]
    pub out: PathBuf,
    /// Print the table as JSON.
    #[arg(long)]
    pub json: bool,
    /// Whether the first line of each file holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
}

/// The largest segment number read without a model (a larger one is not a segment number).
const MAX_SEGMENTS: usize = 1000;

/// Runs `audience movement`.
pub fn run(args: MovementArgs) -> Result<(), Failure> {
    let model = args.model.as_deref().map(crate::model::read).transpose()?;
    let old = read_input(&args.old, args.header, BadRowPolicy::Fail)?.table;
    let new = read_input(&args.new, args.header, BadRowPolicy::Fail)?.table;
    let old_rows = pairs(&old, &args, &args.old)?;
    let new_rows = pairs(&new, &args, &args.new)?;
    let k = match &model {
        Some(model) => model.k,
        None => old_rows
            .iter()
            .chain(&new_rows)
            .filter_map(|p| p.1)
            .max()
            .unwrap_or(0) as usize,
    };
    if k > MAX_SEGMENTS {
        return Err(format!(
            "the {:?} column holds segment number {k}; segments are numbered 1 to at most {MAX_SEGMENTS} \
             (give --model to read the count from the saved segmentation, or check --segment-column)",
            args.segment_column
        )
        .into());
    }
    if k == 0 {
        return Err(format!(
            "neither file has a segment number in its {:?} column; run `audience apply` on each file first",
            args.segment_column
        )
        .into());
    }
    let table = movement(old_rows, new_rows, k);
    let mut outputs = Outputs::new(&[&args.old, &args.new])?;
    let claim = outputs.claim("--out", &args.out)?;
    let csv = csv(&table);
    outputs.write(claim, |w| {
        w.write_all(csv.as_bytes()).map_err(|e| e.to_string())
    })?;
    outputs.commit()?;
    let text = if args.json {
        serde_json::to_string_pretty(&table).map_err(|e| e.to_string())?
    } else {
        human(&table, model.as_ref(), &args)
    };
    output::print(&format!("{text}\n"))
}

fn pairs<'a>(
    table: &'a Table,
    args: &MovementArgs,
    path: &Path,
) -> Result<Vec<(&'a str, Option<u32>)>, String> {
    labelled_rows(table, &args.id, &args.segment_column).map_err(|e| {
        format!(
            "{}: {e} (name the ID column with --id and the segment column with --segment-column)",
            path.display()
        )
    })
}

fn name(index: usize) -> String {
    match index {
        0 => String::new(),
        s => s.to_string(),
    }
}

/// `from,to,customers`: every cell of the table, `new` as the source of new customers and `gone` as the
/// destination of customers no longer in the file.
fn csv(table: &Movement) -> String {
    let mut text = String::from("from,to,customers\n");
    for from in (1..=table.k).chain([0]) {
        for to in (1..=table.k).chain([0]) {
            if from == 0 && to == 0 {
                continue;
            }
            let from_name = if from == 0 { "new".into() } else { name(from) };
            let to_name = if to == 0 { "gone".into() } else { name(to) };
            text += &format!("{from_name},{to_name},{}\n", table.counts[from][to]);
        }
    }
    text
}

fn left_out(what: &str, left: &LeftOut) -> Option<String> {
    (left.total() > 0).then(|| {
        format!(
            "left out {} rows of the {what} file: {} with a blank ID, {} repeating an earlier ID (the \
             first row counts), {} without a segment number",
            left.total(),
            left.blank_id,
            left.repeated_id,
            left.no_segment
        )
    })
}

fn human(table: &Movement, model: Option<&SegmentationModel>, args: &MovementArgs) -> String {
    let both = table.stayed() + table.moved();
    let mut lines = vec![format!(
        "{} customers in both files: {} kept their segment ({:.1}%), {} moved; {} new, {} gone",
        both,
        table.stayed(),
        100.0 * table.stayed() as f64 / both.max(1) as f64,
        table.moved(),
        table.new_customers(),
        table.gone()
    )];
    lines.extend(left_out("old", &table.old_left_out));
    lines.extend(left_out("new", &table.new_left_out));
    let mut header = format!("{:<10}", "from \\ to");
    for to in 1..=table.k {
        header += &format!(" {:>7}", to);
    }
    header += &format!(" {:>7}", "gone");
    lines.push(header);
    for from in (1..=table.k).chain([0]) {
        let mut line = format!(
            "{:<10}",
            if from == 0 {
                "new".into()
            } else {
                from.to_string()
            }
        );
        for to in (1..=table.k).chain([0]) {
            line += &format!(
                " {:>7}",
                if from == 0 && to == 0 {
                    "".into()
                } else {
                    table.counts[from][to].to_string()
                }
            );
        }
        lines.push(line);
    }
    if let Some(model) = model {
        for index in 0..model.k {
            lines.push(format!("  {}", crate::model::segment_label(model, index)));
        }
    }
    lines.push(format!("wrote {}", args.out.display()));
    lines.join("\n")
}
