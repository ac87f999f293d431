//! Native tests: the privacy rules against a file with a unique marker in every row, tool input
//! checks, and the loop's state machine on scripted answers.

use audience_engine::cluster::ShareBounds;
use serde_json::{json, Value};

use super::conversation::{
    http_error_message, relay_endpoint, Conversation, Entry, LoopError, Next, ToolOutcome,
    MAX_ROUNDS,
};
use super::privacy::{self, PrivacyRules};
use super::tools::{self, RunArgs, ToolCall, ToolError};
use crate::protocol::{
    DatasetPreview, Request, Response, SegmentResults, SegmentSettings, Suggestions, VariableChoice,
};
use crate::service::Session;

const ROWS: usize = 600;
const INDUSTRIES: [&str; 4] = ["Technology", "Retail", "Finance", "Health"];
const REGIONS: [&str; 3] = ["Region-Alpha", "Region-Beta", "Region-Gamma"];

/// A file whose `email`, `note` and `spend` cells are unique to their row, plus one row holding a
/// rare level in `plan`.
fn marker_csv() -> (String, Vec<String>) {
    let mut csv = String::from("email,note,spend,industry,region,plan,visits,is_sale\n");
    let mut markers = Vec::new();
    for i in 0..ROWS {
        let email = format!("person{i:06}.MARKER@example.test");
        let note = format!("MARKER-{i:06} asked about pricing");
        let spend = format!("{}.{:04}", 1000 + i * 7, 1000 + i);
        let plan = if i == 17 {
            "RAREPLAN-ZZ9"
        } else if i % 2 == 0 {
            "Basic"
        } else {
            "Pro"
        };
        csv.push_str(&format!(
            "{email},{note},{spend},{},{},{plan},{},{}\n",
            INDUSTRIES[i % 4],
            REGIONS[(i / 4) % 3],
            (i * 13) % 40,
            if i % 5 == 0 { "yes" } else { "no" }
        ));
        markers.extend([email, format!("MARKER-{i:06}"), spend]);
    }
    markers.push("RAREPLAN-ZZ9".into());
    (csv, markers)
}

struct Fixture {
    preview: DatasetPreview,
    suggestions: Suggestions,
    results: SegmentResults,
    markers: Vec<String>,
}

