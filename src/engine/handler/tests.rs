//! The engine's requests, natively: each test sends requests as the page
//! does and reads the answers.

use super::*;
use crate::chart::{Context, Lang, Size, View};
use crate::data::catalog::fixture_catalog;
use crate::data::hash::sha256_hex;
use crate::engine::protocol::{PROFILE, RESULT};
use crate::recipe::{ChartSpec, Predicate, Step};

pub(super) fn load(engine: &mut Engine, bytes: Option<&[u8]>) -> Outcome {
    engine.handle(
        Request::LoadCatalog {
            url: "data/catalog.json".into(),
        },
        bytes.map(<[u8]>::to_vec),
    )
}

#[test]
fn loads_and_reports_the_catalog_it_was_given() {
    let mut engine = Engine::new();
    let catalog = fixture_catalog();
    let outcome = load(&mut engine, Some(catalog.to_json().as_bytes()));
    assert_eq!(
        outcome,
        Outcome::Reply(Response::Catalog {
            engine_version: crate::VERSION.to_string(),
            catalog: catalog.clone(),
        })
    );
    assert_eq!(engine.catalog(), Some(&catalog));
}

#[test]
fn a_bad_catalog_is_an_error_and_keeps_the_loaded_one() {
    let mut engine = Engine::new();
    let catalog = fixture_catalog();
    load(&mut engine, Some(catalog.to_json().as_bytes()));
    let Outcome::Reply(Response::Error { message }) =
        load(&mut engine, Some(b"<html>Not found</html>"))
    else {
        panic!("expected an error");
    };
    assert!(message.starts_with("data/catalog.json: "), "{message}");
    assert_eq!(engine.catalog(), Some(&catalog));
    assert!(matches!(
        load(&mut engine, None),
        Outcome::Reply(Response::Error { .. })
    ));
}

fn arrow_file() -> Vec<u8> {
    crate::data::ipc::write_file(&crate::data::load::tests::sample()[0]).unwrap()
}

#[test]
fn opens_a_verified_dataset_and_closes_it() {
    let mut engine = Engine::new();
    let bytes = arrow_file();
    let sha = sha256_hex(&bytes);
    let Response::DatasetOpened { summary } =
        engine.open_dataset("d", &sha, "u", bytes.clone(), true)
    else {
        panic!("expected the dataset to open");
    };
    assert_eq!((summary.rows, summary.columns.len()), (50, 6));
    assert_eq!(summary.columns[0], ("id".to_string(), "Int32".to_string()));
    assert_eq!(summary.file_bytes, bytes.len() as u64);
    assert!(summary.memory_bytes > 0 && summary.from_cache);
    assert_eq!(engine.tables().len(), 1);
    assert_eq!(
        engine.handle(
            Request::CloseDataset {
                dataset: "d".into()
            },
            None
        ),
        Outcome::Reply(Response::DatasetClosed {
            dataset: "d".into()
        })
    );
    assert!(engine.tables().is_empty());
}

#[test]
fn a_wrong_hash_or_a_broken_file_is_an_error_and_keeps_what_is_loaded() {
    let mut engine = Engine::new();
    let bytes = arrow_file();
    let sha = sha256_hex(&bytes);
    engine.open_dataset("d", &sha, "u", bytes.clone(), false);
    let Response::Error { message } = engine.open_dataset(
        "e",
        &"0".repeat(64),
        "https://h/e.arrow",
        bytes.clone(),
        false,
    ) else {
        panic!("expected an error");
    };
    assert!(
        message.contains(&sha) && message.contains(&"0".repeat(64)),
        "{message}"
    );
    let html = b"<html>404</html>".to_vec();
    let Response::Error { message } =
        engine.open_dataset("d", &sha256_hex(&html), "https://h/d.arrow", html, false)
    else {
        panic!("expected an error");
    };
    assert!(
        message.starts_with("https://h/d.arrow: this is a web page"),
        "{message}"
    );
    assert_eq!(engine.tables().len(), 1);
    assert_eq!(engine.tables()["d"].summary.rows, 50);
}

pub(super) fn reply(engine: &mut Engine, request: Request, bulk: Option<Vec<u8>>) -> Response {
    match engine.handle(request, bulk) {
        Outcome::Reply(response) => response,
        other => panic!("expected a reply, got {other:?}"),
    }
}

fn open_csv(engine: &mut Engine, bytes: &[u8]) -> Response {
    reply(
        engine,
        Request::OpenFile {
            dataset: "file:k.csv".into(),
            name: "k.csv".into(),
        },
        Some(bytes.to_vec()),
    )
}

