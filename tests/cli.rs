//! The native command-line tool, run as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

use datalabb::data::Catalog;

fn datalabb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_datalabb"))
        .args(args)
        .output()
        .expect("the datalabb binary runs")
}

#[test]
fn fixtures_writes_a_catalog_that_check_catalog_accepts() {
    let dir = tempdir("fixtures");
    let out = dir.join("nested/data");
    let output = datalabb(&["fixtures", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let path = out.join("catalog.json");
    let catalog = Catalog::from_json(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(catalog.datasets.len(), 3);
    assert!(!out.join("catalog.json.partial").exists());

    let output = datalabb(&["check-catalog", path.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("a valid catalog v1 with 3 datasets and 4 versions"),
        "{stdout}"
    );
}

#[test]
fn check_catalog_names_the_file_and_the_problem() {
    let dir = tempdir("check");
    let path = dir.join("catalog.json");
    std::fs::write(&path, "{\"format\":\"datalabb-catalog\",\"version\":7}").unwrap();
    let output = datalabb(&["check-catalog", path.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("catalog.json: catalog format version 7 is not supported"),
        "{stderr}"
    );

    let output = datalabb(&["check-catalog", dir.join("absent.json").to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn run_executes_a_linked_analysis_on_a_data_folder() {
    let dir = tempdir("run");
    let data = dir.join("data");
    let output = datalabb(&[
        "generate",
        "--out",
        data.to_str().unwrap(),
        "--id",
        "g",
        "--rows",
        "5000",
    ]);
    assert!(output.status.success(), "{output:?}");
    let catalog = Catalog::from_json(&std::fs::read(data.join("catalog.json")).unwrap()).unwrap();
    let sha256 = catalog.datasets[0].versions[0].sha256.clone();
    let recipe = datalabb::recipe::Recipe {
        v: 1,
        inputs: vec![datalabb::recipe::Input { name: "g".into(), dataset: "g".into(), sha256 }],
        steps: serde_json::from_str(
            r#"[{"op":"filter","predicate":{"op":"compare","column":"year","cmp":"ge","value":2020}},
                {"op":"group_by","by":["place"],"measures":[{"aggregate":"count","name":"n"}]},
                {"op":"sort","column":"n","descending":true},
                {"op":"limit","rows":3}]"#,
        )
        .unwrap(),
        chart: Default::default(),
    };
    let link = format!(
        "https://lab.example/#{}",
        datalabb::recipe::url::encode(&recipe).unwrap()
    );
    let csv = dir.join("out.csv");
    let output = datalabb(&[
        "run",
        &link,
        "--data",
        data.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("wrote 3 rows × 2 columns"), "{stdout}");
    assert!(stdout.contains("step 1 (filter): 1,152 rows"), "{stdout}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().next(), Some("place,n"));
    assert_eq!(text.lines().count(), 4);
    // The same link twice: the same bytes.
    let again = dir.join("again.csv");
    datalabb(&[
        "run",
        &link,
        "--data",
        data.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&csv).unwrap(), std::fs::read(&again).unwrap());

    // A broken link, and a step naming a column that is not there.
    for (link, message) in [
        ("r1.garbage!".to_string(), "the link is damaged"),
        ("#r7.abc".to_string(), "encoding \"r7\""),
    ] {
        let output = datalabb(&[
            "run",
            &link,
            "--data",
            data.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
        ]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
    let mut bad = recipe.clone();
    bad.steps.truncate(1);
    bad.steps[0] = datalabb::recipe::Step::Sort {
        column: "yaer".into(),
        descending: false,
    };
    let link = datalabb::recipe::url::encode(&bad).unwrap();
    let output = datalabb(&[
        "run",
        &link,
        "--data",
        data.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "step 1 (sort): column \"yaer\" not found in the table; did you mean \"year\"?"
        ),
        "{stderr}"
    );
}

#[test]
fn run_draws_the_recipes_chart_as_svg() {
    let dir = tempdir("chart");
    let data = dir.join("data");
    let output = datalabb(&[
        "generate",
        "--out",
        data.to_str().unwrap(),
        "--id",
        "g",
        "--rows",
        "20000",
    ]);
    assert!(output.status.success(), "{output:?}");
    let catalog = Catalog::from_json(&std::fs::read(data.join("catalog.json")).unwrap()).unwrap();
    let sha256 = catalog.datasets[0].versions[0].sha256.clone();
    let recipe = |chart: &str| datalabb::recipe::Recipe {
        v: 1,
        inputs: vec![datalabb::recipe::Input {
            name: "g".into(),
            dataset: "g".into(),
            sha256: sha256.clone(),
        }],
        steps: Vec::new(),
        chart: serde_json::from_str(chart).unwrap(),
    };
    let run = |chart: &str, extra: &[&str]| {
        let link = datalabb::recipe::url::encode(&recipe(chart)).unwrap();
        let svg = dir.join("chart.svg");
        let _ = std::fs::remove_file(&svg);
        let out = dir.join("out.csv");
        let mut args = vec![
            "run",
            &link,
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--chart",
            svg.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let output = datalabb(&args);
        (output, std::fs::read_to_string(&svg).ok())
    };
    // 20 000 points: rasterised, embedded as PNG.
    let (output, svg) = run(
        r#"{"kind":"scatter","x":"value","y":"share","color":"place","title":"Points"}"#,
        &["--lang", "sv"],
    );
    assert!(output.status.success(), "{output:?}");
    let svg = svg.unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("Points"),
        "{}",
        &svg[..200]
    );
    assert!(
        svg.contains("data:image/png;base64,iVBOR"),
        "the points as an image"
    );
    assert!(svg.contains("Licens"), "the frame in Swedish");
    // Bars as shapes.
    let (output, svg) = run(r#"{"kind":"bar","x":"place","y":"value"}"#, &[]);
    assert!(output.status.success(), "{output:?}");
    let svg = svg.unwrap();
    assert!(svg.matches("<rect").count() > 5 && !svg.contains("data:image"));
    // A chart that cannot be drawn, a bad size: messages, no file.
    for (chart, extra, message) in [
        (
            r#"{"kind":"scatter","x":"place","y":"value"}"#,
            &[][..],
            "not numbers",
        ),
        (
            r#"{"kind":"bar","x":"place"}"#,
            &["--chart-size", "10x99999"][..],
            "--chart-size",
        ),
        (
            r#"{"kind":"bar","x":"place"}"#,
            &["--lang", "fr"][..],
            "--lang fr",
        ),
    ] {
        let (output, svg) = run(chart, extra);
        assert!(!output.status.success());
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(message),
            "{output:?}"
        );
        assert!(svg.is_none());
    }
}