fn fixture(k: usize) -> Fixture {
    let (csv, markers) = marker_csv();
    let mut s = Session::new();
    let Response::Loaded(preview) = s.handle(
        Request::LoadFile {
            file_name: "markers.csv".into(),
            header: audience_engine::ingest::HeaderMode::Auto,
        },
        Some(csv.as_bytes()),
        &mut |_| {},
    ) else {
        panic!("file loads")
    };
    let Response::Suggestions(suggestions) = s.handle(
        Request::Suggest {
            query: "tech buyers by region and plan".into(),
            data_kind: None,
            withheld: vec![],
        },
        None,
        &mut |_| {},
    ) else {
        panic!("suggestions")
    };
    let variables = ["spend", "industry", "region", "plan", "visits"]
        .iter()
        .map(|c| VariableChoice {
            column: (*c).into(),
            weight: 1.0,
        })
        .collect();
    let settings = SegmentSettings {
        variables,
        bounds: None,
        k: Some(k),
        seed: 7,
        target: Some("is_sale".into()),
        description: String::new(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let Response::Segmented(results) = s.handle(Request::Segment(settings), None, &mut |_| {})
    else {
        panic!("segments")
    };
    Fixture {
        preview,
        suggestions,
        results: *results,
        markers,
    }
}

fn all_payloads(f: &Fixture, rules: &PrivacyRules) -> Vec<(String, String)> {
    let mut out = vec![
        (
            "describe_columns".to_string(),
            privacy::describe_columns(&f.preview, rules).to_string(),
        ),
        (
            "search_variables".to_string(),
            privacy::search_results(&f.suggestions, rules).to_string(),
        ),
        (
            "run_segmentation".to_string(),
            privacy::segmentation_summary(&f.results, rules).to_string(),
        ),
        (
            "get_segment_profiles".to_string(),
            privacy::segment_profiles(&f.results, rules).to_string(),
        ),
    ];
    for p in &f.results.report.personas {
        let v = privacy::explain_segment(&f.results, p.segment, rules).expect("segment exists");
        out.push((format!("explain_segment {}", p.segment), v.to_string()));
    }
    out
}

fn assert_no_marker(payloads: &[(String, String)], markers: &[String]) {
    for (what, text) in payloads {
        for m in markers {
            assert!(
                !text.contains(m.as_str()),
                "{what} contains the row value {m:?}: {text}"
            );
        }
    }
}

#[test]
fn no_row_value_appears_in_any_payload_at_any_threshold() {
    let f = fixture(4);
    // The engine's own report does hold row values (min/max of spend, the rare level, names):
    // the test would catch a payload that passed them through.
    let raw = serde_json::to_string(&f.results.report).unwrap();
    assert!(
        f.markers.iter().any(|m| raw.contains(m.as_str())),
        "the raw report holds row values"
    );
    for min in [1, 2, 50, 100, 1000] {
        let rules = PrivacyRules::new(min.max(2), vec![]);
        let payloads = all_payloads(&f, &rules);
        assert_no_marker(&payloads, &f.markers);
        // Whole request bodies too.
        let mut c = Conversation::default();
        c.user_says("find tech buyers").unwrap();
        let outcomes = payloads
            .iter()
            .enumerate()
            .map(|(i, (name, content))| ToolOutcome {
                id: format!("t{i}"),
                name: name.clone(),
                content: content.clone(),
                is_error: false,
            })
            .collect();
        c.add_tool_results(outcomes);
        assert_no_marker(&[("body".into(), c.request_body().to_string())], &f.markers);
    }
}

#[test]
fn levels_and_segments_under_the_threshold_are_suppressed_and_said_so() {
    let f = fixture(4);
    let rules = PrivacyRules::new(50, vec![]);
    let profiles = privacy::segment_profiles(&f.results, &rules);
    let personas = profiles["personas"].as_array().unwrap();
    assert_eq!(personas.len(), 4);
    for p in personas {
        assert!(p["size"].as_u64().unwrap() >= 50, "{p}");
        for t in p["traits"].as_array().unwrap() {
            assert!(t["count"].as_u64().unwrap() >= 50, "{t}");
        }
    }
    // Industry levels (150 rows each overall) are visible in the segment detail.
    let detail = privacy::explain_segment(&f.results, 0, &rules)
        .unwrap()
        .to_string();
    assert!(INDUSTRIES.iter().any(|i| detail.contains(i)), "{detail}");
    // Numeric columns: count and rounded mean only.
    let spend = privacy::explain_segment(&f.results, 0, &rules).unwrap()["variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["column"] == "spend")
        .cloned()
        .unwrap();
    let keys: Vec<&String> = spend.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["column", "count", "mean", "present", "type"],
        "{spend}"
    );

    // A threshold above every segment suppresses them all, naming the threshold.
    let strict = PrivacyRules::new(1000, vec![]);
    let profiles = privacy::segment_profiles(&f.results, &strict);
    for p in profiles["personas"].as_array().unwrap() {
        assert_eq!(p["suppressed"], "fewer than 1000 records", "{p}");
        assert!(p.get("size").is_none() && p.get("name").is_none(), "{p}");
    }
    let described = privacy::describe_columns(&f.preview, &strict);
    assert_eq!(
        column(&described, "industry")["counts"],
        "suppressed: fewer than 1000 records"
    );
}

#[test]
fn withheld_columns_contribute_no_values() {
    let f = fixture(4);
    let rules = PrivacyRules::new(50, vec!["region".into()]);
    for (what, text) in all_payloads(&f, &rules) {
        for r in REGIONS {
            assert!(
                !text.contains(r),
                "{what} contains a level of the withheld column: {text}"
            );
        }
    }
    let with: String = all_payloads(&f, &PrivacyRules::new(50, vec![]))
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert!(
        REGIONS.iter().any(|r| with.contains(r)),
        "region levels are sent when not withheld"
    );
    // Identifier-typed columns are never described with values or offered for segments.
    let d = privacy::describe_columns(&f.preview, &rules);
    let email = d["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "email")
        .unwrap();
    assert_eq!(email["usable_for_segments"], false);
}

fn column<'a>(described: &'a Value, name: &str) -> &'a Value {
    described["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} is described: {described}"))
}