#[test]
fn opens_a_csv_file_pages_sorts_searches_and_retypes_it() {
    let mut engine = Engine::new();
    let Response::DatasetOpened { summary } = open_csv(
        &mut engine,
        b"kommun;kod;andel
G\xe4vle;2180;12,5
Ume\xe5;0114;n/a
",
    ) else {
        panic!("expected the file to open");
    };
    assert_eq!(
        summary.origin,
        Origin::File {
            name: "k.csv".into()
        }
    );
    assert_eq!(summary.sha256.len(), 64);
    assert_eq!(
        summary.columns[2],
        ("andel".to_string(), "Utf8".to_string())
    );
    let report = summary.csv.clone().unwrap();
    assert!(report.decimal_comma);
    let rows = |engine: &mut Engine, search: &str, sort| {
        let Response::Rows { total, rows, .. } = reply(
            engine,
            Request::Rows {
                dataset: "file:k.csv".into(),
                search: search.into(),
                sort,
                offset: 0,
                limit: 10,
                lang: Default::default(),
            },
            None,
        ) else {
            panic!("expected rows");
        };
        (total, rows)
    };
    let (total, page) = rows(&mut engine, "", None);
    assert_eq!((total, page[0].cells[0].as_deref()), (2, Some("Gävle")));
    let (total, page) = rows(&mut engine, "umea", None);
    assert_eq!((total, page[0].index), (1, 1));
    let descending = Some(crate::data::view::SortKey {
        column: 0,
        descending: true,
    });
    assert_eq!(rows(&mut engine, "", descending).1[0].index, 1);
    let Response::DatasetOpened { summary } = reply(
        &mut engine,
        Request::Retype {
            dataset: "file:k.csv".into(),
            types: vec![ColumnType::Text, ColumnType::Text, ColumnType::Decimal],
            decimal_comma: true,
        },
        None,
    ) else {
        panic!("expected the retyped table");
    };
    assert_eq!(summary.columns[2].1, "Float64");
    assert_eq!(summary.csv.unwrap().columns[2].unreadable, 1);
    let (_, page) = rows(&mut engine, "", None);
    assert_eq!(page[0].cells[2].as_deref(), Some("12.5"));
    assert_eq!(page[1].cells[2], None);
    let Response::Summaries { columns, .. } = reply(
        &mut engine,
        Request::Summarize {
            dataset: "file:k.csv".into(),
            lang: Default::default(),
        },
        None,
    ) else {
        panic!("expected summaries");
    };
    assert_eq!((columns[2].nulls, columns[2].mean), (1, Some(12.5)));
}

#[test]
fn bad_files_and_requests_are_errors_and_keep_what_is_loaded() {
    let mut engine = Engine::new();
    open_csv(&mut engine, b"a;b\n1;2\n");
    for (name, bytes) in [
        ("empty.csv", Vec::new()),
        ("page.arrow", b"<html>".to_vec()),
        ("cut.arrow", arrow_file()[..100].to_vec()),
        ("many.csv", b"a;b\n1;2;3\n".to_vec()),
        ("binary", vec![0, 1, 2, 3]),
    ] {
        let Response::Error { message } = reply(
            &mut engine,
            Request::OpenFile {
                dataset: format!("file:{name}"),
                name: name.into(),
            },
            Some(bytes),
        ) else {
            panic!("{name}: expected an error");
        };
        assert!(message.starts_with(&format!("{name}: ")), "{message}");
    }
    let Response::Error { message } = reply(
        &mut engine,
        Request::Retype {
            dataset: "file:k.csv".into(),
            types: vec![ColumnType::Text],
            decimal_comma: false,
        },
        None,
    ) else {
        panic!("expected an error");
    };
    assert!(message.contains("2 columns"), "{message}");
    let arrow = arrow_file();
    reply(
        &mut engine,
        Request::OpenFile {
            dataset: "file:t.arrow".into(),
            name: "t.arrow".into(),
        },
        Some(arrow),
    );
    for request in [
        Request::Retype {
            dataset: "file:t.arrow".into(),
            types: vec![],
            decimal_comma: false,
        },
        Request::Rows {
            dataset: "nope".into(),
            search: String::new(),
            sort: None,
            offset: u64::MAX,
            limit: u32::MAX,
            lang: Default::default(),
        },
        Request::Rows {
            dataset: "file:t.arrow".into(),
            search: String::new(),
            sort: Some(crate::data::view::SortKey {
                column: 99,
                descending: false,
            }),
            lang: Default::default(),
            offset: 0,
            limit: 1,
        },
        Request::Summarize {
            dataset: "nope".into(),
            lang: Default::default(),
        },
    ] {
        assert!(matches!(
            reply(&mut engine, request, None),
            Response::Error { .. }
        ));
    }
    let Response::Rows { total, rows, .. } = reply(
        &mut engine,
        Request::Rows {
            dataset: "file:t.arrow".into(),
            search: String::new(),
            sort: None,
            offset: u64::MAX,
            limit: u32::MAX,
            lang: Default::default(),
        },
        None,
    ) else {
        panic!("expected rows");
    };
    assert_eq!((total, rows.len()), (50, 0));
    assert_eq!(engine.tables().len(), 2);
}

