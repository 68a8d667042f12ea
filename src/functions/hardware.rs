//! `hardware_version_limits`, `hardware_memory_problem` and
//! `hardware_cpu_problem`: the per-version limits and the memory and vCPU
//! rules `vi_vm` checks at plan (`rules::hardware`,
//! `rules::hardware_version`).
use super::{object, object_type, opt_number, opt_string, problem};
use crate::plugin::{Args, Dyn, Function, FunctionError, Parameter, Signature, Type};
use crate::rules::hardware::{HardwareError, check_cpus, check_memory};
use crate::rules::hardware_version::HardwareVersion;

fn version_parameter() -> Parameter {
    Parameter::new(
        "hardware_version",
        Type::String,
        "The virtual hardware version: `19`, `\"19\"` or `\"vmx-19\"`; null for none set (the host's newest, so \
         the loosest limits).",
    )
    .nullable()
}

/// The version argument at `i`: None when null.
fn version(args: &Args, i: usize) -> Result<Option<Result<HardwareVersion, HardwareError>>, FunctionError> {
    Ok(args.opt_string(i)?.map(HardwareVersion::parse))
}

pub struct VersionLimits;

impl Function for VersionLimits {
    fn name(&self) -> &'static str {
        "hardware_version_limits"
    }

    fn summary(&self) -> &'static str {
        "The memory and vCPU limits of a virtual hardware version"
    }

    fn description(&self) -> &'static str {
        "Returns what a virtual hardware version allows, as `vi_vm` checks it at plan: `max_memory_mb`, \
         `max_vcpus` and `max_cores_per_socket`, with the version as a number (`version`) and as vSphere writes \
         it (`vmx`, e.g. `vmx-19`). With a null version (none set: the host picks its newest) the limits are the \
         newest known version's and `version` and `vmx` are null. A version ESXi does not support fails with the \
         resource's message."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![version_parameter()],
            variadic: None,
            returns: object_type(&[
                ("version", Type::Number),
                ("vmx", Type::String),
                ("max_memory_mb", Type::Number),
                ("max_vcpus", Type::Number),
                ("max_cores_per_socket", Type::Number),
            ]),
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let v = version(args, 0)?.transpose().map_err(|e| FunctionError::at(0, e.to_string()))?;
        let limits = v.unwrap_or(HardwareVersion::MAX).limits();
        Ok(object(vec![
            ("version", opt_number(v.map(|v| i64::from(v.number())))),
            ("vmx", opt_string(v.map(HardwareVersion::to_vmx))),
            ("max_memory_mb", limits.max_memory_mb.into()),
            ("max_vcpus", limits.max_vcpus.into()),
            ("max_cores_per_socket", limits.max_cores_per_socket.into()),
        ]))
    }
}

pub struct MemoryProblem;

impl Function for MemoryProblem {
    fn name(&self) -> &'static str {
        "hardware_memory_problem"
    }

    fn summary(&self) -> &'static str {
        "What is wrong with a VM's memory size for a hardware version; empty when it fits"
    }

    fn description(&self) -> &'static str {
        "Checks a `vi_vm` `memory` (MB) as the resource does at plan — at least 4 MB, a multiple of 4 MB, at most \
         what the hardware version allows — and returns the resource's message, or `\"\"` when it fits. An \
         invalid hardware version is the problem reported. Made for `validation` blocks."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("memory", Type::Number, "Memory in MB, as `vi_vm.memory`."),
                version_parameter(),
            ],
            variadic: None,
            returns: Type::String,
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let mb = args.integer(0)?;
        Ok(problem(match version(args, 1)? {
            Some(Err(e)) => Err(e),
            v => check_memory(mb, v.and_then(Result::ok).map(|v| i64::from(v.number()))),
        }))
    }
}

pub struct CpuProblem;

