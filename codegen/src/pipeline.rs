//! The regenerate pipeline: load -> overlays -> normalize -> split -> progenitor -> post-process ->
//! files, with a report of what each step did.

use crate::domains::Domains;
use crate::generate::Skipped;
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

/// What `cargo xtask regenerate` was asked to do.
#[derive(Debug, Default)]
pub struct Options {
    /// Write nothing; fail with a diff when the output is stale.
    pub check: bool,
    /// The spec to generate from (default: the vendored `spec/kibana.serverless.yaml`).
    pub spec: Option<PathBuf>,
    /// Write a standalone crate into this directory instead of `generated/`.
    pub out: Option<PathBuf>,
    /// The standalone crate depends on this published version of the runtime instead of the
    /// workspace's `runtime/` by path.
    pub runtime_version: Option<String>,
    /// Apply our overlays (and our strict checks) to `spec` too: for a copy of the vendored spec.
    pub overlays: bool,
}

/// Which crate the code is generated for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `generated/` of the kibana-serverless crate: a module per domain behind its cargo
    /// feature, typed httpmock mocks.
    Crate,
    /// A standalone crate (`--out DIR`) depending on the runtime: `Some(version)` from the
    /// registry, `None` by path into this workspace.
    Standalone(Option<String>),
    /// One file for `include!` from the root crate's `build.rs` (`OUT_DIR`): every domain
    /// inline, no features, no mocks.
    OutDir,
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
    /// Its path, query and header parameters, with the builder setter of each.
    pub parameters: Vec<Parameter>,
    /// The `elastic-api-version` the spec writes it at, when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(flatten)]
    pub types: OperationTypes,
    /// How `pages()`/`items()` page through it, when they exist; `inferred` when no written
    /// description named it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Value>,
}

/// One parameter of an operation, as the manifest lists it.
#[derive(Debug, Serialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    pub required: bool,
    /// The builder method that sets it (and the argument name of `invoke`).
    pub setter: String,
}

/// What a run produced, before it is written.
pub struct Generated {
    pub files: Files,
    pub operations: Vec<Operation>,
    pub skipped: Vec<Skipped>,
    pub changes: Vec<normalize::Change>,
    pub overlays: Vec<crate::overlay::Applied>,
    pub domains: Vec<String>,
    /// Things the generator left out or worked out by itself, one line each.
    pub notes: Vec<String>,
    pub passes: Vec<crate::postprocess::PassCount>,
}

/// Everything from the spec to the files, without touching the disk (but for reading inputs
/// from `inputs`: overlays, domains, pagination and secrets). `own_spec` is true for our
/// vendored spec: the overlays apply, and a description that does not fit is an error.
///
/// It runs on a thread of its own with a large stack: schemas nest as deep as a spec makes
/// them, and typify and progenitor recurse through them. A panic there is an error.
pub fn build(inputs: &Path, spec_path: &Path, own_spec: bool, target: Target) -> Result<Generated> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("kibana-codegen".into())
            .stack_size(STACK)
            .spawn_scoped(scope, || build_here(inputs, spec_path, own_spec, target))?;
        worker.join().unwrap_or_else(|panic| {
            let text = crate::generate::panic_message(&*panic).unwrap_or_default();
            Err(anyhow::anyhow!(
                "internal error (a bug in the generator) on {}: {text}",
                spec_path.display()
            ))
        })
    })
}

/// The stack of the generator's threads (address space; only what is used is backed by
/// memory): schemas nest as deep as a spec makes them, and typify recurses through them.
pub(crate) const STACK: usize = 256 << 20;