/// The fixture catalog with its agencies and latest staff tables
/// opened (made here, in the catalog's columns), and a recipe on them.
pub(super) fn engine_with_fixture_tables() -> (Engine, Recipe) {
    let mut engine = Engine::new();
    let catalog = fixture_catalog();
    load(&mut engine, Some(catalog.to_json().as_bytes()));
    let [agencies, staff] = crate::recipe::tests::fixture_tables();
    let sha = |id: &str| {
        let d = catalog.datasets.iter().find(|d| d.id == id).unwrap();
        d.latest().unwrap().sha256.clone()
    };
    for (id, batch) in [("fixture-agencies", agencies), ("fixture-staff", staff)] {
        let bytes = crate::data::ipc::write_file(&batch).unwrap();
        let opened = engine.open_verified(id, &sha(id), "u", bytes, false);
        assert!(
            matches!(opened, Response::DatasetOpened { .. }),
            "{opened:?}"
        );
    }
    let mut recipe = crate::recipe::url::tests::staff_by_ministry();
    recipe.inputs[0].dataset = "fixture-agencies".into();
    recipe.inputs[0].sha256 = sha("fixture-agencies");
    recipe.inputs[1].dataset = "fixture-staff".into();
    recipe.inputs[1].sha256 = sha("fixture-staff");
    if let Step::GroupBy { measures, .. } = &mut recipe.steps[2] {
        measures[0].column = Some("fte".into());
    }
    (engine, recipe)
}

/// The recipe reads only the fixture's staff table, as `staff`.
fn only_staff(engine: &Engine, recipe: &mut Recipe) {
    recipe.inputs.truncate(1);
    recipe.inputs[0] = crate::recipe::Input {
        name: "staff".into(),
        dataset: "fixture-staff".into(),
        sha256: engine.tables["fixture-staff"].summary.sha256.clone(),
    };
}

/// k-means (k = 2) of the staff table's year and FTE, as column
/// `cluster`.
fn cluster_staff(restarts: usize, seed: u64) -> Step {
    Step::Cluster {
        features: crate::ml::features::Features {
            columns: vec!["year".into(), "fte".into()],
            ..Default::default()
        },
        method: crate::recipe::learn::Method::KMeans {
            k: 2,
            restarts,
            seed,
        },
        name: "cluster".into(),
    }
}

#[test]
fn insights_of_a_cluster_step_are_kept_as_tables_and_charted() {
    use crate::ml::insight::Insight;
    let (mut engine, mut recipe) = engine_with_fixture_tables();
    only_staff(&engine, &mut recipe);
    recipe.steps = vec![cluster_staff(10, 1)];
    recipe.chart = Default::default();
    let ask = |engine: &mut Engine, insight: Insight, step: usize, member: Option<&str>| {
        reply(
            engine,
            Request::Insight {
                recipe: recipe.clone(),
                step,
                insight,
                member: member.map(str::to_string),
                lang: Lang::En,
            },
            None,
        )
    };
    let Response::Insight {
        columns,
        rows,
        total,
        mark,
        ..
    } = ask(
        &mut engine,
        Insight::ChooseK { from: 1, to: 5 },
        0,
        Some("org_nr"),
    )
    else {
        panic!("no elbow");
    };
    assert_eq!(columns, ["k", "inertia", "silhouette"]);
    assert_eq!(
        (total, rows.len(), mark),
        (3, 3, Some(2.0)),
        "k up to the 3 rows"
    );
    let Response::Insight { columns, total, .. } =
        ask(&mut engine, Insight::Profiles, 0, Some("org_nr"))
    else {
        panic!("no profiles");
    };
    assert_eq!(total, 2);
    assert_eq!(
        columns,
        ["cluster", "size", "sets_apart", "members", "year", "fte"]
    );
    // The profiles' long form draws as a heatmap.
    let chart = reply(
        &mut engine,
        Request::Chart {
            dataset: PROFILE.into(),
            spec: ChartSpec {
                kind: crate::recipe::ChartKind::Heatmap,
                x: Some("feature".into()),
                y: Some("cluster".into()),
                value: Some("difference_sd".into()),
                ..ChartSpec::default()
            },
            context: Context::default(),
            size: Size {
                width: 400,
                height: 300,
                scale: 1.0,
            },
            view: None,
            highlight: None,
        },
        None,
    );
    assert!(matches!(chart, Response::Chart { .. }), "{chart:?}");
    assert!(matches!(
        ask(&mut engine, Insight::KDistance { k: 1 }, 0, None),
        Response::Insight { total: 3, .. }
    ));
    for (insight, step) in [(Insight::Profiles, 1), (Insight::KDistance { k: 9 }, 0)] {
        assert!(matches!(
            ask(&mut engine, insight, step, None),
            Response::Error { .. }
        ));
    }
}

