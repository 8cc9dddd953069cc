//! A small OpenAPI 3 checker for the requests our client builds: path template,
//! method, query/header parameter names (declared, required present, simple value
//! types and enums) and the JSON body against the `requestBody` schema, with
//! `$ref`s resolved across Zoho's spec files.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

/// All spec files of a directory, by file name.
/// (Empty by default, for testing the checker on documents of its own.)
#[derive(Default)]
pub struct Specs {
    files: BTreeMap<String, Value>,
}

/// Names the folder holding Zoho's v8 OpenAPI files.
pub const SPECS_ENV: &str = "RINGBRIDGE_ZOHO_SPECS";

/// Zoho's v8 OpenAPI files (the `v8.0/` folder of Zoho's public `zoho/crm-oas`
/// repository), read once from `$RINGBRIDGE_ZOHO_SPECS`. The repository does not
/// carry them (Zoho publishes them without a licence to redistribute), so the
/// checks that need them skip with one printed line when they are absent, except
/// under `CI`, where they are required.
pub fn specs() -> Option<&'static Specs> {
    static SPECS: OnceLock<Result<Specs, String>> = OnceLock::new();
    match SPECS.get_or_init(Specs::load) {
        Ok(specs) => Some(specs),
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("Zoho's OpenAPI files are required under CI: {why}")
        }
        Err(why) => {
            eprintln!("skipping the check against Zoho's OpenAPI files: {why}");
            None
        }
    }
}

impl Specs {
    fn load() -> Result<Self, String> {
        let dir = std::env::var_os(SPECS_ENV)
            .map(PathBuf::from)
            .ok_or_else(|| format!("{SPECS_ENV} is not set (see README, Tests)"))?;
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("{SPECS_ENV}={}: {e}", dir.display()))?;
        let mut files = BTreeMap::new();
        for e in entries {
            let path = e.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.extension().and_then(|x| x.to_str()) == Some("json") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let v: Value =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                files.insert(name.to_owned(), v);
            }
        }
        if !files.contains_key("record.json") {
            return Err(format!("no record.json in {}", dir.display()));
        }
        Ok(Self { files })
    }

    /// Whether the folder has spec file `name`.
    pub fn has_file(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Adds (or replaces) one spec file, for testing the checker itself.
    pub fn with_file(mut self, name: &str, doc: Value) -> Self {
        self.files.insert(name.to_owned(), doc);
        self
    }

    /// Follows `$ref` chains. Returns the target and the file it lives in, or
    /// what could not be resolved (a file Zoho did not publish, e.g. tags.json,
    /// or a bad pointer): the caller reports it, so nothing goes unchecked.
    fn resolve<'a>(&'a self, file: &'a str, v: &'a Value) -> Result<(&'a str, &'a Value), String> {
        let mut file = file;
        let mut v = v;
        for _ in 0..32 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                return Ok((file, v));
            };
            let (doc, pointer) = r.split_once('#').unwrap_or((r, ""));
            if !doc.is_empty() {
                let name = doc.rsplit('/').next().unwrap_or(doc);
                file = self
                    .files
                    .get_key_value(name)
                    .ok_or_else(|| format!("unresolvable $ref {r} (no {name})"))?
                    .0
                    .as_str();
            }
            v = self
                .files
                .get(file)
                .and_then(|d| d.pointer(pointer))
                .ok_or_else(|| format!("unresolvable $ref {r} in {file}"))?;
        }
        panic!("$ref loop in {file}");
    }
}

/// One request, as sent.
pub struct Wire {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<String>,
    pub body: Option<Value>,
}

impl Wire {
    pub fn from_request(r: &reqwest::Request) -> Self {
        let body = r
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| serde_json::from_slice(b).expect("JSON body"));
        Self {
            method: r.method().as_str().to_ascii_lowercase(),
            path: r.url().path().to_owned(),
            query: r.url().query_pairs().into_owned().collect(),
            headers: r
                .headers()
                .keys()
                .map(|k| k.as_str().to_ascii_lowercase())
                .collect(),
            body,
        }
    }
}