fn build_here(
    inputs: &Path,
    spec_path: &Path,
    own_spec: bool,
    target: Target,
) -> Result<Generated> {
    let command = "cargo xtask regenerate";
    let root = inputs.parent().unwrap_or(inputs);
    let banner = output::banner(command, &output::source_name(root, spec_path));
    let mut spec = crate::spec::load(spec_path)?;
    let overlays = if own_spec {
        crate::overlay::apply_dir(&mut spec, &inputs.join("overlays"))?
    } else {
        Vec::new()
    };
    // What an independent mock server (Prism) serves to a standalone crate's contract test: the
    // spec as published, but for the changes the client relies on and what its generator can
    // fill (`for_mock_server`).
    let contract_spec = matches!(target, Target::Standalone(_)).then(|| {
        let mut c = spec.clone();
        normalize::for_mock_server(&mut c);
        c
    });
    let t = Instant::now();
    let changes = normalize::run_all(&mut spec);
    timing("normalize", t);
    let paginators = crate::pagination::load(&inputs.join("pagination.yaml"))?;
    let mut notes: Vec<String> = crate::pagination_items::run(&mut spec, &paginators)
        .into_iter()
        .map(|m| format!("pagination.yaml: {m}"))
        .collect();
    let domains = Domains::load(&inputs.join("domains.yaml"))?;
    let t = Instant::now();
    let parts = crate::domains::split(&spec, &domains);
    timing("split", t);
    let secrets = load_secrets(&inputs.join("secrets.yaml"))?;
    let mut named = std::collections::BTreeSet::new();
    for d in paginators
        .iter()
        .filter(|d| named.insert(d.operation.clone()))
    {
        if !parts
            .values()
            .any(|p| crate::pagination::has_operation(p, &d.operation))
        {
            notes.push(format!(
                "pagination.yaml: no operation {} in this spec; skipped",
                d.operation
            ));
        }
    }

    let mut files = Files::new();
    let mut operations = Vec::new();
    let mut skipped = Vec::new();
    let mut generated_domains = Vec::new();
    let mut domain_code: Vec<(String, String)> = Vec::new();
    let mut mock_domains: Vec<String> = Vec::new();
    let mut mock_skipped: Vec<Value> = Vec::new();
    let mut openapi = serde_json::Map::new();
    let mut passes: Vec<crate::postprocess::PassCount> = Vec::new();
    let empty_secrets = crate::postprocess::Secrets::default();
    for (domain, part) in &parts {
        let t = Instant::now();
        let (tokens, mut skips) = crate::generate::domain(part);
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
        let mut ops = manifest_operations(domain, &mut part);
        let mut extra = crate::op_types::roundtrip_module(&part);
        let (tokens_pages, misfits) = crate::pagination::generate(&part, &paginators, own_spec)?;
        extra.extend(tokens_pages);
        notes.extend(
            misfits
                .into_iter()
                .map(|m| format!("pagination.yaml: {m}; skipped")),
        );
        let inferred = crate::pagination::infer(&part, &paginators);
        for d in &inferred {
            notes.push(format!(
                "pagination inferred: {} ({})",
                d.operation,
                d.style()
            ));
        }
        let (tokens_inferred, _) = crate::pagination::generate(&part, &inferred, false)?;
        extra.extend(tokens_inferred);
        for op in &mut ops {
            let described = paginators
                .iter()
                .find(|d| d.operation == op.rust_method && d.name == "pages");
            let guessed = inferred.iter().find(|d| d.operation == op.rust_method);
            op.pagination = match (described, guessed) {
                (Some(d), _) => Some(d.manifest(false)),
                (None, Some(d)) => Some(d.manifest(true)),
                _ => None,
            };
        }
        let op_refs: Vec<&Operation> = ops.iter().collect();
        extra.extend(crate::operations_module::generate(&op_refs));
        let domain_secrets = secrets.get(domain.as_str()).unwrap_or(&empty_secrets);
        let unions = crate::unions::of(&part);
        let t = Instant::now();
        let (code, counts) = crate::postprocess::run(
            tokens,
            &extra,
            &crate::postprocess::Context {
                secrets: domain_secrets,
                secrets_strict: own_spec,
                unions: &unions,
                expect: crate::postprocess::Expect::of(&part),
            },
        )
        .with_context(|| format!("post-processing domain {domain}"))?;
        for c in &counts {
            if let Some(note) = &c.note {
                notes.push(format!("{domain}: {note}"));
            }
        }
        merge_counts(&mut passes, counts);
        timing(&format!("post-process {domain}"), t);
        domain_code.push((domain.clone(), code));
        if target == Target::Crate {
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
                        format!("{banner}//! {doc}\n\n{code}"),
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
    for name in secrets.keys().filter(|d| !generated_domains.contains(d)) {
        notes.push(format!(
            "secrets.yaml: no domain {name} in this spec; skipped"
        ));
    }
    if generated_domains.is_empty() {
        if skipped.is_empty() {
            bail!("the spec has no operations: `paths` is missing, empty or holds no methods");
        }
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("{} {}: {}", s.method, s.path, s.reason))
            .collect();
        bail!("no operation could be generated:\n{}", reasons.join("\n"));
    }
    let index = ModuleIndex {
        domains: &domains,
        spec: &spec,
        generated: &generated_domains,
        target: &target,
        has_mocks: !mock_domains.is_empty(),
        banner: &banner,
    };
    match &target {
        Target::Crate | Target::Standalone(_) => {
            let prefix = if target == Target::Crate { "" } else { "src/" };
            for (domain, code) in &domain_code {
                let text = format!(
                    "{}{}\n{}",
                    banner,
                    inner_doc(&domains.doc(&spec, domain)),
                    code
                );
                files.insert(format!("{prefix}{domain}.rs"), text);
            }
            let (name, text) = if target == Target::Crate {
                ("mod.rs", index.crate_mod()?)
            } else {
                ("src/lib.rs", index.standalone_lib()?)
            };
            files.insert(name.to_string(), text);
        }
        Target::OutDir => {
            files.insert(
                "generated.rs".to_string(),
                index.out_dir_file(&domain_code)?,
            );
        }
    }
    if !mock_domains.is_empty() {
        let mut index = String::from(
            "//! Typed mocks for tests, one module per domain (feature `httpmock`).\n\n",
        );
        for d in &mock_domains {
            index.push_str(&format!("#[cfg(feature = {d:?})]\npub mod {d};\n"));
        }
        files.insert(
            "mocks/mod.rs".to_string(),
            unparse(&index, "the mocks index", &banner)?,
        );
    }
    let manifest = json!({
        "generator": command,
        "spec": spec.pointer("/info/title"),
        "spec_version": spec.pointer("/info/version"),
        "inputs_hash": crate::spec_hash::of_inputs(inputs)?,
        "operations": operations,
        "skipped": skipped,
        "mocks_skipped": mock_skipped,
        "notes": notes,
        "overlays": overlays.iter().map(|a| json!({"file": a.file, "target": a.target, "reason": a.reason, "nodes": a.nodes})).collect::<Vec<_>>(),
        "normalize": changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "post_passes": passes.iter().map(|p| json!({"pass": p.pass, "rewrites": p.count})).collect::<Vec<_>>(),
    });
    files.insert("operations.json".to_string(), pretty(&manifest)?);
    if let Target::Standalone(_) = &target {
        for (name, text) in crate::standalone_tests::generate(&openapi, &operations) {
            files.insert(name, text);
        }
    }
    if let Some(c) = &contract_spec {
        files.insert("contract-spec.json".to_string(), pretty(c)?);
    }
    files.insert("openapi.json".to_string(), pretty(&Value::Object(openapi))?);
    if let Target::Standalone(version) = &target {
        files.insert(
            "Cargo.toml".to_string(),
            standalone_manifest(inputs, &generated_domains, &spec, version.as_deref())?,
        );
    }
    Ok(Generated {
        files,
        operations,
        skipped,
        changes,
        overlays,
        domains: generated_domains,
        notes,
        passes,
    })
}

fn merge_counts(
    total: &mut Vec<crate::postprocess::PassCount>,
    counts: Vec<crate::postprocess::PassCount>,
) {
    for c in counts {
        match total.iter_mut().find(|t| t.pass == c.pass) {
            Some(t) => t.count += c.count,
            None => total.push(crate::postprocess::PassCount { note: None, ..c }),
        }
    }
}

/// With `XTASK_TIMINGS` set, prints how long a step took (to find where generation time goes).
fn timing(step: &str, started: Instant) {
    if std::env::var_os("XTASK_TIMINGS").is_some() {
        eprintln!("  {step}: {:.2}s", started.elapsed().as_secs_f64());
    }
}

/// `secrets.yaml`: domain -> type -> secret fields (none when the file does not exist).
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
        let parameters = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let name = p.get("name")?.as_str()?;
                Some(Parameter {
                    name: name.to_string(),
                    location: p.get("in")?.as_str()?.to_string(),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    setter: crate::names::field_name(name),
                })
            })
            .collect();
        ops.push(Operation {
            domain: domain.to_string(),
            method: method.to_uppercase(),
            path: path.to_string(),
            operation_id,
            rust_method,
            parameters,
            api_version: op
                .get(crate::normalize::API_VERSION)
                .and_then(Value::as_str)
                .map(str::to_string),
            types: OperationTypes::of(op),
            pagination: None,
        });
    });
    ops
}

