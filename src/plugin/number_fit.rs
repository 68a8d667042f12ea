//! Which number in a value did not fit its typed state field, and what that
//! field accepts. serde's error ("invalid type: floating point `1e300`,
//! expected i64") names no attribute; this finds it by decoding again with
//! numbers masked, so a failed decode can say `num_cpus must be a whole
//! number from … to …`.
//!
//! Runs only after a decode has failed, so the extra decodes cost nothing on
//! the normal path.
use serde::de::DeserializeOwned;

use super::cty::{self, Dyn};
use super::diag::{AttrPath, Diags, Step};

/// Most numbers tried one by one (a state has a few dozen at most).
const MAX_NUMBERS: usize = 500;

/// One diagnostic per number that the typed state cannot hold, on its
/// attribute; None when the failure is not about numbers.
pub fn misfit_numbers<T: DeserializeOwned>(v: &Dyn) -> Option<Diags> {
    let mut paths = Vec::new();
    number_paths(v, &mut Vec::new(), &mut paths);
    if paths.is_empty() || paths.len() > MAX_NUMBERS {
        return None;
    }
    let mut masked = v.clone();
    for p in &paths {
        set(&mut masked, p, Dyn::Unknown);
    }
    if !fits::<T>(&masked) {
        return None;
    }
    let mut d = Diags::none();
    for p in &paths {
        let Some(Dyn::Number(n)) = get(v, p) else { continue };
        let mut one = masked.clone();
        set(&mut one, p, Dyn::Number(n.clone()));
        if fits::<T>(&one) {
            continue;
        }
        let path = AttrPath(p.clone());
        let accepted = accepted_range::<T>(&masked, p);
        d.push(Diags::error_at(
            path.clone(),
            "Number out of range",
            format!("{path} = {n} does not fit: {path} must be {accepted}"),
        ));
    }
    (!d.is_empty()).then_some(d)
}

fn fits<T: DeserializeOwned>(v: &Dyn) -> bool {
    serde_json::from_value::<T>(cty::to_json(v)).is_ok()
}

/// What the field at `p` holds, found by trying the edges of each integer
/// type (and a fraction) in it.
fn accepted_range<T: DeserializeOwned>(masked: &Dyn, p: &[Step]) -> String {
    let try_with = |n: serde_json::Number| {
        let mut one = masked.clone();
        set(&mut one, p, Dyn::Number(n));
        fits::<T>(&one)
    };
    if serde_json::Number::from_f64(0.5).is_some_and(try_with) {
        return "a number that vSphere can hold (a 64-bit float)".to_string();
    }
    let mins: [i64; 5] = [i64::MIN, i64::from(i32::MIN), i64::from(i16::MIN), i64::from(i8::MIN), 0];
    let maxes: [u64; 6] =
        [u64::MAX, i64::MAX.unsigned_abs(), u64::from(u32::MAX), u64::from(i32::MAX.unsigned_abs()), 65_535, 255];
    let min = mins.iter().copied().find(|m| try_with((*m).into()));
    let max = maxes.iter().copied().find(|m| try_with((*m).into()));
    match (min, max) {
        (Some(lo), Some(hi)) => format!("a whole number from {lo} to {hi}"),
        _ => "a whole number".to_string(),
    }
}

fn number_paths(v: &Dyn, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Dyn::Number(_) => out.push(at.clone()),
        Dyn::List(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(Step::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                number_paths(item, at, out);
                at.pop();
            }
        }
        Dyn::Map(m) => {
            for (k, item) in m {
                at.push(Step::Attr(k.clone()));
                number_paths(item, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn get<'a>(v: &'a Dyn, p: &[Step]) -> Option<&'a Dyn> {
    p.iter().try_fold(v, |cur, s| match (cur, s) {
        (Dyn::Map(m), Step::Attr(k) | Step::Key(k)) => m.get(k),
        (Dyn::List(items), Step::Index(i)) => usize::try_from(*i).ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn set(v: &mut Dyn, p: &[Step], new: Dyn) {
    let mut cur = v;
    for s in p {
        let next = match (cur, s) {
            (Dyn::Map(m), Step::Attr(k) | Step::Key(k)) => m.get_mut(k),
            (Dyn::List(items), Step::Index(i)) => usize::try_from(*i).ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        let Some(n) = next else { return };
        cur = n;
    }
    *cur = new;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::Value;
    use std::collections::BTreeMap;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Disk {
        size: Value<i64>,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct S {
        name: Value<String>,
        num_cpus: Value<i64>,
        ratio: Value<f64>,
        port: Value<u16>,
        disk: Vec<Disk>,
    }

    fn num(s: &str) -> Dyn {
        Dyn::Number(serde_json::from_str(s).unwrap())
    }

    fn state(cpus: Dyn, port: Dyn, size: Dyn) -> Dyn {
        Dyn::Map(BTreeMap::from([
            ("name".to_owned(), Dyn::String("a".into())),
            ("num_cpus".to_owned(), cpus),
            ("ratio".to_owned(), num("1e300")),
            ("port".to_owned(), port),
            ("disk".to_owned(), Dyn::List(vec![Dyn::Map(BTreeMap::from([("size".to_owned(), size)]))])),
        ]))
    }

    #[test]
    fn each_misfit_number_is_named_with_its_range() {
        assert!(fits::<S>(&state(num("2"), num("80"), num("10"))));
        let d = misfit_numbers::<S>(&state(num("1e300"), num("65536"), num("512.5"))).unwrap();
        let got: Vec<(String, String)> =
            d.0.iter()
                .map(|x| (x.path.as_ref().map(ToString::to_string).unwrap_or_default(), x.detail.clone()))
                .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0].0, "disk[0].size");
        assert!(
            got[0].1.contains("512.5")
                && got[0].1.contains("whole number from -9223372036854775808 to 9223372036854775807"),
            "{}",
            got[0].1
        );
        assert_eq!(got[1].0, "num_cpus");
        assert!(got[1].1.contains("1e+300"), "{}", got[1].1);
        assert_eq!(got[2].0, "port");
        assert!(got[2].1.contains("from 0 to 65535"), "{}", got[2].1);
        // 2^63 is one past i64.
        let d = misfit_numbers::<S>(&state(num("9223372036854775808"), num("1"), num("1"))).unwrap();
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("num_cpus")));
    }

    #[test]
    fn failures_not_about_numbers_are_left_alone() {
        let mut v = state(num("2"), num("80"), num("10"));
        set(&mut v, &[Step::Attr("name".into())], Dyn::Bool(true));
        assert!(misfit_numbers::<S>(&v).is_none());
    }
}