impl Wire {
    /// A request as the simulator received it: the headers any HTTP client
    /// adds (host, accept-encoding, ...) are dropped, a JSON body parsed.
    pub fn from_recorded(r: &ringbridge_sim_zoho::RecordedRequest) -> Self {
        let json = r
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"));
        let body = (json && !r.body.is_empty())
            .then(|| serde_json::from_slice(&r.body).expect("JSON body"));
        Self {
            method: r.method.to_ascii_lowercase(),
            path: r.path.clone(),
            query: url::form_urlencoded::parse(r.query.as_deref().unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
            headers: r
                .headers
                .iter()
                .map(|(k, _)| k.to_ascii_lowercase())
                .filter(|k| !CLIENT_HEADERS.contains(&k.as_str()))
                .collect(),
            body,
        }
    }
}

/// Headers of the HTTP layer itself, present on the wire but not API parameters.
const CLIENT_HEADERS: &[&str] = &[
    "host",
    "accept-encoding",
    "user-agent",
    "connection",
    "transfer-encoding",
];

fn template_matches(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literal = 0;
    for (a, b) in t.iter().zip(&p) {
        if a.starts_with('{') && a.ends_with('}') {
            if b.is_empty() {
                return None;
            }
        } else if a == b {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

/// Headers every request has that are not API parameters.
const TRANSPORT_HEADERS: &[&str] = &["authorization", "content-type", "content-length", "accept"];

impl Specs {
    /// Ok(operationId) if some operation of the most specific matching path
    /// template accepts the request; Err(all problems) otherwise.
    pub fn check(&self, w: &Wire) -> Result<String, Vec<String>> {
        let mut candidates = Vec::new();
        for (file, doc) in &self.files {
            let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for (template, item) in paths {
                if let (Some(spec), Some(op)) =
                    (template_matches(template, &w.path), item.get(&w.method))
                {
                    candidates.push((spec, file.as_str(), template.as_str(), item, op));
                }
            }
        }
        let Some(best) = candidates.iter().map(|c| c.0).max() else {
            return Err(vec![format!(
                "no path template for {} {}",
                w.method, w.path
            )]);
        };
        let mut problems = Vec::new();
        for (_, file, template, item, op) in candidates.into_iter().filter(|c| c.0 == best) {
            let errs = self.check_op(file, item, op, w);
            if errs.is_empty() {
                return Ok(op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(template)
                    .to_owned());
            }
            problems.extend(errs.into_iter().map(|e| format!("{file} {template}: {e}")));
        }
        Err(problems)
    }

    fn check_op(&self, file: &str, item: &Value, op: &Value, w: &Wire) -> Vec<String> {
        let mut errs = Vec::new();
        let mut params = Vec::new();
        for list in [item.get("parameters"), op.get("parameters")]
            .into_iter()
            .flatten()
        {
            for p in list.as_array().into_iter().flatten() {
                match self.resolve(file, p) {
                    Ok((pf, p)) => params.push((pf, p)),
                    Err(e) => errs.push(format!("parameter: {e}")),
                }
            }
        }
        let declared = |loc: &str, name: &str| {
            params.iter().find(|(_, p)| {
                p.get("in").and_then(Value::as_str) == Some(loc)
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
        };
        for (name, value) in &w.query {
            match declared("query", name) {
                None => errs.push(format!("query parameter `{name}` is not declared")),
                Some((pf, p)) => {
                    if let Some(schema) = p.get("schema") {
                        self.check_scalar(pf, schema, value, &format!("query `{name}`"), &mut errs);
                    }
                }
            }
        }
        for h in &w.headers {
            if !TRANSPORT_HEADERS.contains(&h.as_str()) && declared("header", h).is_none() {
                errs.push(format!("header `{h}` is not declared"));
            }
        }
        for (_, p) in &params {
            let required = p.get("required").and_then(Value::as_bool) == Some(true);
            let loc = p.get("in").and_then(Value::as_str).unwrap_or_default();
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            if required && loc == "query" && !w.query.iter().any(|(n, _)| n == name) {
                errs.push(format!("required query parameter `{name}` missing"));
            }
        }
        let body_spec = match op.get("requestBody").map(|b| self.resolve(file, b)) {
            None => None,
            Some(Ok(b)) => Some(b),
            Some(Err(e)) => {
                errs.push(format!("requestBody: {e}"));
                return errs;
            }
        };
        match (body_spec, &w.body) {
            (None, None) => {}
            (None, Some(_)) => errs.push("body sent but the operation takes none".into()),
            (Some((_, b)), None) => {
                if b.get("required").and_then(Value::as_bool) == Some(true) {
                    errs.push("required body missing".into());
                }
            }
            (Some((bf, b)), Some(body)) => match b.pointer("/content/application~1json/schema") {
                Some(schema) => self.check_value(bf, schema, body, "$", &mut errs),
                None => errs.push("operation takes no JSON body".into()),
            },
        }
        errs
    }

    fn check_scalar(
        &self,
        file: &str,
        schema: &Value,
        value: &str,
        at: &str,
        errs: &mut Vec<String>,
    ) {
        let s = match self.resolve(file, schema) {
            Ok((_, s)) => s,
            Err(e) => return errs.push(format!("{at}: {e}")),
        };
        let ok = match s.get("type").and_then(Value::as_str) {
            Some("integer") => value.parse::<i64>().is_ok(),
            Some("number") => value.parse::<f64>().is_ok(),
            Some("boolean") => matches!(value, "true" | "false"),
            _ => true,
        };
        if !ok {
            errs.push(format!("{at}: {value:?} is not a {}", s["type"]));
        }
        let enumeration = s.get("enum").and_then(Value::as_array);
        if enumeration.is_some_and(|e| !e.iter().any(|x| x.as_str() == Some(value))) {
            errs.push(format!("{at}: {value:?} not in enum {enumeration:?}"));
        }
    }

    /// type / nullable / enum / required / properties / additionalProperties:false /
    /// items / oneOf / anyOf / allOf.
    pub fn check_value(
        &self,
        file: &str,
        schema: &Value,
        v: &Value,
        at: &str,
        errs: &mut Vec<String>,
    ) {
        let (file, s) = match self.resolve(file, schema) {
            Ok(found) => found,
            Err(e) => return errs.push(format!("{at}: {e}")),
        };
        if v.is_null() && s.get("nullable").and_then(Value::as_bool) == Some(true) {
            return;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = s.get(key).and_then(Value::as_array) {
                let fits = alts.iter().any(|alt| {
                    let mut e = Vec::new();
                    self.check_value(file, alt, v, at, &mut e);
                    e.is_empty()
                });
                if !fits {
                    errs.push(format!("{at}: matches no alternative of {key}"));
                }
            }
        }
        for sub in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.check_value(file, sub, v, at, errs);
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                _ => true,
            };
            if !ok {
                errs.push(format!("{at}: expected {t}, got {v}"));
                return;
            }
        }
        if s.get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| !e.contains(v))
        {
            errs.push(format!("{at}: {v} not in enum"));
        }
        if let Some(obj) = v.as_object() {
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = r.as_str().unwrap_or_default();
                if !obj.contains_key(name) {
                    errs.push(format!("{at}: required property `{name}` missing"));
                }
            }
            let props = s.get("properties").and_then(Value::as_object);
            for (k, val) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => self.check_value(file, ps, val, &format!("{at}.{k}"), errs),
                    None => {
                        if s.get("additionalProperties") == Some(&Value::Bool(false)) {
                            errs.push(format!("{at}: property `{k}` not allowed"));
                        }
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
            for (i, item) in arr.iter().enumerate() {
                self.check_value(file, items, item, &format!("{at}[{i}]"), errs);
            }
        }
    }
}
