//! The regenerate pipeline: load -> overlays -> normalize -> split -> progenitor -> post-process ->
//! files, with a report of what each step did.

use crate::domains::Domains;
use crate::generate::{Skipped, Target};
use crate::normalize::{self, for_each_operation};
use crate::op_types::OperationTypes;
use crate::output::{self, Files};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub struct Options {
    pub check: bool,
    pub spec: Option<PathBuf>,
    pub out: Option<PathBuf>,
}

/// One generated operation, as the manifest lists it.
#[derive(Debug, Serialize)]
pub struct Operation {
    pub domain: String,
    pub method: String,
    pub path: String,
    /// Kibana's operationId (or the name we gave an operation that had none).
    pub operation_id: String,
    /// The client method: `client.<rust_method>()`.
    pub rust_method: String,
    #[serde(flatten)]
    pub types: OperationTypes,
}

/// What a run produced, before it is written.
pub struct Generated {
    pub files: Files,
    pub operations: Vec<Operation>,
    pub skipped: Vec<Skipped>,
    pub changes: Vec<normalize::Change>,
    pub overlays: Vec<crate::overlay::Applied>,
    pub domains: Vec<String>,
}

/// Everything from the spec to the files, without touching the disk (but for reading inputs).
pub fn build(
    root: &Path,
    spec_path: &Path,
    apply_overlays: bool,
    standalone: bool,
) -> Result<Generated> {
    let command = "cargo xtask regenerate";
    let mut spec = crate::spec::load(spec_path)?;
    let overlays = if apply_overlays {
        crate::overlay::apply_dir(&mut spec, &root.join("spec/overlays"))?
    } else {
        Vec::new()
    };
    let t = Instant::now();
    let changes = normalize::run_all(&mut spec);
    timing("normalize", t);
    let domains = Domains::load(&root.join("spec/domains.yaml"))?;
    let t = Instant::now();
    let parts = crate::domains::split(&spec, &domains);
    timing("split", t);
    let paginators = crate::pagination::load(&root.join("spec/pagination.yaml"))?;
    // Like the overlays, the secrets list names our vendored spec's types.
    let secrets = if apply_overlays {
        load_secrets(&root.join("spec/secrets.yaml"))?
    } else {
        BTreeMap::new()
    };

    let mut files = Files::new();
    let mut operations = Vec::new();
    let mut skipped = Vec::new();
    let mut generated_domains = Vec::new();
    let mut mock_domains: Vec<String> = Vec::new();
    let mut mock_skipped: Vec<Value> = Vec::new();
    let mut openapi = serde_json::Map::new();
    let prefix = if standalone { "src/" } else { "" };
    for (domain, part) in &parts {
        let target = if standalone {
            Target::Standalone
        } else {
            Target::Crate
        };
        let t = Instant::now();
        let (tokens, mut skips) = crate::generate::domain(part, target);
        timing(&format!("progenitor {domain}"), t);
        let Some(tokens) = tokens else {
            skipped.append(&mut skips);
            continue;
        };
        let mut part = part.clone();
        crate::domains::keep_operations(&mut part, |p, m| {
            !skips
                .iter()
                .any(|s| s.path == p && s.method.eq_ignore_ascii_case(m))
        });
        let ops = manifest_operations(domain, &mut part);
        let mut extra = crate::op_types::roundtrip_module(&part);
        if target == Target::Crate {
            // Paginators implement the crate's `Paginator` trait; a standalone crate has none.
            extra.extend(crate::pagination::generate(&part, &paginators)?);
        }
        let t = Instant::now();
        let code = crate::postprocess::run(
            tokens,
            &extra,
            target,
            secrets.get(domain.as_str()).unwrap_or(&Default::default()),
        )
        .with_context(|| format!("post-processing domain {domain}"))?;
        timing(&format!("post-process {domain}"), t);
        let text = format!(
            "{}//! {}\n\n{}",
            output::banner(command),
            domains.doc(domain),
            code
        );
        files.insert(format!("{prefix}{domain}.rs"), text);
        if !standalone {
            // Typed httpmock mocks from the same spec, so they cannot drift from the client.
            match crate::generate::mocks(&part, &format!("crate::{domain}")) {
                Ok(tokens) => {
                    let code = crate::postprocess::mocks(tokens)
                        .with_context(|| format!("post-processing mocks of {domain}"))?;
                    let doc = format!(
                        "Typed httpmock mocks of the `{domain}` operations: `server.<operation>(|when, then| ...)`."
                    );
                    files.insert(
                        format!("mocks/{domain}.rs"),
                        format!("{}//! {doc}\n\n{code}", output::banner(command)),
                    );
                    mock_domains.push(domain.clone());
                }
                Err(reason) => mock_skipped.push(json!({"domain": domain, "reason": reason})),
            }
        }
        openapi.insert(domain.clone(), part);
        operations.extend(ops);
        skipped.append(&mut skips);
        generated_domains.push(domain.clone());
    }
    if !mock_domains.is_empty() {
        let mut index = String::from(
            "//! Typed mocks for tests, one module per domain (feature `httpmock`).\n\n",
        );
        for d in &mock_domains {
            index.push_str(&format!("#[cfg(feature = {d:?})]\npub mod {d};\n"));
        }
        let file = syn::parse_file(&index).context("the mocks index does not parse")?;
        files.insert(
            "mocks/mod.rs".to_string(),
            output::banner(command) + &prettyplease::unparse(&file),
        );
    }
    if generated_domains.is_empty() {
        bail!("no operation could be generated; skipped: {skipped:#?}");
    }
    files.insert(
        format!("{prefix}{}", if standalone { "lib.rs" } else { "mod.rs" }),
        module_index(
            &domains,
            &generated_domains,
            &operations,
            command,
            standalone,
            !mock_domains.is_empty(),
        )?,
    );
    let manifest = json!({
        "generator": command,
        "spec": spec.pointer("/info/title"),
        "spec_version": spec.pointer("/info/version"),
        "operations": operations,
        "skipped": skipped,
        "mocks_skipped": mock_skipped,
        "overlays": overlays.iter().map(|a| json!({"file": a.file, "target": a.target, "reason": a.reason, "nodes": a.nodes})).collect::<Vec<_>>(),
        "normalize": changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    files.insert("operations.json".to_string(), pretty(&manifest)?);
    files.insert("openapi.json".to_string(), pretty(&Value::Object(openapi))?);
    if standalone {
        files.insert(
            "Cargo.toml".to_string(),
            standalone_manifest(&generated_domains, &spec),
        );
        // The hand-written types and the decoding helpers (`de.rs`) the generated code uses.
        let copied = crate::generate::REPLACED.iter().map(|(_, _, file)| *file);
        for file in copied.chain(["de.rs"]) {
            let text = std::fs::read_to_string(root.join("src").join(file))
                .with_context(|| format!("reading src/{file}"))?;
            files.insert(format!("src/{file}"), text);
        }
        // And the compact Deserialize derive, as a crate of its own.
        let derive = std::fs::read_to_string(root.join("derive/src/lib.rs"))
            .context("reading derive/src/lib.rs")?;
        files.insert(format!("{DERIVE_DIR}/src/lib.rs"), derive);
        files.insert(format!("{DERIVE_DIR}/Cargo.toml"), derive_manifest(root)?);
    }
    Ok(Generated {
        files,
        operations,
        skipped,
        changes,
        overlays,
        domains: generated_domains,
    })
}

/// With `XTASK_TIMINGS` set, prints how long a step took (to find where generation time goes).
fn timing(step: &str, started: Instant) {
    if std::env::var_os("XTASK_TIMINGS").is_some() {
        eprintln!("  {step}: {:.2}s", started.elapsed().as_secs_f64());
    }
}

/// `spec/secrets.yaml`: domain -> type -> secret fields (none when the file does not exist).
fn load_secrets(path: &Path) -> Result<BTreeMap<String, crate::postprocess::Secrets>> {
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn pretty(value: &Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

fn manifest_operations(domain: &str, part: &mut Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for_each_operation(part, |path, method, op| {
        let rust_method = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let operation_id = op
            .get(crate::normalize::ORIGINAL_ID)
            .and_then(Value::as_str)
            .unwrap_or(&rust_method)
            .to_string();
        ops.push(Operation {
            domain: domain.to_string(),
            method: method.to_uppercase(),
            path: path.to_string(),
            operation_id,
            rust_method,
            types: OperationTypes::of(op),
        });
    });
    ops
}

fn module_index(
    domains: &Domains,
    generated: &[String],
    operations: &[Operation],
    command: &str,
    standalone: bool,
    has_mocks: bool,
) -> Result<String> {
    let mut out = String::from(
        "//! Generated clients, one module per Kibana API domain, each behind the cargo feature of the same name.\n\n",
    );
    if has_mocks {
        out.push_str("/// Typed httpmock mocks generated from the same spec as the clients.\n#[cfg(feature = \"httpmock\")]\n#[rustfmt::skip]\n#[allow(clippy::all, dead_code, unused_imports, missing_docs)]\npub mod mocks;\n");
    }
    if standalone {
        out.push_str("pub mod error_body;\n");
        out.push_str("// Decoding helpers the generated serde impls call.\nmod de;\n");
    }
    for d in generated {
        // Generated code is formatted by prettyplease and linted upstream; unused helpers are normal.
        out.push_str(&format!(
            "#[doc = {:?}]\n#[cfg(feature = {d:?})]\n#[rustfmt::skip]\n#[allow(clippy::all, dead_code, unused_imports)]\npub mod {d};\n",
            domains.doc(d)
        ));
        if !standalone {
            out.push_str(&format!(
                "#[cfg(feature = {d:?})]\ncrate::hooks::impl_client_hooks!({d}::Client);\n"
            ));
        }
    }
    out.push_str(&domain_clients(generated, standalone));
    if !standalone {
        let rows: String = operations
            .iter()
            .filter_map(|o| {
                let types = o.types.body_content_types.as_ref()?;
                Some(format!(
                    "({:?}, &[{}]),\n",
                    o.rust_method,
                    types
                        .iter()
                        .map(|t| format!("{t:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
            .collect();
        out.push_str(&format!(
            "/// Operations whose body is raw bytes, and the media types Kibana accepts for it.\n\
             #[allow(dead_code)]\npub(crate) const RAW_BODY_CONTENT_TYPES: &[(&str, &[&str])] = &[\n{rows}];\n"
        ));
    }
    let arms: String = generated
        .iter()
        .map(|d| {
            format!(
                "#[cfg(feature = {d:?})] {d:?} => {d}::roundtrip::roundtrip(type_name, json),\n"
            )
        })
        .collect();
    out.push_str(&format!(
        "/// Test support: decodes `json` as the type named `type_name` of `domain` and encodes it back.\n\
         #[cfg(feature = \"test-support\")]\n#[doc(hidden)]\n\
         pub fn roundtrip(domain: &str, type_name: &str, json: &[u8]) -> Option<Result<serde_json::Value, String>> {{\n\
         match domain {{\n{arms} _ => None,\n}}\n}}\n"
    ));
    let file = syn::parse_file(&out).context("the module index does not parse")?;
    Ok(output::banner(command) + &prettyplease::unparse(&file))
}

/// `DomainClients`: one client per domain over one shared `reqwest::Client` (one connection pool).
fn domain_clients(generated: &[String], standalone: bool) -> String {
    let cfg = |d: &String| format!("    #[cfg(feature = {d:?})]\n");
    let fields: String = generated
        .iter()
        .map(|d| format!("{}    {d}: {d}::Client,\n", cfg(d)))
        .collect();
    let inner_arg = if standalone {
        ""
    } else {
        ", context: crate::RequestContext"
    };
    let inner_val = if standalone { "" } else { ", context.clone()" };
    let inits: String = generated
        .iter()
        .map(|d| format!("        {}            {d}: {d}::Client::new_with_client(baseurl, http.clone(){inner_val}),\n", cfg(d).trim_start()))
        .collect();
    let accessors: String = generated
        .iter()
        .map(|d| format!("{}    /// The `{d}` API client.\n    pub fn {d}(&self) -> &{d}::Client {{\n        &self.{d}\n    }}\n", cfg(d)))
        .collect();
    format!(
        "\n/// One client per API domain, all sharing one `reqwest::Client` and so one connection pool.\n\
         #[derive(Clone, Debug)]\npub struct DomainClients {{\n{fields}}}\n\n\
         impl DomainClients {{\n    /// Clients for every enabled domain, rooted at `baseurl`.\n    #[allow(unused_variables)]\n    \
         pub fn new(baseurl: &str, http: reqwest::Client{inner_arg}) -> Self {{\n        Self {{\n{inits}        }}\n    }}\n\n{accessors}}}\n"
    )
}

/// Where a standalone crate keeps its copy of the `kibana-serverless-derive` crate.
const DERIVE_DIR: &str = "kibana-serverless-derive";

/// The copy's manifest: `derive/Cargo.toml`'s dependencies, each resolved to its line in the
/// workspace's `[workspace.dependencies]` (a standalone crate has no workspace to inherit from).
fn derive_manifest(root: &Path) -> Result<String> {
    let workspace =
        std::fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
    let derive = std::fs::read_to_string(root.join("derive/Cargo.toml"))
        .context("reading derive/Cargo.toml")?;
    let mut dependencies = String::new();
    for name in derive
        .lines()
        .filter_map(|l| l.trim().strip_suffix(".workspace = true"))
        .filter(|name| !matches!(*name, "edition" | "rust-version" | "license" | "repository"))
    {
        let line = workspace
            .lines()
            .find(|l| l.starts_with(&format!("{name} = ")))
            .with_context(|| format!("derive/Cargo.toml: {name} is not a workspace dependency"))?;
        dependencies.push_str(line);
        dependencies.push('\n');
    }
    Ok(format!(
        "[package]\nname = \"kibana-serverless-derive\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [lib]\nproc-macro = true\n\n[dependencies]\n{dependencies}"
    ))
}

fn standalone_manifest(domains: &[String], spec: &Value) -> String {
    let title = spec
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("Kibana");
    let features: String = domains.iter().map(|d| format!("{d} = []\n")).collect();
    let default = domains
        .iter()
        .map(|d| format!("{d:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "# @generated by `cargo xtask regenerate --out`: a standalone client for {title}.\n\
         [package]\nname = \"kibana-generated-client\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [features]\ndefault = [{default}]\n{features}test-support = [\"dep:serde_path_to_error\"]\n\n\
         [dependencies]\n\
         progenitor-client = \"=0.15.1\"\n\
         reqwest = {{ version = \"0.13.5\", default-features = false, features = [\"json\", \"query\", \"stream\"] }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\
         serde_json = \"1\"\n\
         serde_path_to_error = {{ version = \"0.1\", optional = true }}\n\
         kibana-serverless-derive = {{ path = \"{DERIVE_DIR}\" }}\n\n\
         # Not a member of any enclosing workspace.\n[workspace]\n"
    )
}

/// Domains missing from the root crate's `[features]`; the client must expose one feature each.
fn missing_features(root: &Path, domains: &[String]) -> Result<Vec<String>> {
    let manifest =
        std::fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
    let default_line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("default ="))
        .unwrap_or_default();
    Ok(domains
        .iter()
        .filter(|d| {
            let declared = manifest
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{d} = ")));
            !(declared && default_line.contains(&format!("\"{d}\"")))
        })
        .cloned()
        .collect())
}

pub fn regenerate(root: &Path, opts: Options) -> Result<ExitCode> {
    let started = Instant::now();
    let vendored = root.join("spec/kibana.serverless.yaml");
    let spec_path = opts.spec.clone().unwrap_or(vendored.clone());
    // Our overlays fix our vendored spec; another spec gets the passes only.
    let apply_overlays = opts.spec.is_none();
    let standalone = opts.out.is_some();
    let out_dir = opts.out.clone().unwrap_or_else(|| root.join("generated"));
    let generated = build(root, &spec_path, apply_overlays, standalone)?;
    let elapsed = started.elapsed();

    report(&generated, elapsed);
    if !standalone {
        let missing = missing_features(root, &generated.domains)?;
        if !missing.is_empty() {
            bail!(
                "Cargo.toml must declare a feature for each domain and enable it by default; missing: {}",
                missing.join(", ")
            );
        }
    }
    if opts.check {
        let label = out_dir
            .strip_prefix(root)
            .unwrap_or(&out_dir)
            .display()
            .to_string();
        let diff = output::diff(&out_dir, &generated.files, &label)?;
        if diff.is_empty() {
            println!("{label}/ is up to date");
            return Ok(ExitCode::SUCCESS);
        }
        print!("{diff}");
        eprintln!("{label}/ is stale: run `cargo xtask regenerate`");
        return Ok(ExitCode::from(1));
    }
    let written = output::write(&out_dir, &generated.files)?;
    println!("wrote {written} changed file(s) to {}", out_dir.display());
    Ok(ExitCode::SUCCESS)
}

fn report(g: &Generated, elapsed: std::time::Duration) {
    let mut per_domain: BTreeMap<&str, usize> = BTreeMap::new();
    for op in &g.operations {
        *per_domain.entry(op.domain.as_str()).or_default() += 1;
    }
    println!("operations generated per domain:");
    for (domain, n) in &per_domain {
        println!("  {domain:<24} {n}");
    }
    let lines: usize = g
        .files
        .iter()
        .filter(|(k, _)| k.ends_with(".rs"))
        .map(|(_, v)| v.lines().count())
        .sum();
    println!(
        "  {:<24} {} operations, {} skipped, {} lines of Rust ({} per operation), {:.2}s",
        "total",
        g.operations.len(),
        g.skipped.len(),
        lines,
        lines / g.operations.len().max(1),
        elapsed.as_secs_f64()
    );
    for s in &g.skipped {
        println!(
            "skipped {} {} ({}): {}",
            s.method, s.path, s.operation_id, s.reason
        );
    }
    let mut per_pass: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &g.changes {
        *per_pass.entry(c.pass).or_default() += 1;
    }
    let passes: Vec<String> = per_pass.iter().map(|(p, n)| format!("{p} {n}")).collect();
    println!(
        "normalize changes: {}",
        if passes.is_empty() {
            "none".to_string()
        } else {
            passes.join(", ")
        }
    );
    for a in &g.overlays {
        println!(
            "overlay {}: {} ({} node(s)): {}",
            a.file, a.target, a.nodes, a.reason
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        crate::workspace_root()
    }

    fn write_spec(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-pipeline-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("spec.yaml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn vendored_output_is_fresh_and_check_sees_a_hand_edit() {
        let root = root();
        let g = build(
            &root,
            &root.join("spec/kibana.serverless.yaml"),
            true,
            false,
        )
        .unwrap();
        assert_eq!(g.operations.len(), 25);
        assert!(g.skipped.is_empty(), "{:#?}", g.skipped);
        let generated = root.join("generated");
        assert_eq!(
            output::diff(&generated, &g.files, "generated").unwrap(),
            "",
            "generated/ is stale: run `cargo xtask regenerate`"
        );

        let copy = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&copy);
        output::write(&copy, &g.files).unwrap();
        let fleet = copy.join("fleet.rs");
        let text = std::fs::read_to_string(&fleet).unwrap();
        std::fs::write(&fleet, text.replacen("pub struct", "pub(crate) struct", 1)).unwrap();
        let diff = output::diff(&copy, &g.files, "generated").unwrap();
        assert!(
            diff.contains("--- a/generated/fleet.rs") && diff.contains("pub(crate) struct"),
            "{diff}"
        );
        std::fs::remove_dir_all(&copy).unwrap();
    }

    #[test]
    fn hostile_spec_generates_what_it_can_and_names_the_rest() {
        let path = write_spec(
            "hostile",
            r##"
openapi: 3.0.3
info: {title: Hostile, version: '1'}
paths:
  /things:
    get:
      tags: [Fleet internals]
      parameters:
        - $ref: '#/components/parameters/Missing'
        - {name: kbn-xsrf, in: header, required: true, schema: {type: string}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Gone'}}}}
        '204': {description: nothing}
        '400': {description: bad, content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}
        '500': {description: text, content: {text/plain: {schema: {type: string}}}}
    post:
      operationId: getThings
      tags: [Fleet internals]
      requestBody:
        content:
          multipart/form-data: {schema: {type: object, properties: {file: {type: string, format: binary}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, additionalProperties: false, required: [ghost], properties: {a: {type: string}}}}}}
        '201': {description: other, content: {application/json: {schema: {type: string}}}}
  /things/{id}:
    get:
      operationId: get-things
      tags: [Unknown tag]
      parameters:
        - {name: other, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
"##,
        );
        let g = build(&root(), &path, false, false).unwrap();
        let methods: Vec<&str> = g
            .operations
            .iter()
            .map(|o| o.rust_method.as_str())
            .collect();
        assert_eq!(methods, ["get_things", "get_things_2"], "{:#?}", g.skipped);
        assert_eq!(g.skipped.len(), 1);
        let skipped = &g.skipped[0];
        assert_eq!(
            (skipped.method.as_str(), skipped.path.as_str()),
            ("GET", "/things/{id}")
        );
        assert!(skipped.reason.contains("progenitor"), "{}", skipped.reason);
        let post = &g.operations[1];
        assert_eq!(
            post.types.body_content_types.as_deref(),
            Some(&["multipart/form-data".to_string()][..])
        );
        let manifest: Value = serde_json::from_str(&g.files["operations.json"]).unwrap();
        assert_eq!(manifest["skipped"][0]["path"], "/things/{id}");
        let passes: Vec<&str> = g.changes.iter().map(|c| c.pass).collect();
        for pass in [
            "dangling_refs",
            "xsrf_headers",
            "operation_ids",
            "error_responses",
            "success_responses",
            "non_json_bodies",
            "schema_repairs",
        ] {
            assert!(
                passes.contains(&pass),
                "{pass} reported nothing: {:#?}",
                g.changes
            );
        }
    }

    #[test]
    fn a_thousand_operations() {
        let mut text = String::from("openapi: 3.0.3\ninfo: {title: Big, version: '1'}\npaths:\n");
        for i in 0..1000 {
            // Every other id collides with its neighbour once snake_cased.
            let id = if i % 2 == 0 {
                format!("getThing{}", i / 2)
            } else {
                format!("get-thing-{}", i / 2)
            };
            text.push_str(&format!(
                "  /things/{i}/{{id}}:\n    get:\n      operationId: {id}\n      tags: [Fleet internals]\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{n: {{type: number}}}}}}}}}}}}\n"
            ));
        }
        let path = write_spec("thousand", &text);
        let g = build(&root(), &path, false, false).unwrap();
        assert_eq!(g.operations.len(), 1000);
        assert!(g.skipped.is_empty());
        let unique: std::collections::BTreeSet<&str> = g
            .operations
            .iter()
            .map(|o| o.rust_method.as_str())
            .collect();
        assert_eq!(unique.len(), 1000);
    }

    #[test]
    fn broken_specs_are_errors_not_panics() {
        for (name, text) in [
            ("not-yaml", "{{{"),
            ("not-a-mapping", "- just\n- a list\n"),
            (
                "no-paths",
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
            ),
            (
                "wrong-types",
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: 7}}}\n",
            ),
        ] {
            let path = write_spec(name, text);
            assert!(build(&root(), &path, false, false).is_err(), "{name}");
        }
    }
}