#[test]
fn an_anomaly_steps_most_unusual_rows_are_listed_said_and_charted() {
    use crate::ml::features::Features;
    use crate::ml::insight::Insight;
    use crate::recipe::learn::anomaly::{Flag, Scorer};
    let (mut engine, mut recipe) = engine_with_fixture_tables();
    only_staff(&engine, &mut recipe);
    let features = Features {
        columns: vec!["year".into(), "fte".into()],
        ..Features::default()
    };
    recipe.steps = vec![Step::Anomaly {
        features: features.clone(),
        method: Scorer::default(),
        flag: Flag::Share(0.5),
        name: "odd".into(),
    }];
    recipe.chart = Default::default();
    let ask = |engine: &mut Engine, recipe: &Recipe, insight: Insight, lang| {
        reply(
            engine,
            Request::Insight {
                recipe: recipe.clone(),
                step: 0,
                insight,
                member: Some("name".into()),
                lang,
            },
            None,
        )
    };
    let Response::Insight {
        columns,
        rows,
        total,
        sentences,
        ..
    } = ask(&mut engine, &recipe, Insight::Outliers, Lang::En)
    else {
        panic!("no outliers");
    };
    assert_eq!(
        columns,
        ["rank", "row", "score", "sets_apart", "year", "fte"]
    );
    // Half of 3 rows rounds up to 2 flagged.
    assert_eq!((total, rows.len()), (2, 2));
    assert_eq!(
        sentences[0],
        "2 of 3 scored rows (67%) are flagged as unusual."
    );
    assert_eq!(sentences.len(), 3, "{sentences:?}");
    assert!(
        sentences[1].starts_with(&rows[0][1]),
        "{sentences:?} {rows:?}"
    );
    let Response::Insight { sentences, .. } =
        ask(&mut engine, &recipe, Insight::Outliers, Lang::Sv)
    else {
        panic!("no outliers");
    };
    assert!(sentences[0].contains("bedömda rader"), "{sentences:?}");
    // The long form draws as a heatmap.
    let chart = reply(
        &mut engine,
        Request::Chart {
            dataset: PROFILE.into(),
            spec: ChartSpec {
                kind: crate::recipe::ChartKind::Heatmap,
                x: Some("feature".into()),
                y: Some("row".into()),
                value: Some("difference_sd".into()),
                ..ChartSpec::default()
            },
            context: Context::default(),
            size: Size {
                width: 400,
                height: 300,
                scale: 1.0,
            },
            view: None,
            highlight: None,
        },
        None,
    );
    assert!(matches!(chart, Response::Chart { .. }), "{chart:?}");
    // A cluster step's help is not an anomaly step's, and the other way.
    for insight in [Insight::Profiles, Insight::ChooseK { from: 1, to: 2 }] {
        assert!(matches!(
            ask(&mut engine, &recipe, insight, Lang::En),
            Response::Error { .. }
        ));
    }
    recipe.steps = vec![Step::Cluster {
        features,
        method: crate::recipe::learn::Method::KMeans {
            k: 2,
            restarts: 1,
            seed: 1,
        },
        name: "odd".into(),
    }];
    let Response::Error { message } = ask(&mut engine, &recipe, Insight::Outliers, Lang::En) else {
        panic!("outliers of a cluster step");
    };
    assert!(message.contains("not an anomaly step"), "{message}");
}

#[test]
fn exports_the_table_of_any_step() {
    let (mut engine, recipe) = engine_with_fixture_tables();
    let export = |engine: &mut Engine, step: usize, format| {
        reply(
            engine,
            Request::ExportStep {
                recipe: recipe.clone(),
                step,
                format,
            },
            None,
        )
    };
    let Response::Exported { name, bytes, .. } =
        export(&mut engine, 0, crate::data::export::Format::CsvSv)
    else {
        panic!("no export");
    };
    assert_eq!(name, "analysis-step-1.csv");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("org_nr;name;ministry;"), "{text}");
    assert!(text.contains(";2,5"), "decimal commas: {text}");
    for step in [99, usize::MAX] {
        assert!(matches!(
            export(&mut engine, step, crate::data::export::Format::Arrow),
            Response::Error { .. }
        ));
    }
    // Asked again, the step's table comes from the one kept; once an
    // input is closed, it is not kept any more.
    assert!(matches!(
        export(&mut engine, 0, crate::data::export::Format::Csv),
        Response::Exported { .. }
    ));
    reply(
        &mut engine,
        Request::CloseDataset {
            dataset: "fixture-agencies".into(),
        },
        None,
    );
    assert!(matches!(
        export(&mut engine, 0, crate::data::export::Format::Csv),
        Response::Error { .. }
    ));
}

#[test]
fn runs_a_recipe_keeps_its_result_and_exports_it() {
    let (mut engine, recipe) = engine_with_fixture_tables();
    let Response::RecipeRan {
        input,
        steps,
        error,
        result,
        ..
    } = reply(&mut engine, Request::RunRecipe { recipe }, None)
    else {
        panic!("not a run");
    };
    assert_eq!(error, None);
    assert_eq!(input.len(), 3);
    assert_eq!(steps.len(), 4);
    let join = steps[0].join.as_ref().unwrap();
    assert_eq!((join.left_matched, join.right_matched), (2, 3));
    assert_eq!(
        steps.iter().map(|s| s.rows).collect::<Vec<_>>(),
        [Some(3), Some(2), Some(2), Some(2)]
    );
    let result = result.unwrap();
    assert_eq!(result.dataset, RESULT);
    assert_eq!(result.origin, Origin::Analysis);
    let Response::Exported { name, bytes, .. } = reply(
        &mut engine,
        Request::Export {
            dataset: RESULT.into(),
            format: crate::data::export::Format::Csv,
        },
        None,
    ) else {
        panic!("not exported");
    };
    assert_eq!(name, "analysis.csv");
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "ministry,staff\nJu,4.0\nFi,2.5\n"
    );
}

