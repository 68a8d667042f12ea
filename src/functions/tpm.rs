//! `tpm_provisioning_allowed` and `tpm_provisioning_problem`: what the TPM
//! copy/replace table (`rules::tpm_policy`) allows an operation on a vCenter
//! version, as `vi_vm`, `vi_vapp` and `vi_catalog_item` decide at plan.
use crate::plugin::{Args, Dyn, Function, FunctionError, Parameter, Signature, Type};
use crate::rules::tpm::{TemplateOrigin, TpmOperation, TpmPolicy, VcenterVersion, allowed_policies, effective_policy};
use crate::shared::tpm::checks::policy_detail;

/// How a template came to be, as functions name it.
const ORIGINS: &[(&str, TemplateOrigin)] = &[
    ("uploaded_ovf", TemplateOrigin::UploadedOvf),
    ("imported_from_vcenter", TemplateOrigin::ImportedFromVcenter),
    ("captured_copy", TemplateOrigin::CapturedByProvider(TpmPolicy::Copy)),
    ("captured_replace", TemplateOrigin::CapturedByProvider(TpmPolicy::Replace)),
];

fn operation(args: &Args) -> Result<TpmOperation, FunctionError> {
    let name = args.string(0)?;
    TpmOperation::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = TpmOperation::ALL.iter().map(|o| o.name()).collect();
        FunctionError::at(0, format!("unknown operation {name:?}; expected one of {}", known.join(", ")))
    })
}

fn origin(args: &Args) -> Result<Option<TemplateOrigin>, FunctionError> {
    let Some(name) = args.opt_string(2)? else { return Ok(None) };
    ORIGINS.iter().find(|(n, _)| *n == name).map(|(_, o)| Some(*o)).ok_or_else(|| {
        let known: Vec<&str> = ORIGINS.iter().map(|(n, _)| *n).collect();
        FunctionError::at(
            2,
            format!("unknown template_origin {name:?}; expected one of {}, or null when unknown", known.join(", ")),
        )
    })
}

fn parameters() -> Vec<Parameter> {
    vec![
        Parameter::new(
            "operation",
            Type::String,
            "The operation: `clone_vm`, `vm_from_template`, `copy_vm_to_other_vapp`, `move_vm_to_other_vapp`, \
             `new_vm`, `add_new_vm_to_vapp`, `add_vm_from_template`, `vapp_from_vm_templates`, \
             `vapp_from_ovf_package`, `vapp_from_template`, `import_from_vcenter`, `copy_stopped_vapp`, \
             `copy_powered_on_vapp`, `save_vapp_as_template` or `vapp_template_from_ovf`.",
        ),
        Parameter::new(
            "vcenter_version",
            Type::String,
            "The vCenter's version (its `apiVersion`), e.g. `7.0.3.0`, `8.0` or `8`.",
        ),
        Parameter::new(
            "template_origin",
            Type::String,
            "For operations that instantiate a template: `uploaded_ovf`, `imported_from_vcenter`, `captured_copy` \
             or `captured_replace` (captured by this provider with that `tpm_provisioning`); null when unknown. \
             Ignored by other operations.",
        )
        .nullable(),
    ]
}

pub struct Allowed;

impl Function for Allowed {
    fn name(&self) -> &'static str {
        "tpm_provisioning_allowed"
    }

    fn summary(&self) -> &'static str {
        "The TPM provisioning policies an operation allows on a vCenter version, the default first"
    }

    fn description(&self) -> &'static str {
        "Returns the `tpm_provisioning` values (`copy`, `replace`, `new`) the TPM copy/replace table allows for an \
         operation on a vCenter version, the default (what happens when none is asked for) first. A vCenter \
         version that is not one, or is older than 7.0 (no vTPM), fails with the message the resources give."
    }

    fn signature(&self) -> Signature {
        Signature { parameters: parameters(), variadic: None, returns: Type::list(Type::String) }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let op = operation(args)?;
        let version =
            VcenterVersion::from_api_version(args.string(1)?).map_err(|e| FunctionError::at(1, e.to_string()))?;
        let allowed = allowed_policies(op, version, origin(args)?).map_err(|e| FunctionError::at(2, e.to_string()))?;
        Ok(Dyn::List(allowed.iter().map(|p| Dyn::String(p.to_string())).collect()))
    }
}