/// The module index: the domain modules, their hooks and the `Kibana` client over them.
struct ModuleIndex<'a> {
    domains: &'a Domains,
    spec: &'a Value,
    generated: &'a [String],
    target: &'a Target,
    has_mocks: bool,
    /// The first lines of every generated file.
    banner: &'a str,
}

/// What generated code reaches as `crate::...`: the runtime, re-exported where users see it.
/// The root crate's `src/lib.rs` has the same lines.
pub const RUNTIME_GLUE: &str = "\
pub use kibana_serverless_runtime::{
    BuildError, ByteStream, Connection, Credentials, DEFAULT_API_VERSION, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT, Error, FromConnection, Items, JsonObject, KibanaErrorBody, OperationId, Pages,
    RequestContext, ResponseValue, RetryPolicy, UnknownFields, dynamic, error_body,
    is_valid_space_id, ndjson, pagination, union, upload,
};
/// Builds a [`Kibana`].
pub type KibanaBuilder = kibana_serverless_runtime::KibanaBuilder<Kibana>;
// What generated code calls in the runtime, under the paths it uses.
use kibana_serverless_runtime as __runtime;
use kibana_serverless_runtime::__private::error;
// Which of these a crate uses depends on its operations (a spec without path parameters has
// no use for `path`).
#[allow(unused_imports)]
use kibana_serverless_runtime::{de, hooks, path, response};
";