#[test]
fn charts_a_result_and_answers_hovers() {
    let (mut engine, recipe) = engine_with_fixture_tables();
    reply(&mut engine, Request::RunRecipe { recipe }, None);
    let chart = |spec: crate::recipe::ChartSpec, view: Option<View>| Request::Chart {
        dataset: RESULT.into(),
        spec,
        context: Context::default(),
        size: Size {
            width: 400,
            height: 300,
            scale: 2.0,
        },
        view,
        highlight: None,
    };
    let bar = crate::recipe::ChartSpec {
        kind: crate::recipe::ChartKind::Bar,
        x: Some("ministry".into()),
        y: Some("staff".into()),
        ..Default::default()
    };
    let Response::Chart {
        frame,
        table,
        image,
        ..
    } = reply(&mut engine, chart(bar.clone(), None), None)
    else {
        panic!("no chart");
    };
    assert_eq!((frame.width, frame.height), (800, 600));
    assert_eq!(image, None, "two bars are drawn as shapes");
    assert_eq!(table.rows, [["Ju", "4.0"], ["Fi", "2.5"]]);
    // Hovering the first bar names it; far outside, nothing.
    let marks = frame.marks.unwrap();
    let crate::chart::frame::Mark::Rect { rect, .. } = &marks[0] else {
        panic!()
    };
    let Response::ChartHit { tip } = reply(
        &mut engine,
        Request::ChartHit {
            x: (rect.x0 + rect.x1) / 2.0,
            y: rect.y1 - 2.0,
        },
        None,
    ) else {
        panic!()
    };
    assert_eq!(tip.unwrap().title, "Ju");
    let Response::ChartHit { tip } = reply(
        &mut engine,
        Request::ChartHit {
            x: -1e9,
            y: f32::NAN,
        },
        None,
    ) else {
        panic!()
    };
    assert_eq!(tip, None);
    // A column the result lacks, a text axis: messages, not panics.
    let mut missing = bar.clone();
    missing.y = Some("nope".into());
    assert!(matches!(
        reply(&mut engine, chart(missing, None), None),
        Response::Error { .. }
    ));
    let mut text = bar.clone();
    text.kind = crate::recipe::ChartKind::Scatter;
    assert!(
        matches!(reply(&mut engine, chart(text, None), None), Response::Error { message } if message.contains("not numbers"))
    );
    // Hovering after a failed chart finds nothing.
    let Response::ChartHit { tip } = reply(&mut engine, Request::ChartHit { x: 1.0, y: 1.0 }, None)
    else {
        panic!()
    };
    assert_eq!(tip, None);
    assert!(matches!(
        reply(
            &mut engine,
            Request::Chart {
                dataset: "gone".into(),
                spec: bar,
                context: Context::default(),
                size: Size {
                    width: 0,
                    height: 0,
                    scale: f32::NAN
                },
                view: None,
                highlight: Some(200),
            },
            None
        ),
        Response::Error { .. }
    ));
}

#[test]
fn a_run_reports_each_step_as_it_goes() {
    let (mut engine, recipe) = engine_with_fixture_tables();
    let mut reports = Vec::new();
    let outcome = engine.handle_reporting(Request::RunRecipe { recipe }, None, &mut |r| {
        reports.push(r)
    });
    assert!(matches!(
        outcome,
        Outcome::Reply(Response::RecipeRan { error: None, .. })
    ));
    let steps: Vec<usize> = reports
        .iter()
        .map(|r| match r {
            Response::RunProgress { step, steps: 4, .. } => *step,
            other => panic!("not progress: {other:?}"),
        })
        .collect();
    // Every step starts with a report, in order.
    let mut firsts = steps.clone();
    firsts.dedup();
    assert_eq!(firsts, [0, 1, 2, 3]);
    // Nothing is trained: no loss.
    assert!(
        reports
            .iter()
            .all(|r| matches!(r, Response::RunProgress { loss: None, .. }))
    );
}

#[test]
fn a_training_reports_its_loss_as_it_goes() {
    let (mut engine, mut recipe) = engine_with_fixture_tables();
    only_staff(&engine, &mut recipe);
    recipe.steps = vec![
        serde_json::from_value(serde_json::json!({
            "op": "project", "features": { "columns": ["year", "fte"], "scale": "z_score" },
            "components": 2, "prefix": "code", "method": { "autoencoder": { "epochs": 5 } }
        }))
        .unwrap(),
    ];
    recipe.chart = Default::default();
    let mut losses = Vec::new();
    let outcome = engine.handle_reporting(Request::RunRecipe { recipe }, None, &mut |r| {
        if let Response::RunProgress { done, loss, .. } = r {
            losses.push((done, loss));
        }
    });
    assert!(
        matches!(
            outcome,
            Outcome::Reply(Response::RecipeRan { error: None, .. })
        ),
        "{outcome:?}"
    );
    // Each epoch after the first reports the loss so far; none after.
    let trained: Vec<f64> = losses.iter().filter_map(|(_, l)| *l).collect();
    assert_eq!(trained.len(), 4, "{losses:?}");
    assert!(trained.iter().all(|l| l.is_finite() && *l > 0.0));
    assert_eq!(crate::ml::autoencoder::latest_loss(), None);
}

