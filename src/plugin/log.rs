//! Logs as hclog-style JSON lines on stderr: go-plugin's client parses them
//! and re-emits them through Terraform's logger, so `TF_LOG_PROVIDER` works.
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Installs the global subscriber. The level comes from `TF_LOG_PROVIDER`,
/// then `TF_LOG` (Terraform passes its environment on), default INFO.
pub fn init(module: &'static str) {
    let level = ["TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .map_or(Level::INFO, |v| parse_level(&v));
    use tracing_subscriber::layer::SubscriberExt as _;
    let subscriber = tracing_subscriber::registry().with(HclogLayer { module, max: level });
    let _ = tracing::subscriber::set_global_default(subscriber);
}

fn parse_level(v: &str) -> Level {
    match v.to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Level::TRACE,
        "DEBUG" => Level::DEBUG,
        "WARN" => Level::WARN,
        "ERROR" | "OFF" => Level::ERROR,
        _ => Level::INFO,
    }
}

const OWN_CRATE: &str = "terraform_provider_vi";

struct HclogLayer {
    module: &'static str,
    max: Level,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        // Libraries (h2, hyper, rustls…) speak only when something is wrong:
        // their debug output would drown the provider's own.
        let max = if meta.target().starts_with(OWN_CRATE) { self.max } else { self.max.min(Level::WARN) };
        *meta.level() <= max
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let line = render(self.module, event.metadata().level(), event.metadata().target(), event, now_rfc3339());
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }
}

fn render(module: &str, level: &Level, target: &str, event: &Event<'_>, ts: String) -> String {
    let mut fields = JsonFields(serde_json::Map::new());
    event.record(&mut fields);
    let mut m = fields.0;
    let message = m.remove("message").unwrap_or(serde_json::Value::String(String::new()));
    m.insert("@level".into(), hclog_level(level).into());
    m.insert("@message".into(), message);
    m.insert("@module".into(), module.into());
    m.insert("@timestamp".into(), ts.into());
    m.insert("@caller".into(), target.into());
    serde_json::Value::Object(m).to_string()
}

fn hclog_level(l: &Level) -> &'static str {
    match *l {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

struct JsonFields(serde_json::Map<String, serde_json::Value>);

impl Visit for JsonFields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }
}

/// hclog's timestamp form, `2006-01-02T15:04:05.000000Z`, in UTC.
fn now_rfc3339() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    format_utc(d.as_secs(), d.subsec_micros())
}

fn format_utc(secs: u64, micros: u32) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_rfc3339() {
        assert_eq!(format_utc(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_utc(951_782_400, 5), "2000-02-29T00:00:00.000005Z");
        assert_eq!(format_utc(1_795_651_200, 0), "2026-11-26T00:00:00.000000Z");
    }

    #[test]
    fn levels_parse_like_terraform() {
        assert_eq!(parse_level("trace"), Level::TRACE);
        assert_eq!(parse_level("JSON"), Level::TRACE);
        assert_eq!(parse_level("debug"), Level::DEBUG);
        assert_eq!(parse_level("nonsense"), Level::INFO);
    }
}