impl ModuleIndex<'_> {
    fn cfg(&self, d: &str) -> String {
        match self.target {
            Target::OutDir => String::new(),
            _ => format!("#[cfg(feature = {d:?})]\n"),
        }
    }

    fn doc(&self, d: &str) -> String {
        self.domains.doc(self.spec, d)
    }

    /// Hooks and the `Kibana` client, shared by every target.
    fn common(&self) -> String {
        let mut out = String::new();
        for d in self.generated {
            out.push_str(&format!(
                "{}crate::__runtime::impl_client_hooks!({d}::Client, {d}::RAW_BODIES, {d}::WHOLE_JSON, {d}::API_VERSIONS);\n",
                self.cfg(d)
            ));
        }
        out.push_str(&self.kibana());
        let arms: String = self
            .generated
            .iter()
            .map(|d| {
                format!(
                    "{} {d:?} => {d}::roundtrip::roundtrip(type_name, json),\n",
                    self.cfg(d)
                )
            })
            .collect();
        out.push_str(&format!(
            "/// Test support: decodes `json` as the type named `type_name` of `domain` and encodes it back.\n\
             #[cfg(feature = \"test-support\")]\n#[doc(hidden)]\n\
             pub fn roundtrip(domain: &str, type_name: &str, json: &[u8]) -> Option<Result<serde_json::Value, String>> {{\n\
             match domain {{\n{arms} _ => None,\n}}\n}}\n"
        ));
        let invoke_arms: String = self
            .generated
            .iter()
            .map(|d| {
                format!(
                    "{} {d:?} => {d}::invoke(kibana.{d}(), operation, args).await,\n",
                    self.cfg(d)
                )
            })
            .collect();
        out.push_str(&format!(
            "/// Calls `operation` of `domain` by name with JSON arguments, through its typed builder\n\
             /// (`operations.json` lists them, with each parameter's setter): for data-driven tests and tools.\n\
             #[cfg(feature = \"dynamic\")]\n\
             pub async fn invoke(kibana: &Kibana, domain: &str, operation: &str, args: &crate::dynamic::Args) -> Result<crate::dynamic::Answer, crate::Error> {{\n\
             match domain {{\n{invoke_arms} other => Err(crate::dynamic::unknown(\"domain\", other)),\n}}\n}}\n"
        ));
        out
    }

    /// `Kibana`: one connection and a typed client per domain, built by `KibanaBuilder`.
    fn kibana(&self) -> String {
        let fields: String = self
            .generated
            .iter()
            .map(|d| format!("{}    {d}: {d}::Client,\n", self.cfg(d)))
            .collect();
        let inits: String = self
            .generated
            .iter()
            .map(|d| format!("{}            {d}: {d}::Client::new_with_client(base, connection.http().clone(), connection.context().clone()),\n", self.cfg(d)))
            .collect();
        let accessors: String = self
            .generated
            .iter()
            .map(|d| {
                let doc = self.doc(d);
                let first = doc.lines().next().unwrap_or_default();
                format!("{}    /// The `{d}` API: {}\n    pub fn {d}(&self) -> &{d}::Client {{\n        &self.{d}\n    }}\n", self.cfg(d), first.replace('\n', " "))
            })
            .collect();
        format!(
            "\n/// A Kibana serverless client: one connection pool, one set of credentials, and a typed\n\
             /// client for each API domain (`kibana.fleet()`, ...). Cloning is cheap and shares the pool.\n\
             #[derive(Clone, Debug)]\npub struct Kibana {{\n    connection: crate::Connection,\n{fields}}}\n\n\
             impl crate::FromConnection for Kibana {{\n    #[allow(unused_variables)]\n    fn from_connection(connection: crate::Connection) -> Self {{\n        let base = connection.base_url();\n        Self {{\n{inits}            connection: connection.clone(),\n        }}\n    }}\n}}\n\n\
             impl Kibana {{\n\
             /// A client for the Kibana at `url` with an encoded API key (base64 of `id:api_key`).\n\
             pub fn new(url: &str, api_key: impl Into<String>) -> Result<Self, crate::BuildError> {{\n        Self::builder(url).api_key(api_key).build()\n    }}\n\
             /// A builder for the Kibana at `url`.\n\
             pub fn builder(url: impl Into<String>) -> crate::__runtime::KibanaBuilder<Self> {{\n        crate::__runtime::KibanaBuilder::new(url)\n    }}\n\
             /// A client built from `KIBANA_URL` and `KIBANA_API_KEY` (an encoded API key).\n\
             pub fn from_env() -> Result<Self, crate::BuildError> {{\n        crate::__runtime::KibanaBuilder::from_env()?.build()\n    }}\n\
             /// The base URL every operation path is appended to (with the space prefix, if any).\n\
             pub fn base_url(&self) -> &str {{\n        self.connection.base_url()\n    }}\n\
             /// The connection every domain client of this `Kibana` shares.\n\
             pub fn connection(&self) -> &crate::Connection {{\n        &self.connection\n    }}\n\
             /// This client with another retry policy (sharing the connection pool), e.g. to retry one\n\
             /// POST that is safe to repeat.\n\
             pub fn with_retry_policy(&self, policy: crate::RetryPolicy) -> Self {{\n        crate::FromConnection::from_connection(self.connection.with_retry_policy(policy))\n    }}\n\
             /// A client for one Kibana space: every operation goes to `/s/{{space_id}}/api/...`,\n\
             /// sharing this client's connection pool and settings.\n\
             pub fn space(&self, space_id: &str) -> Result<Self, crate::BuildError> {{\n        Ok(crate::FromConnection::from_connection(self.connection.space(space_id)?))\n    }}\n\
             {accessors}}}\n"
        )
    }

    fn domain_decls(&self) -> String {
        let mut out = String::new();
        for d in self.generated {
            out.push_str(&format!(
                "#[doc = {:?}]\n{}#[rustfmt::skip]\n#[allow(clippy::all, dead_code, unused_imports)]\npub mod {d};\n",
                self.doc(d),
                self.cfg(d)
            ));
        }
        out
    }

    /// `generated/mod.rs` of the kibana-serverless crate.
    fn crate_mod(&self) -> Result<String> {
        let mut out = String::from(
            "//! Generated clients, one module per Kibana API domain, each behind the cargo feature of the same name.\n\n",
        );
        if self.has_mocks {
            out.push_str("/// Typed httpmock mocks generated from the same spec as the clients.\n#[cfg(feature = \"httpmock\")]\n#[rustfmt::skip]\n#[allow(clippy::all, dead_code, unused_imports, missing_docs)]\npub mod mocks;\n");
        }
        out.push_str(&self.domain_decls());
        out.push_str(&self.common());
        unparse(&out, "the module index", self.banner)
    }

    /// `src/lib.rs` of a standalone crate.
    fn standalone_lib(&self) -> Result<String> {
        let title = self
            .spec
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or("Kibana");
        let mut out = format!(
            "//! A typed client for {title}, generated by `cargo xtask regenerate --out` over the\n\
             //! kibana-serverless runtime: the same `Kibana` builder, credentials, headers, spaces,\n\
             //! retries, errors, tracing and pagination as the kibana-serverless crate.\n\n"
        );
        out.push_str(RUNTIME_GLUE);
        out.push_str(&self.domain_decls());
        out.push_str(&self.common());
        unparse(&out, "the standalone lib.rs", self.banner)
    }

    /// `generated.rs` for `build.rs`: every domain inline (an `include!`d file has no
    /// `mod x;` siblings and no inner attributes).
    fn out_dir_file(&self, code: &[(String, String)]) -> Result<String> {
        let mut out = String::new();
        for (d, text) in code {
            out.push_str(&format!(
                "#[doc = {:?}]\n#[allow(clippy::all, dead_code, unused_imports, missing_docs)]\npub mod {d} {{\n{text}\n}}\n",
                self.doc(d)
            ));
        }
        out.push_str(&self.common());
        unparse(&out, "the generated file", self.banner)
    }
}