#[test]
fn describe_columns_sends_frequent_levels_and_rounded_summaries_only() {
    let f = fixture(4);
    let rules = PrivacyRules::new(50, vec!["region".into()]);
    let d = privacy::describe_columns(&f.preview, &rules);

    // 150 records per industry: every level is named with its count.
    let industry = column(&d, "industry");
    let mut levels: Vec<(String, u64)> = industry["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["value"].as_str().unwrap().to_string(),
                l["count"].as_u64().unwrap(),
            )
        })
        .collect();
    levels.sort();
    let mut expected: Vec<(String, u64)> =
        INDUSTRIES.iter().map(|i| (i.to_string(), 150)).collect();
    expected.sort();
    assert_eq!(levels, expected, "{industry}");
    assert!(industry.get("other_values").is_none(), "{industry}");

    // `plan`: Basic and Pro are named; the level held by one record is folded and said so.
    let plan = column(&d, "plan");
    let named: Vec<&str> = plan["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["value"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["Basic", "Pro"], "{plan}");
    assert_eq!(
        plan["other_values"],
        "1 other values, suppressed: fewer than 50 records each"
    );

    // Numeric: count, mean and std to three significant digits; nothing else.
    let spend = column(&d, "spend");
    let values: Vec<f64> = (0..ROWS)
        .map(|i| format!("{}.{:04}", 1000 + i * 7, 1000 + i).parse().unwrap())
        .collect();
    let mean = values.iter().sum::<f64>() / ROWS as f64;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (ROWS - 1) as f64).sqrt();
    assert_eq!(spend["count"], ROWS);
    assert_eq!(spend["mean"], privacy::round_sig(mean));
    assert_eq!(spend["std"], privacy::round_sig(std));
    assert_eq!(spend["mean"], 3100.0);
    let mut keys: Vec<&String> = spend.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "count",
            "distinct_values",
            "mean",
            "missing",
            "name",
            "std",
            "type",
            "usable_for_segments"
        ],
        "{spend}"
    );

    // Withheld (excluded) and identifier columns: name and type only.
    for name in ["region", "email"] {
        let c = column(&d, name);
        let mut keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["name", "role", "type", "usable_for_segments"], "{c}");
        assert_eq!(c["usable_for_segments"], false);
    }
    let text = d.to_string();
    for r in REGIONS {
        assert!(!text.contains(r), "withheld levels are not sent: {text}");
    }

    // A threshold above a level's count suppresses it too; above the file's size, every count.
    let d = privacy::describe_columns(&f.preview, &PrivacyRules::new(200, vec![]));
    let industry = column(&d, "industry");
    assert_eq!(industry["levels"], json!([]));
    assert_eq!(
        industry["other_values"],
        "4 other values, suppressed: fewer than 200 records each"
    );
    let d = privacy::describe_columns(&f.preview, &PrivacyRules::new(601, vec![]));
    assert_eq!(column(&d, "spend").get("mean"), None);
}

#[test]
fn describe_columns_says_when_frequent_levels_are_not_listed() {
    use crate::protocol::{ColumnPreview, ColumnStats, LevelCount, STATS_TOP_LEVELS};
    use audience_engine::table::ColumnType;
    // 40 levels of 60 records each: the stats keep the top 25; the 15 unlisted are not "small".
    let mut csv = String::from("city\n");
    for i in 0..40 * 60 {
        csv.push_str(&format!("City-{:02}\n", i % 40));
    }
    let mut s = Session::new();
    let Response::Loaded(preview) = s.handle(
        Request::LoadFile {
            file_name: "cities.csv".into(),
            header: audience_engine::ingest::HeaderMode::Auto,
        },
        Some(csv.as_bytes()),
        &mut |_| {},
    ) else {
        panic!("file loads")
    };
    let city = &preview.columns[0];
    assert_eq!(city.column_type, ColumnType::Categorical);
    assert_eq!(city.stats.levels.len(), STATS_TOP_LEVELS);
    assert_eq!(city.stats.other_levels, 40 - STATS_TOP_LEVELS);
    assert!(city.stats.levels.iter().all(|l| l.count == 60));
    let d = privacy::describe_columns(&preview, &PrivacyRules::new(50, vec![]));
    let c = column(&d, "city");
    assert_eq!(c["levels"].as_array().unwrap().len(), STATS_TOP_LEVELS);
    assert_eq!(
        c["other_values"],
        "15 further values not listed (only the 25 most frequent are described)"
    );
    // Listed levels under the threshold are folded with the unlisted ones when those are smaller.
    let stats = ColumnStats {
        levels: vec![
            LevelCount {
                label: "Big".into(),
                count: 80,
            },
            LevelCount {
                label: "Small".into(),
                count: 3,
            },
        ],
        other_levels: 4,
        numeric: None,
    };
    let preview = DatasetPreview {
        columns: vec![ColumnPreview {
            name: "kind".into(),
            column_type: ColumnType::Categorical,
            missing: 0,
            distinct: 6,
            clusterable: true,
            stats,
        }],
        n_rows: 95,
        n_columns: 1,
        ..preview
    };
    let d = privacy::describe_columns(&preview, &PrivacyRules::new(50, vec![]));
    let c = column(&d, "kind");
    assert_eq!(c["levels"], json!([{"value": "Big", "count": 80}]));
    assert_eq!(
        c["other_values"],
        "5 other values, suppressed: fewer than 50 records each"
    );
    assert!(!d.to_string().contains("Small"));
}