pub struct Problem;

impl Function for Problem {
    fn name(&self) -> &'static str {
        "tpm_provisioning_problem"
    }

    fn summary(&self) -> &'static str {
        "What is wrong with a tpm_provisioning for an operation on a vCenter version; empty when allowed"
    }

    fn description(&self) -> &'static str {
        "Checks a requested `tpm_provisioning` against the TPM copy/replace table for an operation on a vCenter \
         version, and returns the message the resource would give at plan — an unknown policy, a policy the \
         operation does not allow there, a vCenter too old for a vTPM — or `\"\"` when the request is allowed. \
         A null request is always allowed (the operation's default applies). Made for `validation` blocks."
    }

    fn signature(&self) -> Signature {
        let mut parameters = parameters();
        parameters.push(
            Parameter::new(
                "requested",
                Type::String,
                "The `tpm_provisioning` asked for: `copy`, `replace` or `new`; null for the default.",
            )
            .nullable(),
        );
        Signature { parameters, variadic: None, returns: Type::String }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let op = operation(args)?;
        let version = args.string(1)?;
        let origin = origin(args)?;
        let Some(requested) = args.opt_string(3)? else { return Ok(Dyn::String(String::new())) };
        let r = requested
            .parse::<TpmPolicy>()
            .and_then(|p| Ok((p, VcenterVersion::from_api_version(version)?)))
            .and_then(|(p, v)| effective_policy(op, v, origin, Some(p)));
        Ok(Dyn::String(r.err().map(|e| policy_detail(&e)).unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: &dyn Function, args: &[Option<&str>]) -> Result<Dyn, FunctionError> {
        let values = args.iter().map(|a| a.map_or(Dyn::Null, Dyn::from)).collect();
        f.call(&Args::of(values, &f.signature()))
    }

    fn strings(v: Dyn) -> Vec<String> {
        match v {
            Dyn::List(items) => items.into_iter().map(|i| if let Dyn::String(s) = i { s } else { panic!() }).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_table_by_operation_and_version() {
        let allowed = |op, v, origin| strings(call(&Allowed, &[Some(op), Some(v), origin]).unwrap());
        assert_eq!(allowed("clone_vm", "7.0.3.0", None), ["copy"]);
        assert_eq!(allowed("clone_vm", "8.0", None), ["copy", "replace"]);
        assert_eq!(allowed("vm_from_template", "8", Some("uploaded_ovf")), ["replace"]);
        assert_eq!(allowed("vm_from_template", "8", None), ["copy", "replace"]);
        assert_eq!(allowed("new_vm", "8.0.2.0", None), ["new"]);
        let old = call(&Allowed, &[Some("clone_vm"), Some("6.7"), None]).unwrap_err();
        assert_eq!((old.argument, old.text.contains("vCenter 7.0 or later")), (Some(1), true));
        assert_eq!(call(&Allowed, &[Some("cloneVm"), Some("8"), None]).unwrap_err().argument, Some(0));
        assert_eq!(call(&Allowed, &[Some("clone_vm"), Some("8"), Some("ovf")]).unwrap_err().argument, Some(2));
    }

    #[test]
    fn problems_are_the_resources_messages() {
        let problem = |op, v, origin, req| match call(&Problem, &[Some(op), Some(v), origin, req]).unwrap() {
            Dyn::String(s) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(problem("clone_vm", "8.0.2.0", None, Some("replace")), "");
        assert_eq!(problem("clone_vm", "7.0.3.0", None, None), "", "the default is always allowed");
        let v7 = problem("clone_vm", "7.0.3.0", None, Some("replace"));
        let rule = effective_policy(TpmOperation::CloneVm, VcenterVersion::V7, None, Some(TpmPolicy::Replace));
        assert_eq!(v7, policy_detail(&rule.unwrap_err()));
        assert!(v7.contains("replacing it needs vCenter 8"), "{v7}");
        let uploaded = problem("vm_from_template", "8", Some("uploaded_ovf"), Some("copy"));
        assert!(uploaded.contains("uploaded as an OVF or OVA package"), "{uploaded}");
        assert!(problem("clone_vm", "8", None, Some("clone")).contains("unknown tpm_provisioning `clone`"));
        assert!(problem("clone_vm", "6.5", None, Some("copy")).contains("vCenter 7.0 or later"));
    }
}
