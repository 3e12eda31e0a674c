//! A sampler sees, at start, the `args` and literal `attrs` that cost
//! nothing to make (integers, bools, static text), and can decide on them;
//! values that must be formatted or copied are recorded only on spans it
//! keeps. Checked with a provider installed both ways: plain
//! `set_tracer_provider` and `traced::install` (which starts spans on the
//! SDK tracer directly). Its own binary: it installs its own providers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use opentelemetry::trace::{Link, SpanKind, TraceId, TraceState};
use opentelemetry::{Context, KeyValue, Value, global};
use opentelemetry_sdk::trace::{
    InMemorySpanExporter, SamplingDecision, SamplingResult, SdkTracerProvider, ShouldSample,
    SpanData,
};
use traced::traced;
use traced_tests::Counted;

static TURN: Mutex<()> = Mutex::new(());

/// A span's name and the attributes the sampler was shown for it.
type Shown = (String, Vec<KeyValue>);

/// Drops the spans of tenant 13, keeps the rest, and remembers the
/// attributes it was shown for each span name.
#[derive(Clone, Debug, Default)]
struct TenantSampler {
    seen: Arc<Mutex<Vec<Shown>>>,
}

impl ShouldSample for TenantSampler {
    fn should_sample(
        &self,
        _parent: Option<&Context>,
        _trace_id: TraceId,
        name: &str,
        _kind: &SpanKind,
        attributes: &[KeyValue],
        _links: &[Link],
    ) -> SamplingResult {
        self.seen
            .lock()
            .unwrap()
            .push((name.to_owned(), attributes.to_vec()));
        let dropped = attributes
            .iter()
            .any(|kv| kv.key.as_str() == "tenant" && kv.value == Value::I64(13));
        SamplingResult {
            decision: if dropped {
                SamplingDecision::Drop
            } else {
                SamplingDecision::RecordAndSample
            },
            attributes: Vec::new(),
            trace_state: TraceState::NONE,
        }
    }
}

#[traced(
    args(tenant, premium, region, ?note, %shown),
    attrs(tier = "gold", limit = 5, doubled = tenant * 2)
)]
fn handle(tenant: u64, premium: bool, region: &str, note: &Counted, shown: &Counted) -> u64 {
    let _ = (region, note, shown);
    tenant + 1
}

fn keys(attributes: &[KeyValue]) -> Vec<&str> {
    let mut keys: Vec<&str> = attributes.iter().map(|kv| kv.key.as_str()).collect();
    keys.sort_unstable();
    keys
}

fn by_key(span: &SpanData) -> BTreeMap<String, Value> {
    span.attributes
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.clone()))
        .collect()
}

/// Runs the checks with a fresh provider, installed by `install`.
fn check(install: fn(SdkTracerProvider)) {
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let sampler = TenantSampler::default();
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_sampler(sampler.clone())
        .with_simple_exporter(exporter.clone())
        .build();
    install(provider.clone());

    let (note, shown) = (Counted::default(), Counted::default());
    assert_eq!(handle(7, true, "eu-west", &note, &shown), 8);
    assert_eq!(handle(13, false, "us-east", &note, &shown), 14);

    // The sampler saw the values made for free, for both calls, and
    // decided on one of them.
    let seen = sampler.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for ((name, attributes), tenant) in seen.iter().zip([7, 13]) {
        assert_eq!(name, "handle");
        assert_eq!(
            keys(attributes),
            [
                "code.file.path",
                "code.function.name",
                "code.line.number",
                "limit",
                "premium",
                "tenant",
                "tier",
            ],
        );
        let value = |key: &str| {
            attributes
                .iter()
                .find(|kv| kv.key.as_str() == key)
                .map(|kv| kv.value.clone())
        };
        assert_eq!(value("tenant"), Some(Value::I64(tenant)));
        assert_eq!(value("premium"), Some(Value::Bool(tenant == 7)));
        assert_eq!(value("tier"), Some(Value::from("gold")));
        assert_eq!(value("limit"), Some(Value::I64(5)));
    }

    // Only the kept span was exported, with every attribute once.
    let spans = exporter.get_finished_spans().unwrap();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let attributes = by_key(&spans[0]);
    assert_eq!(spans[0].attributes.len(), attributes.len(), "a key twice");
    assert_eq!(attributes["tenant"], Value::I64(7));
    assert_eq!(attributes["premium"], Value::Bool(true));
    assert_eq!(attributes["region"], Value::from("eu-west"));
    assert_eq!(attributes["tier"], Value::from("gold"));
    assert_eq!(attributes["limit"], Value::I64(5));
    assert_eq!(attributes["doubled"], Value::I64(14));
    assert!(attributes.contains_key("note"));
    assert!(attributes.contains_key("shown"));

    // The formatted values were made for the kept span only.
    assert_eq!([note.count(), shown.count()], [1, 1]);
    let _ = provider.shutdown();
}

#[test]
fn with_a_provider_set_globally() {
    check(|provider| {
        global::set_tracer_provider(provider);
    });
}

#[test]
fn with_a_provider_installed_by_traced() {
    check(traced::install);
}