#[test]
fn rounding_keeps_three_significant_digits() {
    assert_eq!(privacy::round_sig(1234.5678), 1230.0);
    assert_eq!(privacy::round_sig(0.012345), 0.0123);
    assert_eq!(privacy::round_sig(-98765.0), -98800.0);
    assert_eq!(privacy::round_sig(0.0), 0.0);
}

#[test]
fn tool_inputs_are_checked_with_clear_messages() {
    assert_eq!(
        tools::parse("search_variables", &json!({"query": " eco urban "})),
        Ok(ToolCall::SearchVariables {
            query: "eco urban".into()
        })
    );
    let e = tools::parse("search_variables", &json!({})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "search_variables: query must be a non-empty string"
    );
    let e = tools::parse("run_segmentation", &json!({"k": 1})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "run_segmentation: k is 1; it must be between 2 and 50"
    );
    let e = tools::parse(
        "run_segmentation",
        &json!({"min_share": 0.2, "max_share": 0.1}),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("0.2 is larger than max_share 0.1"),
        "{e}"
    );
    let e = tools::parse("run_segmentation", &json!({"columns": "age"})).unwrap_err();
    assert!(
        e.to_string()
            == "run_segmentation: input does not fit the tool's schema: invalid type: string \"age\", expected a sequence",
        "{e}"
    );
    let e = tools::parse("explain_segment", &json!({"segment": -1})).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "explain_segment: input does not fit the tool's schema: invalid value: integer `-1`"
        ),
        "{e}"
    );
    let e = tools::parse("delete_everything", &json!({})).unwrap_err();
    assert!(matches!(e, ToolError::UnknownTool(ref n) if n == "delete_everything"));
    assert_eq!(
        tools::parse(
            "run_segmentation",
            &json!({"columns": ["industry"], "k": 5, "seed": 3})
        ),
        Ok(ToolCall::RunSegmentation(RunArgs {
            columns: Some(vec!["industry".into()]),
            k: Some(5),
            min_share: None,
            max_share: None,
            seed: Some(3)
        }))
    );
    // The declared tools are exactly the relay's default allowlist, in order.
    let names: Vec<String> = tools::definitions()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, tools::TOOL_NAMES);
}

#[test]
fn segmentation_settings_from_tool_input_check_the_columns() {
    let f = fixture(4);
    let current = f.results.settings.clone();
    let args = RunArgs {
        columns: Some(vec!["industry".into(), "plan".into()]),
        k: Some(6),
        ..RunArgs::default()
    };
    let s = tools::settings_for(&args, &f.preview, &[], current.clone()).unwrap();
    assert_eq!(
        s.variables
            .iter()
            .map(|v| v.column.as_str())
            .collect::<Vec<_>>(),
        ["industry", "plan"]
    );
    assert_eq!(s.k, Some(6));
    assert_eq!(s.target.as_deref(), Some("is_sale"));
    let err = |cols: &[&str], withheld: &[String]| {
        let args = RunArgs {
            columns: Some(cols.iter().map(|c| c.to_string()).collect()),
            ..RunArgs::default()
        };
        tools::settings_for(&args, &f.preview, withheld, current.clone())
            .unwrap_err()
            .to_string()
    };
    assert!(err(&["nope"], &[]).contains("\"nope\" is not in the file"));
    assert!(err(&["email"], &[]).contains("cannot be segmented on"));
    assert!(err(&["region"], &["region".into()]).contains("marked ID or exclude"));
    assert!(err(&["is_sale"], &[]).contains("conversion column"));
    let mut empty = current.clone();
    empty.variables.clear();
    assert_eq!(
        tools::settings_for(&RunArgs::default(), &f.preview, &[], empty),
        Err(ToolError::NoColumns)
    );
}