/// `text` as inner doc comment lines: a tag's description runs over several lines (a
/// `> warn` block, a list), each of which must be one.
fn inner_doc(text: &str) -> String {
    text.lines()
        .map(|line| match line.trim_end() {
            "" => "//!\n".to_string(),
            line => format!("//! {line}\n"),
        })
        .collect()
}

fn unparse(text: &str, what: &str, banner: &str) -> Result<String> {
    let file = syn::parse_file(text).with_context(|| format!("{what} does not parse"))?;
    Ok(banner.to_string() + &prettyplease::unparse(&file))
}

/// The standalone crate's manifest: the runtime (by path into this workspace, or a published
/// version), the dependencies generated code names, one feature per domain.
fn standalone_manifest(
    inputs: &Path,
    domains: &[String],
    spec: &Value,
    runtime_version: Option<&str>,
) -> Result<String> {
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
    let workspace = inputs
        .parent()
        .context("the spec inputs directory has no parent (the workspace)")?;
    let local = |name: &str, dir: &str| {
        let path = workspace.join(dir);
        let path = path.canonicalize().unwrap_or(path);
        format!(
            "{name} = {{ path = {:?} }}",
            path.to_string_lossy().replace('\\', "/")
        )
    };
    let runtime = match runtime_version {
        Some(v) => format!("kibana-serverless-runtime = {{ version = {v:?} }}"),
        None => local("kibana-serverless-runtime", "runtime"),
    };
    // The testkit is not published: the generated conformance test needs this workspace.
    let testkit = local("kibana-serverless-testkit", "testkit");
    let mock = local("kibana-serverless-mock", "mock");
    let manifest = std::fs::read_to_string(workspace.join("Cargo.toml"))
        .context("reading the workspace Cargo.toml")?;
    let dep = |name: &str| -> Result<String> {
        manifest
            .lines()
            .find(|l| l.starts_with(&format!("{name} = ")))
            .map(str::to_string)
            .with_context(|| format!("{name} is not a workspace dependency"))
    };
    let serde_path_to_error = dep("serde_path_to_error")?
        .replace(" = \"", " = { version = \"")
        .replace("\"\n", "\"")
        + ", optional = true }";
    Ok(format!(
        "# @generated by `cargo xtask regenerate --out`: a client for {title}.\n\
         [package]\nname = \"kibana-generated-client\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         # No unit tests in the lib: a test build of it would compile the client a second time.\n[lib]\ntest = false\n\n\
         [features]\ndefault = [{default}]\n{features}dynamic = []\ntest-support = [\"dynamic\", \"dep:serde_path_to_error\"]\n\n\
         [dependencies]\n{runtime}\n{}\n{}\n{}\n{}\n{}\n{serde_path_to_error}\n\n\
         [dev-dependencies]\n{}\nserde_json = \"1\"\n{testkit}\n{mock}\n\n\
         # Not a member of any enclosing workspace.\n[workspace]\n",
        dep("progenitor-client")?,
        dep("reqwest")?,
        dep("serde")?,
        dep("serde_json")?,
        dep("regress")?,
        dep("tokio")?.replace(
            "default-features = false }",
            "default-features = false, features = [\"macros\", \"rt-multi-thread\"] }"
        ),
    ))
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

/// `cargo xtask regenerate`: generates from the vendored spec (or `opts.spec`) into
/// `generated/` (or a standalone crate in `opts.out`), or with `check` compares instead.
pub fn regenerate(root: &Path, opts: Options) -> Result<ExitCode> {
    let started = Instant::now();
    let inputs = root.join("spec");
    let vendored = inputs.join("kibana.serverless.yaml");
    let spec_path = opts.spec.clone().unwrap_or(vendored.clone());
    // Our overlays fix our vendored spec (or a copy of it); another spec gets the passes only.
    let own_spec = opts.spec.is_none() || opts.overlays;
    let target = match &opts.out {
        Some(_) => Target::Standalone(opts.runtime_version.clone()),
        None => Target::Crate,
    };
    let out_dir = opts.out.clone().unwrap_or_else(|| root.join("generated"));
    let generated = build(&inputs, &spec_path, own_spec, target.clone())?;
    let elapsed = started.elapsed();

    report(&generated, elapsed);
    if target == Target::Crate {
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

/// For `build.rs` (feature `codegen`): generates the client from `spec_path` into
/// `out_dir/generated.rs`, with the inputs (domains, pagination, secrets) of `inputs`.
pub fn generate_into(inputs: &Path, spec_path: &Path, out_dir: &Path) -> Result<Generated> {
    let generated = build(inputs, spec_path, false, Target::OutDir)?;
    output::write(out_dir, &generated.files)?;
    Ok(generated)
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
    for n in &g.notes {
        println!("note: {n}");
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
    let post: Vec<String> = g
        .passes
        .iter()
        .map(|p| format!("{} {}", p.pass, p.count))
        .collect();
    println!("post-pass rewrites: {}", post.join(", "));
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
            &root.join("spec"),
            &root.join("spec/kibana.serverless.yaml"),
            true,
            Target::Crate,
        )
        .unwrap();
        let reference =
            std::fs::read_to_string(root.join("tests/fixtures/reference_operations.txt")).unwrap();
        assert!(g.operations.len() >= reference.lines().filter(|l| !l.trim().is_empty()).count());
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
    fn a_tag_description_of_several_lines_is_the_module_doc() {
        let path = write_spec(
            "tag-doc",
            r##"
openapi: 3.0.3
info: {title: Tags, version: '1'}
tags:
  - name: logstash
    description: |
      Manage pipelines.
      > warn
      > Do not write to the `.logstash` index.

      ```
      GET kbn:/api/logstash/pipelines
      ```
paths:
  /api/logstash/pipelines:
    get:
      operationId: get-pipelines
      tags: [logstash]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {n: {type: number}}}}}}
"##,
        );
        let g = build(&root().join("spec"), &path, false, Target::Standalone(None)).unwrap();
        let (_, text) = g
            .files
            .iter()
            .find(|(name, _)| name.ends_with("logstash.rs"))
            .expect("the logstash module");
        syn::parse_file(text).expect("the module parses");
        let head: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("//!"))
            .take(7)
            .collect();
        assert_eq!(
            head,
            [
                "//! Manage pipelines.",
                "//! > warn",
                "//! > Do not write to the `.logstash` index.",
                "//!",
                "//! ```text",
                "//! GET kbn:/api/logstash/pipelines",
                "//! ```",
            ],
            "{text}"
        );
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
        - {name: session, in: cookie, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
"##,
        );
        let g = build(&root().join("spec"), &path, false, Target::Crate).unwrap();
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
            "path_params",
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
        let g = build(&root().join("spec"), &path, false, Target::Crate).unwrap();
        assert_eq!(g.operations.len(), 1000);
        assert!(g.skipped.is_empty());
        let unique: std::collections::BTreeSet<&str> = g
            .operations
            .iter()
            .map(|o| o.rust_method.as_str())
            .collect();
        assert_eq!(unique.len(), 1000);
    }

    /// The same API written as OpenAPI 3.1 and as 3.0 generates the same client.
    #[test]
    fn an_openapi_31_spec_generates_as_its_30_twin() {
        let spec = |header: &str, ids: &str, fields: &str| {
            format!(
                r##"{header}
info: {{title: t, version: '1'}}
paths:
  /api/things/{{id}}:
    get:
      operationId: getThing
      tags: [Fleet internals]
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
        - {{name: ids, in: query, schema: {ids}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [owner, name, size]
                properties:
{fields}
              examples:
                one: {{value: {{owner: null, name: null, size: 3, kind: thing, value: 2.5}}}}
components:
  schemas:
    Owner: {{type: object, properties: {{id: {{type: string}}}}}}
"##
            )
        };
        let v31 = spec(
            "openapi: 3.1.0\njsonSchemaDialect: https://json-schema.org/draft/2020-12/schema\nwebhooks: {}",
            "{type: [string, array], items: {type: string}}",
            "                  owner: {oneOf: [{$ref: '#/components/schemas/Owner'}, {type: 'null'}]}
                  name: {type: [string, 'null'], examples: [a]}
                  size: {type: integer, exclusiveMinimum: 0}
                  kind: {const: thing}
                  value: {type: [string, number, integer, boolean]}
                  file: {type: string, contentMediaType: application/zip}",
        );
        let v30 = spec(
            "openapi: 3.0.3",
            "{anyOf: [{type: string}, {type: array, items: {type: string}}]}",
            "                  owner: {nullable: true, allOf: [{$ref: '#/components/schemas/Owner'}]}
                  name: {type: string, nullable: true, example: a}
                  size: {type: integer, minimum: 0, exclusiveMinimum: true}
                  kind: {enum: [thing]}
                  value: {anyOf: [{type: string}, {type: number}, {type: boolean}]}
                  file: {type: string, format: binary}",
        );
        let generate = |name: &str, text: &str| {
            build(
                &root().join("spec"),
                &write_spec(name, text),
                false,
                Target::Crate,
            )
            .unwrap()
        };
        let (new, old) = (generate("openapi-31", &v31), generate("openapi-30", &v30));
        assert!(new.skipped.is_empty(), "{:#?}", new.skipped);
        assert_eq!(new.operations.len(), 1);
        // The manifest also lists the passes' changes and the inputs' hash, which differ.
        let comparable = |g: &Generated| -> Vec<(String, String)> {
            g.files
                .iter()
                .map(|(name, text)| {
                    let mut text = text.clone();
                    if name == "operations.json" {
                        let mut m: Value = serde_json::from_str(&text).unwrap();
                        m["normalize"].take();
                        m["inputs_hash"].take();
                        text = m.to_string();
                    }
                    if name == "openapi.json" {
                        // The same schemas, their keys in the order each spec wrote them.
                        let mut spec: Value = serde_json::from_str(&text).unwrap();
                        crate::normalize::for_each_object(&mut spec, &mut |_, map| map.sort_keys());
                        text = spec.to_string();
                    }
                    (name.clone(), text)
                })
                .collect()
        };
        for ((name, a), (_, b)) in comparable(&new).iter().zip(&comparable(&old)) {
            assert!(a == b, "{name} differs between the 3.1 and 3.0 specs");
        }
        assert_eq!(new.files.len(), old.files.len());
        assert!(new.changes.iter().any(|c| c.pass == "openapi_31"));
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
            assert!(
                build(&root().join("spec"), &path, false, Target::Crate).is_err(),
                "{name}"
            );
        }
    }
}
