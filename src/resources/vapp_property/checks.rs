//! The checks that keep a bad property out of `apply`: the configuration
//! against the vApp property rules, and the property against those already
//! on its target (keys and ids unique). Each error names its attribute.
use super::state::{State, live_qualified_id};
use crate::plugin::{AttrPath, Diags};
use crate::rules::vapp_error::ValueField;
use crate::rules::vapp_property::{check_property, check_unique_keys};
use crate::vi::object::vapp_config::VAppPropertyInfo;

const SUMMARY: &str = "Invalid vApp property";

/// Every rule the configuration breaks. Unknown values are not judged
/// (they are checked again at apply, when known).
pub fn config(c: &State) -> Diags {
    let mut d = Diags::none();
    let secret = c.is_secret();
    let (value_set, sensitive_set) = (c.value.is_known(), c.sensitive_value.is_known());
    d.push(write_only(c, secret, value_set || sensitive_set));
    if value_set && sensitive_set {
        let at = if secret == Some(true) { "value" } else { "sensitive_value" };
        d.push(Diags::error_at(
            AttrPath::attr(at),
            SUMMARY,
            "set either value or sensitive_value, not both: sensitive_value holds the value of a password type, \
             value that of any other type",
        ));
    } else if secret == Some(true) && value_set {
        d.push(Diags::error_at(
            AttrPath::attr("value"),
            SUMMARY,
            format!(
                "the value of a `{}` property goes in sensitive_value, which is kept out of plans and logs",
                c.type_text()
            ),
        ));
    } else if secret == Some(false) && sensitive_set {
        d.push(Diags::error_at(
            AttrPath::attr("sensitive_value"),
            SUMMARY,
            format!(
                "sensitive_value is for password types only; the value of a `{}` property goes in value",
                c.type_text()
            ),
        ));
    }
    let unknown = |attribute: &str| match attribute {
        "key" => c.key.is_unknown(),
        "property_id" => c.property_id.is_unknown(),
        "class_id" => c.class_id.is_unknown(),
        "instance_id" => c.instance_id.is_unknown(),
        "type" => c.r#type.is_unknown(),
        // A value is judged against a type, so both must be known.
        "default_value" => c.r#type.is_unknown() || c.default_value.is_unknown(),
        // An unknown value is passed on as unset, so it draws no error.
        "value" | "sensitive_value" | "sensitive_value_wo" => c.r#type.is_unknown(),
        _ => false,
    };
    for e in check_property(&c.to_spec(c.key.get().copied())) {
        // A password from the write-only form is judged on that attribute.
        let e = if e.attribute() == "sensitive_value" && c.sensitive_value.is_null() && c.write_only() {
            e.at(ValueField::SensitiveValueWo)
        } else {
            e
        };
        if !unknown(e.attribute()) {
            d.push(Diags::error_at(AttrPath::attr(e.attribute()), SUMMARY, e.to_string()));
        }
    }
    d
}

/// The write-only form: a password type's only, one form at a time, and
/// its version only beside it. `other_set`: `value` or `sensitive_value`
/// is set.
fn write_only(c: &State, secret: Option<bool>, other_set: bool) -> Diags {
    if !c.write_only() {
        if c.sensitive_value_wo_version.is_null() {
            return Diags::none();
        }
        return Diags::error_at(
            AttrPath::attr("sensitive_value_wo_version"),
            SUMMARY,
            "sensitive_value_wo_version says when to send sensitive_value_wo again; set sensitive_value_wo too, \
             or leave both out",
        );
    }
    if other_set {
        let at = if c.sensitive_value.is_known() { "sensitive_value" } else { "value" };
        return Diags::error_at(
            AttrPath::attr(at),
            SUMMARY,
            "set one of value, sensitive_value and sensitive_value_wo: sensitive_value_wo is the write-only form of \
             sensitive_value, which holds the value of a password type",
        );
    }
    if secret == Some(false) {
        return Diags::error_at(
            AttrPath::attr("sensitive_value_wo"),
            SUMMARY,
            format!(
                "sensitive_value_wo is for password types only; the value of a `{}` property goes in value",
                c.type_text()
            ),
        );
    }
    Diags::none()
}