#[test]
fn distinct_values_of_a_column_where_a_step_receives_it() {
    let (mut engine, recipe) = engine_with_fixture_tables();
    let mut distinct = |step: usize, limit: u32| {
        reply(
            &mut engine,
            Request::Distinct {
                recipe: recipe.clone(),
                step,
                column: "year".into(),
                limit,
            },
            None,
        )
    };
    let values = |v: &[&str], more| Response::Distinct {
        values: v.iter().map(|s| s.to_string()).collect(),
        more,
    };
    assert_eq!(distinct(1, 100), values(&["2009", "2012"], false));
    assert_eq!(
        distinct(2, 100),
        values(&["2012"], false),
        "after 2010–2024"
    );
    assert_eq!(distinct(1, 1), values(&["2009"], true));
    assert!(
        matches!(distinct(0, 10), Response::Error { .. }),
        "agencies have no year"
    );
}

#[test]
fn a_broken_recipe_names_its_step_and_keeps_the_steps_before() {
    let (mut engine, mut recipe) = engine_with_fixture_tables();
    let good = recipe.clone();
    assert!(matches!(
        reply(
            &mut engine,
            Request::RunRecipe {
                recipe: good.clone()
            },
            None
        ),
        Response::RecipeRan { error: None, .. }
    ));
    if let Step::Filter {
        predicate: Predicate::And { all },
    } = &mut recipe.steps[1]
    {
        all.push(Predicate::IsNull {
            column: "yeer".into(),
        });
    }
    let Response::RecipeRan {
        steps,
        error,
        result,
        ..
    } = reply(&mut engine, Request::RunRecipe { recipe }, None)
    else {
        panic!("not a run");
    };
    let error = error.unwrap();
    assert_eq!(error.step, Some(1));
    assert!(
        error.message.contains("did you mean \"year\""),
        "{}",
        error.message
    );
    assert_eq!(steps.len(), 1, "the join still shows its schema");
    assert!(result.is_none());
    assert!(!engine.tables().contains_key(RESULT), "no stale result");
    // An input that is not open, and no catalog at all.
    let mut other = good.clone();
    other.inputs[1].sha256 = fixture_catalog().datasets[1].versions[0].sha256.clone();
    let Response::RecipeRan { error, .. } =
        reply(&mut engine, Request::RunRecipe { recipe: other }, None)
    else {
        panic!("not a run");
    };
    assert!(error.unwrap().message.contains("is not open"));
    let Response::RecipeRan { error, .. } = reply(
        &mut Engine::new(),
        Request::RunRecipe { recipe: good },
        None,
    ) else {
        panic!("not a run");
    };
    assert!(error.unwrap().message.contains("catalog"));
}

#[test]
fn simulate_crash_asks_the_worker_to_crash() {
    assert_eq!(
        Engine::new().handle(Request::SimulateCrash, None),
        Outcome::Crash
    );
}

#[test]
fn two_versions_of_one_dataset_are_inputs_of_one_recipe() {
    let mut engine = Engine::new();
    let mut catalog = fixture_catalog();
    let [_, staff] = crate::recipe::tests::fixture_tables();
    let bytes = crate::data::ipc::write_file(&staff).unwrap();
    let newest = catalog
        .dataset("fixture-staff")
        .unwrap()
        .latest()
        .unwrap()
        .clone();
    // An older version of the same table: the same rows, another hash.
    let older_batch = staff.slice(0, staff.num_rows() - 1);
    let older_bytes = crate::data::ipc::write_file(&older_batch).unwrap();
    let mut older = newest.clone();
    older.sha256 = sha256_hex(&older_bytes);
    let staff_set = catalog
        .datasets
        .iter_mut()
        .find(|d| d.id == "fixture-staff")
        .unwrap();
    staff_set.versions.insert(0, older.clone());
    load(&mut engine, Some(catalog.to_json().as_bytes()));
    // Each version is kept under its own key, as the analysis page opens them.
    for (sha, bytes) in [(&newest.sha256, bytes), (&older.sha256, older_bytes)] {
        let key = catalog.table_key("fixture-staff", sha);
        let opened = engine.open_verified(&key, sha, "u", bytes, false);
        assert!(
            matches!(opened, Response::DatasetOpened { .. }),
            "{opened:?}"
        );
    }
    assert_eq!(engine.tables().len(), 2);
    let input = |name: &str, sha: &str| crate::recipe::Input {
        name: name.into(),
        dataset: "fixture-staff".into(),
        sha256: sha.into(),
    };
    let recipe = Recipe {
        v: crate::recipe::RECIPE_VERSION,
        inputs: vec![input("now", &newest.sha256), input("before", &older.sha256)],
        steps: vec![Step::Union {
            input: "before".into(),
        }],
        chart: Default::default(),
    };
    let Response::RecipeRan { error, result, .. } =
        reply(&mut engine, Request::RunRecipe { recipe }, None)
    else {
        panic!("not a run");
    };
    assert_eq!(error, None);
    assert_eq!(
        result.unwrap().rows as usize,
        staff.num_rows() + older_batch.num_rows()
    );
}