fn tool_use(id: &str, name: &str, input: Value) -> Value {
    json!({"id": "msg", "type": "message", "role": "assistant", "stop_reason": "tool_use",
           "content": [{"type": "text", "text": "Let me look."}, {"type": "tool_use", "id": id, "name": name, "input": input}]})
}

#[test]
fn the_loop_runs_tools_until_end_turn() {
    let mut c = Conversation::default();
    assert_eq!(c.user_says("   "), Err(LoopError::EmptyMessage));
    c.user_says("eco-minded urban millennials").unwrap();
    let body = c.request_body();
    assert_eq!(body["model"], super::conversation::MODEL);
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [{"type": "text", "text": "eco-minded urban millennials"}]}])
    );
    assert_eq!(body["tools"].as_array().unwrap().len(), 5);
    c.sending(&body).unwrap();
    let next = c
        .on_answer(&tool_use(
            "tu_1",
            "search_variables",
            json!({"query": "eco urban"}),
        ))
        .unwrap();
    let Next::RunTools(calls) = next else {
        panic!("tools")
    };
    assert_eq!(calls[0].id, "tu_1");
    assert_eq!(c.user_says("again"), Err(LoopError::Busy));
    c.add_tool_results(vec![ToolOutcome {
        id: "tu_1".into(),
        name: "search_variables".into(),
        content: "{\"ok\":1}".into(),
        is_error: false,
    }]);
    let body = c.request_body();
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[1]["role"], "assistant");
    assert_eq!(
        msgs[2]["content"][0],
        json!({"type": "tool_result", "tool_use_id": "tu_1", "content": "{\"ok\":1}"})
    );
    c.sending(&body).unwrap();
    let end = json!({"type": "message", "role": "assistant", "stop_reason": "end_turn", "content": [{"type": "text", "text": "Done: 12 segments."}]});
    assert_eq!(c.on_answer(&end), Ok(Next::Done));
    assert_eq!(
        c.log.iter().filter(|e| matches!(e, Entry::Sent(_))).count(),
        2
    );
    assert!(matches!(c.log.last(), Some(Entry::Assistant(t)) if t == "Done: 12 segments."));
    // Errors from a tool are sent as is_error results.
    c.user_says("explain 99").unwrap();
    c.sending(&c.request_body()).unwrap();
    c.on_answer(&tool_use("tu_2", "explain_segment", json!({"segment": 99})))
        .unwrap();
    c.add_tool_results(vec![ToolOutcome {
        id: "tu_2".into(),
        name: "explain_segment".into(),
        content: "no segment 99".into(),
        is_error: true,
    }]);
    let last = c.request_body()["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["content"][0]["is_error"], true);
}

