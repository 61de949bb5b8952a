//! The JSON Schemas of `docs/schema/`, compiled once, and [`validate`] of a
//! document against one of them (the validator and why: tests/it/json_schema.rs).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The documents, by schema file name (`docs/schema/NAME.schema.json`).
pub const SCHEMAS: &[&str] = &[
    "check",
    "check-job",
    "check-source-dir",
    "manifest",
    "blob-list",
    "dataset",
    "status",
    "log",
    "ls",
    "devices",
    "error",
];

pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

/// Every schema compiled once (with `common.schema.json`, which they refer to).
pub fn compiled() -> &'static (boon::Schemas, Vec<(&'static str, boon::SchemaIndex)>) {
    static C: OnceLock<(boon::Schemas, Vec<(&'static str, boon::SchemaIndex)>)> = OnceLock::new();
    C.get_or_init(|| {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let index = SCHEMAS
            .iter()
            .map(|&name| {
                let path = schema_dir().join(format!("{name}.schema.json"));
                let at = compiler
                    .compile(path.to_str().unwrap(), &mut schemas)
                    .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
                (name, at)
            })
            .collect();
        (schemas, index)
    })
}

/// `doc` against `docs/schema/{schema}.schema.json`: why not, if it does not match.
pub fn validate(schema: &str, doc: &Value) -> Result<(), String> {
    let (schemas, index) = compiled();
    let at = index
        .iter()
        .find(|(n, _)| *n == schema)
        .unwrap_or_else(|| panic!("no schema {schema}"))
        .1;
    schemas.validate(doc, at).map_err(|e| format!("{e:#}"))
}