/// An entities table of an agency, its ministry, area, municipality and
/// county, as the publisher writes it.
fn entities_file() -> Vec<u8> {
    use arrow::array::{ArrayRef, StringArray};
    let column = |values: [Option<&str>; 5]| -> ArrayRef {
        std::sync::Arc::new(StringArray::from(values.to_vec()))
    };
    let batch = RecordBatch::try_from_iter([
        (
            "kind",
            column([
                Some("agency"),
                Some("ministry"),
                Some("area"),
                Some("municipality"),
                Some("county"),
            ]),
        ),
        (
            "key",
            column([
                Some("2021000225"),
                Some("Justitiedepartementet"),
                Some("3"),
                Some("0581"),
                Some("05"),
            ]),
        ),
        (
            "name",
            column([
                Some("Kriminalvården"),
                Some("Justitiedepartementet"),
                Some("Samhällsskydd"),
                Some("Norrköpings kommun"),
                Some("Östergötlands län"),
            ]),
        ),
        (
            "name_en",
            column([
                Some("Swedish Prison and Probation Service"),
                Some("Ministry of Justice"),
                Some("Public order and safety"),
                None,
                None,
            ]),
        ),
        (
            "short_name",
            column([Some("KVV"), None, None, Some("Norrköping"), None]),
        ),
        (
            "former_names",
            column([Some("Kriminalvårdsstyrelsen"), None, None, None, None]),
        ),
        (
            "ministry",
            column([Some("Justitiedepartementet"), None, None, None, None]),
        ),
        ("area", column([Some("3"), None, None, None, None])),
        (
            "municipality",
            column([Some("0581"), None, None, None, None]),
        ),
        ("county", column([Some("05"), None, None, Some("05"), None])),
        (
            "datasets",
            column([Some("agencies.org_nr"), None, None, None, None]),
        ),
        ("rows", column([Some("1"), None, None, None, None])),
    ])
    .unwrap();
    crate::data::ipc::write_file(&batch).unwrap()
}

#[test]
fn entities_are_found_with_what_they_link_to_and_hostile_queries_are_harmless() {
    let mut engine = Engine::new();
    // Not opened yet: a sentence, not a panic.
    let Outcome::Reply(Response::Error { message }) = engine.handle(
        Request::FindEntities {
            query: "x".into(),
            limit: 5,
        },
        None,
    ) else {
        panic!("expected an error");
    };
    assert!(message.contains("not loaded"), "{message}");
    let bytes = entities_file();
    let sha = sha256_hex(&bytes);
    assert!(matches!(
        engine.open_dataset("entities", &sha, "u", bytes, true),
        Response::DatasetOpened { .. }
    ));
    let Outcome::Reply(Response::Entities { hits, searched }) = engine.handle(
        Request::Entity {
            kind: crate::data::entities::EntityKind::Agency,
            key: "202100-0225".into(),
        },
        None,
    ) else {
        panic!("expected entities");
    };
    assert_eq!(searched, 5);
    let names: Vec<&str> = hits.iter().map(|h| h.entity.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Kriminalvården",
            "Justitiedepartementet",
            "Samhällsskydd",
            "Norrköpings kommun",
            "Östergötlands län"
        ]
    );
    for query in [
        "kriminalvarden",
        "KVV",
        "Kriminalvårdsstyrelsen",
        "2021000225",
    ] {
        let Outcome::Reply(Response::Entities { hits, .. }) = engine.handle(
            Request::FindEntities {
                query: query.into(),
                limit: 5,
            },
            None,
        ) else {
            panic!("expected entities");
        };
        assert_eq!(hits[0].entity.key, "2021000225", "{query}");
    }
    let huge = "x".repeat(5_000_000);
    let Outcome::Reply(Response::Entities { hits, .. }) = engine.handle(
        Request::FindEntities {
            query: huge,
            limit: u32::MAX,
        },
        None,
    ) else {
        panic!("expected entities");
    };
    assert!(hits.is_empty());
    // A panel without a catalog, and with a hostile name.
    let Outcome::Reply(Response::PanelRan { name, table, error }) = engine.handle(
        Request::RunPanel {
            recipe: crate::recipe::url::tests::staff_by_ministry(),
            name: "../x\u{0}".repeat(100),
            rows: u32::MAX,
        },
        None,
    ) else {
        panic!("expected a panel");
    };
    assert!(table.is_none() && error.is_some());
    assert!(
        name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "{name}"
    );
}