impl Function for CpuProblem {
    fn name(&self) -> &'static str {
        "hardware_cpu_problem"
    }

    fn summary(&self) -> &'static str {
        "What is wrong with a VM's vCPUs and cores per socket for a hardware version; empty when they fit"
    }

    fn description(&self) -> &'static str {
        "Checks a `vi_vm`'s `num_cpus` and `num_cores_per_socket` as the resource does at plan — at least one of \
         each, whole sockets, at most 128 sockets, within the hardware version's vCPU and cores-per-socket \
         maximums, one or an even number of vCPUs on ESX 3.x hardware — and returns the resource's message, or \
         `\"\"` when they fit. An invalid hardware version is the problem reported. Made for `validation` blocks."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("num_cpus", Type::Number, "vCPUs, as `vi_vm.num_cpus`."),
                Parameter::new(
                    "num_cores_per_socket",
                    Type::Number,
                    "Cores per socket, as `vi_vm.num_cores_per_socket`; null means 1.",
                )
                .nullable(),
                version_parameter(),
            ],
            variadic: None,
            returns: Type::String,
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let cpus = args.integer(0)?;
        let cores = args.opt_integer(1)?;
        Ok(problem(match version(args, 2)? {
            Some(Err(e)) => Err(e),
            v => check_cpus(cpus, cores, v.and_then(Result::ok).map(|v| i64::from(v.number()))),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: &dyn Function, args: Vec<Dyn>) -> Result<Dyn, FunctionError> {
        f.call(&Args::of(args, &f.signature()))
    }

    fn text(v: Dyn) -> String {
        match v {
            Dyn::String(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn limits_by_version() {
        let l = call(&VersionLimits, vec!["vmx-07".into()]).unwrap();
        assert_eq!(l.attr("version"), Some(&Dyn::from(7i64)));
        assert_eq!(l.attr("vmx"), Some(&Dyn::from("vmx-07")));
        assert_eq!(l.attr("max_memory_mb"), Some(&Dyn::from(255i64 * 1024)));
        assert_eq!(l.attr("max_vcpus"), Some(&Dyn::from(8i64)));
        let newest = call(&VersionLimits, vec![Dyn::Null]).unwrap();
        assert_eq!(newest.attr("version"), Some(&Dyn::Null));
        assert_eq!(newest.attr("max_memory_mb"), Some(&Dyn::from(HardwareVersion::MAX.limits().max_memory_mb)));
        let bad = call(&VersionLimits, vec!["12".into()]).unwrap_err();
        assert_eq!((bad.argument, bad.text), (Some(0), HardwareVersion::parse("12").unwrap_err().to_string()));
    }

    #[test]
    fn memory_problems_are_the_resources_messages() {
        let p = |mb: i64, v: Dyn| text(call(&MemoryProblem, vec![mb.into(), v]).unwrap());
        assert_eq!(p(4096, "19".into()), "");
        assert_eq!(p(300 * 1024, "7".into()), check_memory(300 * 1024, Some(7)).unwrap_err().to_string());
        assert!(p(4097, Dyn::Null).contains("not a multiple of 4 MB; use 4096 or 4100"));
        assert!(p(4096, "vmx-99".into()).starts_with("hardware_version 99 is not one ESXi supports"));
        let frac = call(&MemoryProblem, vec![Dyn::Number(serde_json::Number::from_f64(1.5).unwrap()), Dyn::Null]);
        assert_eq!(frac.unwrap_err().argument, Some(0));
    }

    #[test]
    fn cpu_problems_are_the_resources_messages() {
        let p = |n: i64, c: Dyn, v: Dyn| text(call(&CpuProblem, vec![n.into(), c, v]).unwrap());
        assert_eq!(p(4, 2i64.into(), "19".into()), "");
        assert_eq!(p(6, 4i64.into(), Dyn::Null), check_cpus(6, Some(4), None).unwrap_err().to_string());
        assert!(p(16, Dyn::Null, "7".into()).contains("at most 8"));
        assert!(p(3, Dyn::Null, "4".into()).contains("1 or an even number"));
    }
}