/// Where a property is to go, for [`against_live`].
pub struct Slot<'a> {
    /// The key it is to have.
    pub key: i64,
    /// Whether the configuration set `key`; a key the provider picks is
    /// free by construction and never clashes.
    pub key_chosen: bool,
    /// Its own key on the target when it is there already (an update):
    /// not a clash with itself.
    pub own_key: Option<i64>,
    /// The VM or vApp, for messages.
    pub target_id: &'a str,
}

/// What to make of a property on the target that is the planned one in
/// every respect.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Twin {
    /// A clash like any other.
    Refuse,
    /// Most likely this resource being replaced (Terraform plans a
    /// replacement as a create): a warning, and the check at apply, after
    /// the old one is gone, decides.
    Warn,
}

/// What clashes between the property (`me`, to go in `slot`) and those
/// already on the target.
pub fn against_live(me: &State, slot: &Slot<'_>, live: &[VAppPropertyInfo], twin: Twin) -> Diags {
    let Slot { key, key_chosen, own_key, target_id } = *slot;
    let mut d = Diags::none();
    if me.property_id.is_unknown() || me.class_id.is_unknown() || me.instance_id.is_unknown() {
        return d;
    }
    let mine = me.qualified_id();
    for other in live.iter().filter(|p| Some(p.key) != own_key) {
        let theirs = live_qualified_id(other);
        for e in check_unique_keys(&[(other.key, theirs.clone()), (key, mine.clone())]) {
            if e.attribute() == "key" && !key_chosen {
                continue;
            }
            let detail = format!(
                "{e}. Property `{theirs}` (key {}) is already on {target_id}; to manage it, import it with \
                 `terraform import <address> {target_id}:{}`, or choose another {}.",
                other.key,
                other.key,
                e.attribute()
            );
            let path = AttrPath::attr(e.attribute());
            if twin == Twin::Warn && looks_like(other, me, key_chosen.then_some(key)) {
                d.push(Diags::warning_at(path, "vApp property already exists", detail));
            } else {
                d.push(Diags::error_at(path, "vApp property clashes with an existing one", detail));
            }
        }
    }
    d
}