#[test]
fn an_analysis_whose_jobs_went_to_helpers_gives_what_it_gives_here() {
    use crate::engine::helpers::tests::helpers_answer;
    use crate::ml::insight::Insight;
    use crate::ml::jobs::Job;
    let (mut here, mut recipe) = engine_with_fixture_tables();
    only_staff(&here, &mut recipe);
    recipe.steps = vec![cluster_staff(6, 4)];
    let (mut farmed, _) = engine_with_fixture_tables();
    farmed.jobs().borrow_mut().set_helpers(2);
    farmed.jobs().borrow_mut().hand_from(0);
    let run = Request::RunRecipe {
        recipe: recipe.clone(),
    };
    let elbow = Request::Insight {
        recipe: recipe.clone(),
        step: 0,
        insight: Insight::ChooseK { from: 1, to: 3 },
        member: None,
        lang: Lang::En,
    };
    let export = Request::Export {
        dataset: RESULT.into(),
        format: crate::data::export::Format::Csv,
    };
    for (request, jobs) in [(run, 6), (elbow, 3)] {
        let expected = reply(&mut here, request.clone(), None);
        // The first time, the jobs are handed on and nothing is kept.
        let first = reply(&mut farmed, request.clone(), None);
        let handed = farmed.jobs().borrow_mut().take_handed().expect("handed on");
        assert_eq!(handed.jobs.len(), jobs);
        assert!(
            handed.jobs.iter().all(|j| matches!(
                (j, &request),
                (Job::Restart { .. }, Request::RunRecipe { .. })
                    | (Job::Elbow { .. }, Request::Insight { .. })
            )),
            "{:?}",
            handed.jobs
        );
        assert_ne!(first, expected);
        // Answered by the helpers, the same request gives what it gives here.
        let done = helpers_answer(&handed, 2);
        farmed.jobs().borrow_mut().answered(handed, done);
        let mut again = reply(&mut farmed, request.clone(), None);
        assert_eq!(farmed.jobs().borrow_mut().take_handed(), None);
        farmed.jobs().borrow_mut().finished();
        if let (Response::Insight { insight_ms: a, .. }, Response::Insight { insight_ms: b, .. }) =
            (&mut again, &expected)
        {
            *a = *b;
        }
        assert_eq!(again, expected);
    }
    // The result kept is the same table.
    assert_eq!(
        reply(&mut farmed, export.clone(), None),
        reply(&mut here, export, None)
    );
}

#[test]
fn an_analysis_handed_on_runs_the_steps_before_its_learning_step_once() {
    use crate::engine::helpers::tests::helpers_answer;
    use std::collections::BTreeSet;
    let (mut here, mut recipe) = engine_with_fixture_tables();
    only_staff(&here, &mut recipe);
    let sorted = |descending| Step::Sort {
        column: "fte".into(),
        descending,
    };
    recipe.steps = vec![sorted(true), cluster_staff(6, 4)];
    let mut other = recipe.clone();
    other.steps[0] = sorted(false);
    let (mut farmed, _) = engine_with_fixture_tables();
    farmed.jobs().borrow_mut().set_helpers(2);
    farmed.jobs().borrow_mut().hand_from(0);
    // The answer and the steps that reported progress.
    let run = |engine: &mut Engine, recipe: &Recipe| {
        let mut steps = BTreeSet::new();
        let request = Request::RunRecipe {
            recipe: recipe.clone(),
        };
        let outcome = engine.handle_reporting(request, None, &mut |r| {
            if let Response::RunProgress { step, .. } = r {
                steps.insert(step);
            }
        });
        match outcome {
            Outcome::Reply(response) => (response, steps),
            other => panic!("expected a reply, got {other:?}"),
        }
    };
    // The result kept, as the visitor would download it.
    let kept = |engine: &mut Engine| {
        let export = Request::Export {
            dataset: RESULT.into(),
            format: crate::data::export::Format::Csv,
        };
        reply(engine, export, None)
    };
    let (expected, _) = run(&mut here, &recipe);
    let expected_kept = kept(&mut here);
    let (_, first) = run(&mut farmed, &recipe);
    assert_eq!(first, BTreeSet::from([0, 1]));
    let handed = farmed.jobs().borrow_mut().take_handed().expect("handed on");
    let done = helpers_answer(&handed, 2);
    farmed.jobs().borrow_mut().answered(handed, done);
    // Handled again, the sort does not run a second time, and the answer
    // (with the sort's row count) is the one of running it all here.
    let (again, second) = run(&mut farmed, &recipe);
    assert_eq!(second, BTreeSet::from([1]));
    assert_eq!(again, expected);
    assert_eq!(kept(&mut farmed), expected_kept);
    farmed.jobs().borrow_mut().finished();
    // After a hand-off, another analysis starts from its first step.
    let (expected_other, _) = run(&mut here, &other);
    let other_kept = kept(&mut here);
    assert_ne!(other_kept, expected_kept);
    let _ = run(&mut farmed, &recipe);
    assert!(farmed.jobs().borrow_mut().take_handed().is_some());
    farmed.jobs().borrow_mut().finished();
    farmed.jobs().borrow_mut().run_here();
    let (answer, steps) = run(&mut farmed, &other);
    assert_eq!(steps, BTreeSet::from([0, 1]));
    assert_eq!(answer, expected_other);
    assert_eq!(kept(&mut farmed), other_kept);
}