#[test]
fn the_loop_stops_after_the_round_limit_and_keeps_the_history_valid() {
    let mut c = Conversation::default();
    c.user_says("loop forever").unwrap();
    for round in 0..MAX_ROUNDS {
        c.sending(&c.request_body()).unwrap();
        let answer = tool_use(&format!("tu_{round}"), "describe_columns", json!({}));
        match c.on_answer(&answer) {
            Ok(Next::RunTools(_)) => c.add_tool_results(vec![ToolOutcome {
                id: format!("tu_{round}"),
                name: "describe_columns".into(),
                content: "{}".into(),
                is_error: false,
            }]),
            Err(e) => {
                assert_eq!(round, MAX_ROUNDS - 1);
                assert_eq!(e, LoopError::TooManyRounds(MAX_ROUNDS));
                assert!(e.to_string().contains("stopped after 8 requests"));
            }
            Ok(Next::Done) => panic!("not done"),
        }
    }
    assert_eq!(
        c.sending(&c.request_body()),
        Err(LoopError::TooManyRounds(MAX_ROUNDS))
    );
    // The last message is the user's tool results: a new message can follow.
    assert_eq!(c.messages.last().unwrap()["role"], "user");
    c.user_says("stop").unwrap();
    assert_eq!(
        c.messages.last().unwrap()["content"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["text"],
        "stop"
    );
    assert!(matches!(
        c.on_answer(&json!({"nope": 1})),
        Err(LoopError::Malformed(_))
    ));
}

#[test]
fn relay_errors_become_clear_messages() {
    let body = |t: &str, m: &str, s: &str| {
        json!({"type": "error", "error": {"type": t, "message": m}, "source": s}).to_string()
    };
    let m = http_error_message(
        429,
        Some("17"),
        &body("rate_limit_error", "slow down", "relay"),
    );
    assert!(
        m.starts_with("Too many requests (429): try again in 17 s."),
        "{m}"
    );
    assert!(m.contains("slow down"));
    let m = http_error_message(
        529,
        None,
        &body("overloaded_error", "Overloaded", "upstream"),
    );
    assert!(m.starts_with("Claude is overloaded (529)"), "{m}");
    let m = http_error_message(
        401,
        None,
        &body("authentication_error", "invalid x-api-key", "upstream"),
    );
    assert!(m.contains("API key was refused (401)"), "{m}");
    let m = http_error_message(
        403,
        None,
        &body("permission_error", "origin not allowed", "relay"),
    );
    assert!(m.starts_with("The relay refused the request (403)"), "{m}");
    assert!(http_error_message(413, None, "").contains("too large"));
    assert!(http_error_message(500, None, "<html>").contains("failed (500)"));
}

#[test]
fn only_a_same_origin_relay_is_accepted() {
    let page = "http://127.0.0.1:8787";
    assert_eq!(
        relay_endpoint("", page).unwrap(),
        "http://127.0.0.1:8787/v1/messages"
    );
    assert_eq!(
        relay_endpoint("self", page).unwrap(),
        "http://127.0.0.1:8787/v1/messages"
    );
    assert_eq!(
        relay_endpoint("http://127.0.0.1:8787/", page).unwrap(),
        "http://127.0.0.1:8787/v1/messages"
    );
    let e = relay_endpoint("http://127.0.0.1:9999", page).unwrap_err();
    assert!(
        e.contains("another origin") && e.contains("--static-dir"),
        "{e}"
    );
    assert!(relay_endpoint("ftp://x", page)
        .unwrap_err()
        .contains("http://"));
    assert!(relay_endpoint("localhost", page)
        .unwrap_err()
        .contains("not a URL"));
}

#[test]
fn one_share_end_from_the_assistant_keeps_the_apps_other_end_or_is_refused_when_bounds_are_off() {
    let f = fixture(4);
    let unbounded = f.results.settings.clone();
    assert_eq!(unbounded.bounds, None);
    let max_only = RunArgs {
        max_share: Some(0.1),
        ..RunArgs::default()
    };
    // Box unticked: "segments of at most 10 %" is refused in words, not sent on as a minimum of 0.
    let e = tools::settings_for(&max_only, &f.preview, &[], unbounded.clone()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "run_segmentation: min_share is needed with max_share 0.1: size bounds are off in the app, so give both ends (e.g. min_share 0.05 and max_share 0.1), or neither"
    );
    let min_only = RunArgs {
        min_share: Some(0.2),
        ..RunArgs::default()
    };
    let e = tools::settings_for(&min_only, &f.preview, &[], unbounded.clone()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("run_segmentation: max_share is needed with min_share 0.2"),
        "{e}"
    );
    // Box ticked at 5–10 %: one end replaces the app's end of the same side.
    let mut bounded = unbounded.clone();
    bounded.bounds = Some(ShareBounds {
        min: 0.05,
        max: 0.10,
    });
    let wider = RunArgs {
        max_share: Some(0.3),
        ..RunArgs::default()
    };
    let s = tools::settings_for(&wider, &f.preview, &[], bounded.clone()).unwrap();
    assert_eq!(
        s.bounds,
        Some(ShareBounds {
            min: 0.05,
            max: 0.3
        })
    );
    let s = tools::settings_for(&min_only, &f.preview, &[], bounded.clone()).unwrap_err();
    assert_eq!(
        s.to_string(),
        "run_segmentation: min_share gives min_share 0.2 larger than max_share 0.1; give both ends with min_share ≤ max_share"
    );
    // Both ends replace the app's bounds even when they are off; neither leaves them alone.
    let both = RunArgs {
        min_share: Some(0.2),
        max_share: Some(0.3),
        ..RunArgs::default()
    };
    let s = tools::settings_for(&both, &f.preview, &[], unbounded.clone()).unwrap();
    assert_eq!(s.bounds, Some(ShareBounds { min: 0.2, max: 0.3 }));
    let s = tools::settings_for(&RunArgs::default(), &f.preview, &[], bounded.clone()).unwrap();
    assert_eq!(s.bounds, bounded.bounds);
}

#[test]
fn a_max_only_request_with_the_apps_minimum_segments_within_both_ends() {
    let (csv, _) = marker_csv();
    let f = fixture(4);
    let mut current = f.results.settings.clone();
    current.k = None;
    current.bounds = Some(ShareBounds {
        min: 0.2,
        max: 0.25,
    });
    let args = RunArgs {
        max_share: Some(0.4),
        ..RunArgs::default()
    };
    let settings = tools::settings_for(&args, &f.preview, &[], current).unwrap();
    let mut s = Session::new();
    s.handle(
        Request::LoadFile {
            file_name: "markers.csv".into(),
            header: audience_engine::ingest::HeaderMode::Auto,
        },
        Some(csv.as_bytes()),
        &mut |_| {},
    );
    let response = s.handle(Request::Segment(settings), None, &mut |_| {});
    let Response::Segmented(results) = response else {
        panic!("segments, got {response:?}")
    };
    let n = ROWS as f64;
    for &size in &results.segmentation.sizes {
        let share = size as f64 / n;
        assert!((0.2..=0.4).contains(&share), "share {share}");
    }
    assert_eq!(
        results.settings.bounds,
        Some(ShareBounds { min: 0.2, max: 0.4 })
    );
}

#[test]
fn typed_tool_inputs_ignore_extra_fields_take_null_as_empty_and_an_empty_column_list_as_none() {
    assert_eq!(
        tools::parse("describe_columns", &Value::Null),
        Ok(ToolCall::DescribeColumns)
    );
    assert_eq!(
        tools::parse(
            "run_segmentation",
            &json!({"columns": [], "note": "extra", "min_share": 0.1, "max_share": 0.2})
        ),
        Ok(ToolCall::RunSegmentation(RunArgs {
            columns: None,
            min_share: Some(0.1),
            max_share: Some(0.2),
            ..RunArgs::default()
        }))
    );
    let e = tools::parse("run_segmentation", &json!({"max_share": 1.5})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "run_segmentation: max_share must be a share in (0, 1], got 1.5"
    );
    let e = tools::parse("explain_segment", &json!({})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "explain_segment: segment is required (an integer id)"
    );
    let e = tools::parse("search_variables", &json!(["not", "an", "object"])).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("tool: input must be a JSON object"),
        "{e}"
    );
}