/// Whether `live` holds what `me` would write (the key only when known;
/// password values read back empty, so they are not compared).
fn looks_like(live: &VAppPropertyInfo, me: &State, key: Option<i64>) -> bool {
    let want = me.to_info(key.unwrap_or(live.key), false);
    let text = |a: &Option<String>, b: &Option<String>| a.as_deref().unwrap_or("") == b.as_deref().unwrap_or("");
    let secret = me.is_secret() == Some(true);
    want.key == live.key
        && text(&want.id, &live.id)
        && text(&want.class_id, &live.class_id)
        && text(&want.instance_id, &live.instance_id)
        && text(&want.category, &live.category)
        && text(&want.label, &live.label)
        && text(&want.description, &live.description)
        && text(&want.type_reference, &live.type_reference)
        && text(&want.r#type, &live.r#type)
        && want.user_configurable == live.user_configurable.or(Some(false))
        && (secret || (text(&want.value, &live.value) && text(&want.default_value, &live.default_value)))
}

/// The key a new property gets: one past the highest in use, else the
/// lowest free one (keys stop at the top of xsd:int).
pub fn next_free_key(live: &[VAppPropertyInfo]) -> Option<i64> {
    const MAX_KEY: i64 = i32::MAX as i64;
    match live.iter().map(|p| p.key).max() {
        None => Some(0),
        Some(top) if top < MAX_KEY => Some(top.max(-1) + 1),
        Some(_) => (0..=MAX_KEY).find(|k| !live.iter().any(|p| p.key == *k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::Value;
    use crate::plugin::diag::Severity;

    fn config_of(type_text: &str) -> State {
        State {
            target_id: Value::known("vm-1".into()),
            property_id: Value::known("port".into()),
            user_configurable: Value::known(true),
            r#type: Value::known(type_text.into()),
            ..State::default()
        }
    }

    fn errors(d: &Diags) -> Vec<String> {
        d.0.iter()
            .filter(|x| x.severity == Severity::Error)
            .map(|x| x.path.as_ref().map(ToString::to_string).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_value_out_of_range_fails_on_value() {
        let c = State { value: Value::known("300".into()), ..config_of("int(0..255)") };
        let d = config(&c);
        assert_eq!(errors(&d), ["value"]);
        assert!(d.0[0].detail.contains("300"), "{:?}", d.0[0]);
        let ok = State { value: Value::known("255".into()), ..config_of("int(0..255)") };
        assert!(config(&ok).is_empty());
    }

    #[test]
    fn value_and_sensitive_value_each_have_their_types() {
        let both =
            State { value: Value::known("a".into()), sensitive_value: Value::known("b".into()), ..config_of("string") };
        assert_eq!(errors(&config(&both)), ["sensitive_value"]);
        let both_pw = State {
            value: Value::known("a".into()),
            sensitive_value: Value::known("secret-1".into()),
            ..config_of("password")
        };
        assert_eq!(errors(&config(&both_pw)), ["value"]);
        let plain_pw = State { value: Value::known("secret-1".into()), ..config_of("password") };
        let d = config(&plain_pw);
        assert_eq!(errors(&d), ["value"]);
        assert!(!format!("{d:?}").contains("secret-1"));
        let hidden_string = State { sensitive_value: Value::known("x".into()), ..config_of("string") };
        assert_eq!(errors(&config(&hidden_string)), ["sensitive_value"]);
        let neither = config_of("password");
        assert!(config(&neither).is_empty(), "a property may rely on its default");
    }

    #[test]
    fn the_write_only_form_is_checked_on_its_own_attribute() {
        let wo = |v: &str| State {
            sensitive_value_wo: Value::known(v.into()),
            sensitive_value_wo_version: Value::known(1),
            ..config_of("password(8..)")
        };
        assert!(config(&wo("long-enough-1")).is_empty());
        let d = config(&wo("tiny1"));
        assert_eq!(errors(&d), ["sensitive_value_wo"]);
        assert!(d.0[0].detail.starts_with("sensitive_value_wo is not valid for type `password(8..)`"), "{d:?}");
        assert!(!format!("{d:?}").contains("tiny1"), "{d:?}");
        let both = State { sensitive_value: Value::known("long-enough-2".into()), ..wo("long-enough-1") };
        assert_eq!(errors(&config(&both)), ["sensitive_value"]);
        let with_value = State { value: Value::known("x".into()), ..wo("long-enough-1") };
        assert!(errors(&config(&with_value)).contains(&"value".to_owned()));
        let plain = State { r#type: Value::known("string".into()), ..wo("long-enough-1") };
        assert_eq!(errors(&config(&plain)), ["sensitive_value_wo"]);
        let version_alone = State { sensitive_value_wo_version: Value::known(1), ..config_of("password") };
        assert_eq!(errors(&config(&version_alone)), ["sensitive_value_wo_version"]);
        // Not known yet (an ephemeral value): judged at apply.
        let unknown = State { sensitive_value_wo: Value::Unknown, ..wo("") };
        assert!(config(&unknown).is_empty());
    }

    #[test]
    fn password_errors_never_show_the_value() {
        let c = State { sensitive_value: Value::known("tiny1".into()), ..config_of("password(8..)") };
        let d = config(&c);
        assert_eq!(errors(&d), ["sensitive_value"]);
        assert!(!format!("{d:?}").contains("tiny1"), "{d:?}");
    }

    #[test]
    fn unknown_values_are_left_for_apply() {
        let c = State { value: Value::Unknown, ..config_of("int(0..255)") };
        assert!(config(&c).is_empty());
        let c = State { value: Value::known("300".into()), r#type: Value::Unknown, ..config_of("") };
        assert!(config(&c).is_empty());
        let c = State { property_id: Value::Unknown, key: Value::Unknown, ..config_of("string") };
        assert!(config(&c).is_empty());
        let c = State { sensitive_value: Value::Unknown, r#type: Value::Unknown, ..config_of("") };
        assert!(config(&c).is_empty());
        // Known problems elsewhere are still reported.
        let c = State { value: Value::Unknown, key: Value::known(-1), ..config_of("int(0..255)") };
        assert_eq!(errors(&config(&c)), ["key"]);
    }

    #[test]
    fn bad_types_and_ids_land_on_their_attributes() {
        assert_eq!(errors(&config(&config_of("integer"))), ["type"]);
        let c = State { property_id: Value::known("two words".into()), ..config_of("string") };
        assert_eq!(errors(&config(&c)), ["property_id"]);
        let c = State { default_value: Value::known("maybe".into()), ..config_of("boolean") };
        assert_eq!(errors(&config(&c)), ["default_value"]);
    }

    fn live(key: i64, id: &str) -> VAppPropertyInfo {
        VAppPropertyInfo {
            key,
            id: Some(id.into()),
            r#type: Some("string".into()),
            user_configurable: Some(true),
            ..Default::default()
        }
    }

    #[test]
    fn clashes_with_other_properties_name_them() {
        let me = config_of("string");
        let on_target = [live(0, "hostname"), live(1, "port")];
        let d = against_live(
            &me,
            &Slot { key: 5, key_chosen: true, own_key: None, target_id: "vm-1" },
            &on_target,
            Twin::Refuse,
        );
        assert_eq!(errors(&d), ["property_id"]);
        assert!(d.0[0].detail.contains("`port` (key 1)") && d.0[0].detail.contains("vm-1:1"), "{:?}", d.0[0]);
        let d = against_live(
            &me,
            &Slot { key: 0, key_chosen: true, own_key: None, target_id: "vm-1" },
            &on_target,
            Twin::Refuse,
        );
        assert_eq!(errors(&d), ["key", "property_id"]);
        // A key still to be chosen cannot clash.
        let d = against_live(
            &me,
            &Slot { key: 0, key_chosen: false, own_key: None, target_id: "vm-1" },
            &on_target,
            Twin::Refuse,
        );
        assert_eq!(errors(&d), ["property_id"]);
        // Its own entry is not a clash.
        assert!(
            against_live(
                &me,
                &Slot { key: 1, key_chosen: true, own_key: Some(1), target_id: "vm-1" },
                &on_target,
                Twin::Refuse
            )
            .is_empty()
        );
        // Re-keying to a free key, with its old entry still there.
        assert!(
            against_live(
                &me,
                &Slot { key: 7, key_chosen: true, own_key: Some(1), target_id: "vm-1" },
                &on_target,
                Twin::Refuse
            )
            .is_empty()
        );
        // Unknown ids are checked at apply.
        let unknown = State { property_id: Value::Unknown, ..me };
        assert!(
            against_live(
                &unknown,
                &Slot { key: 0, key_chosen: true, own_key: None, target_id: "vm-1" },
                &on_target,
                Twin::Refuse
            )
            .is_empty()
        );
    }

    #[test]
    fn a_twin_is_only_a_warning_when_lenient() {
        let me = State { value: Value::known("80".into()), ..config_of("string") };
        let twin = VAppPropertyInfo { value: Some("80".into()), ..live(1, "port") };
        let d = against_live(
            &me,
            &Slot { key: 1, key_chosen: true, own_key: None, target_id: "vm-1" },
            std::slice::from_ref(&twin),
            Twin::Warn,
        );
        assert!(!d.has_errors() && d.0.len() == 2, "{d:?}");
        let d = against_live(
            &me,
            &Slot { key: 3, key_chosen: false, own_key: None, target_id: "vm-1" },
            std::slice::from_ref(&twin),
            Twin::Warn,
        );
        assert!(!d.has_errors() && d.0.len() == 1, "{d:?}");
        assert!(
            against_live(
                &me,
                &Slot { key: 1, key_chosen: true, own_key: None, target_id: "vm-1" },
                std::slice::from_ref(&twin),
                Twin::Refuse
            )
            .has_errors()
        );
        let other = VAppPropertyInfo { value: Some("81".into()), ..twin };
        assert!(
            against_live(
                &me,
                &Slot { key: 1, key_chosen: true, own_key: None, target_id: "vm-1" },
                &[other],
                Twin::Warn
            )
            .has_errors()
        );
    }

    #[test]
    fn next_free_keys() {
        assert_eq!(next_free_key(&[]), Some(0));
        assert_eq!(next_free_key(&[live(0, "a"), live(4, "b")]), Some(5));
        assert_eq!(next_free_key(&[live(i64::from(i32::MAX), "a")]), Some(0));
        assert_eq!(next_free_key(&[live(0, "a"), live(i64::from(i32::MAX), "b")]), Some(1));
        assert_eq!(next_free_key(&[live(-3, "a")]), Some(0));
    }
}
