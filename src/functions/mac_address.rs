//! `mac_address_parse` and `mac_address_problem`: MAC addresses and
//! VMware's ranges, as `vi_vm` checks a `network_interface.mac_address` at
//! plan (`rules::mac_address`).
use super::{object, object_type, problem};
use crate::plugin::{Args, Dyn, Function, FunctionError, Parameter, Signature, Type};
use crate::rules::mac_address::{MacClass, check_mac, classify_mac, format_mac, is_multicast, parse_mac};

fn mac_parameter() -> Parameter {
    Parameter::new("mac_address", Type::String, "The address: six colon-separated pairs of hex digits.")
}

pub struct Parse;

impl Function for Parse {
    fn name(&self) -> &'static str {
        "mac_address_parse"
    }

    fn summary(&self) -> &'static str {
        "Parses a MAC address and says which of VMware's ranges it is in"
    }

    fn description(&self) -> &'static str {
        "Parses a MAC address (`00:50:56:0a:0b:0c`, hex digits in either case) and returns `address`, its \
         canonical lower-case form as vSphere reports it; `range`: `static` (`00:50:56:00:00:00`–\
         `00:50:56:3f:ff:ff`, the range for addresses set by hand), `generated` (vCenter's \
         `00:50:56:80:00:00`–`00:50:56:bf:ff:ff` or ESXi's `00:0c:29:…`) or `other`; and `multicast`. A string \
         that is no MAC address fails with the message `vi_vm` gives."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![mac_parameter()],
            variadic: None,
            returns: object_type(&[("address", Type::String), ("range", Type::String), ("multicast", Type::Bool)]),
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let mac = parse_mac(args.string(0)?).map_err(|e| FunctionError::at(0, e.to_string()))?;
        let range = match classify_mac(&mac) {
            MacClass::Static => "static",
            MacClass::Generated => "generated",
            MacClass::Other => "other",
        };
        Ok(object(vec![
            ("address", Dyn::String(format_mac(&mac))),
            ("range", range.into()),
            ("multicast", Dyn::Bool(is_multicast(&mac))),
        ]))
    }
}

pub struct Problem;

impl Function for Problem {
    fn name(&self) -> &'static str {
        "mac_address_problem"
    }

    fn summary(&self) -> &'static str {
        "What is wrong with a MAC address set by hand; empty when vi_vm accepts it"
    }

    fn description(&self) -> &'static str {
        "Checks a `network_interface.mac_address` as `vi_vm` does at plan with `mac_address_check` left on, and \
         returns the resource's message — not a MAC address, multicast, all zeros, outside VMware's ranges — or \
         `\"\"` when the resource accepts it. An address in a range vSphere generates from is accepted (the \
         resource warns that vSphere may replace it); to require the static range, test \
         `provider::vi::mac_address_parse(mac).range == \"static\"`. Made for `validation` blocks."
    }

    fn signature(&self) -> Signature {
        Signature { parameters: vec![mac_parameter()], variadic: None, returns: Type::String }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        Ok(problem(check_mac(args.string(0)?, true).map(drop)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: &dyn Function, mac: &str) -> Result<Dyn, FunctionError> {
        f.call(&Args::of(vec![mac.into()], &f.signature()))
    }

    #[test]
    fn addresses_parse_with_their_range() {
        let p = call(&Parse, "00:50:56:0A:0B:0C").unwrap();
        assert_eq!(p.attr("address"), Some(&Dyn::from("00:50:56:0a:0b:0c")));
        assert_eq!(p.attr("range"), Some(&Dyn::from("static")));
        assert_eq!(p.attr("multicast"), Some(&Dyn::Bool(false)));
        assert_eq!(call(&Parse, "00:50:56:80:00:01").unwrap().attr("range"), Some(&Dyn::from("generated")));
        assert_eq!(call(&Parse, "01:00:5e:00:00:01").unwrap().attr("multicast"), Some(&Dyn::Bool(true)));
        let e = call(&Parse, "00-50-56-0a-0b-0c").unwrap_err();
        assert_eq!((e.argument, e.text), (Some(0), parse_mac("00-50-56-0a-0b-0c").unwrap_err().to_string()));
    }

    #[test]
    fn problems_are_the_resources_messages() {
        assert_eq!(call(&Problem, "00:50:56:00:00:01").unwrap(), Dyn::from(""));
        assert_eq!(call(&Problem, "00:50:56:80:00:01").unwrap(), Dyn::from(""), "a warning, not a refusal");
        let other = call(&Problem, "02:00:00:00:00:01").unwrap();
        assert_eq!(other, Dyn::String(check_mac("02:00:00:00:00:01", true).unwrap_err().to_string()));
        let Dyn::String(zero) = call(&Problem, "00:00:00:00:00:00").unwrap() else { panic!() };
        assert!(zero.contains("all zeros"), "{zero}");
    }
}