#[test]
fn search_variables_returns_concepts_with_their_variables_and_the_preselected_ones() {
    use crate::protocol::{CatalogGroup, CatalogHit, ConceptVariable, Suggestions};
    let variable = |code: &str, label: &str| ConceptVariable {
        code: code.into(),
        label: label.into(),
        retrievable: false,
    };
    let suggestions = Suggestions {
        query: "affluent households".into(),
        columns: Vec::new(),
        catalog: vec![CatalogGroup {
            kind: "financial".into(),
            hits: vec![CatalogHit {
                code: "B19001_017E".into(),
                label: "$200,000 or more".into(),
                table: "B19001".into(),
                score: 0.9,
                concept: "Household income in the past 12 months (B19001) · 17 variables".into(),
                variables: vec![
                    variable("B19001_017E", "$200,000 or more"),
                    variable("B19001_016E", "$150,000 to $199,999"),
                    variable("B19001_002E", "Less than $10,000"),
                ],
                selected: 2,
                ..CatalogHit::default()
            }],
        }],
        catalog_searched: true,
    };
    let value = privacy::search_results(&suggestions, &PrivacyRules::new(10, vec![]));
    let hit = &value["catalog_variables"][0]["variables"][0];
    assert_eq!(
        hit["concept"],
        "Household income in the past 12 months (B19001) · 17 variables"
    );
    let selected: Vec<(String, bool)> = hit["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_owned(),
                v["selected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        selected,
        [
            ("B19001_017E".to_owned(), true),
            ("B19001_016E".to_owned(), true),
            ("B19001_002E".to_owned(), false)
        ]
    );
}
