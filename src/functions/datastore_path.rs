//! `datastore_path_parse` and `datastore_path_build`: `[datastore]
//! dir/file` paths by the rules `vi_vm` (`cdrom`, `extra disks`) and
//! `vi_datastore_upload` check at plan (`rules::datastore_path`).
use super::{object, object_type};
use crate::plugin::{Args, Dyn, Function, FunctionError, Parameter, Signature, Type};
use crate::rules::datastore_path::DatastorePath;

pub struct Parse;

impl Function for Parse {
    fn name(&self) -> &'static str {
        "datastore_path_parse"
    }

    fn summary(&self) -> &'static str {
        "Parses a `[datastore] dir/file` path into its parts"
    }

    fn description(&self) -> &'static str {
        "Parses a datastore path, `[datastore] dir/file` (or `[datastore]` for the datastore's root), and returns \
         `datastore`, `path` (relative to the datastore's root; `\"\"` for the root), `directory` (the path without \
         its last segment) and `file_name` (its last segment). A path the provider would refuse at plan — no \
         brackets, an absolute path, `..` or `.` segments, empty segments, stray white-space, control characters \
         — fails with the same message."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter::new(
                "path",
                Type::String,
                "The datastore path, e.g. `[datastore1] iso/x.iso`.",
            )],
            variadic: None,
            returns: object_type(&[
                ("datastore", Type::String),
                ("path", Type::String),
                ("directory", Type::String),
                ("file_name", Type::String),
            ]),
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let p = DatastorePath::parse(args.string(0)?).map_err(|e| FunctionError::at(0, e.to_string()))?;
        let (directory, file_name) = p.path.rsplit_once('/').unwrap_or(("", p.path.as_str()));
        Ok(object(vec![
            ("datastore", p.datastore.as_str().into()),
            ("path", p.path.as_str().into()),
            ("directory", directory.into()),
            ("file_name", file_name.into()),
        ]))
    }
}

pub struct Build;

impl Function for Build {
    fn name(&self) -> &'static str {
        "datastore_path_build"
    }

    fn summary(&self) -> &'static str {
        "Builds a `[datastore] dir/file` path from a datastore name and path segments"
    }

    fn description(&self) -> &'static str {
        "Builds a datastore path from a datastore name and any number of path segments, joined with `/`: \
         `datastore_path_build(\"datastore1\", \"iso\", \"x.iso\")` is `[datastore1] iso/x.iso`; with no segment it \
         is the datastore's root, `[datastore1]`. A segment may itself hold `/`. The datastore name and the path \
         are checked by the rules the resources apply at plan, and a failure names the argument at fault."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter::new("datastore", Type::String, "The datastore's name, e.g. `datastore1`.")],
            variadic: Some(Parameter::new(
                "path",
                Type::String,
                "Path segments below the datastore's root, e.g. `\"iso\", \"x.iso\"` or `\"iso/x.iso\"`.",
            )),
            returns: Type::String,
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let datastore = args.string(0)?;
        DatastorePath::new(datastore, "").map_err(|e| FunctionError::at(0, e.to_string()))?;
        let mut segments = Vec::new();
        for (i, _) in args.variadic() {
            let s = args.string(i)?;
            DatastorePath::new(datastore, s).map_err(|e| FunctionError::at(i, e.to_string()))?;
            segments.push((i, s));
        }
        let path: Vec<&str> = segments.iter().map(|(_, s)| *s).collect();
        // Each segment is fine alone; together only an empty one can fail
        // (`a//b`, a trailing `/`): point at it.
        DatastorePath::new(datastore, &path.join("/")).map(|p| Dyn::String(p.to_string())).map_err(|e| {
            let at = segments.iter().find(|(_, s)| s.is_empty()).map_or(1, |(i, _)| *i);
            FunctionError::at(at, e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: &dyn Function, args: &[&str]) -> Result<Dyn, FunctionError> {
        f.call(&Args::of(args.iter().map(|a| Dyn::from(*a)).collect(), &f.signature()))
    }

    #[test]
    fn paths_parse_into_their_parts() {
        let p = call(&Parse, &["[datastore 1] iso/linux/x.iso"]).unwrap();
        assert_eq!(p.attr("datastore"), Some(&Dyn::from("datastore 1")));
        assert_eq!(p.attr("path"), Some(&Dyn::from("iso/linux/x.iso")));
        assert_eq!(p.attr("directory"), Some(&Dyn::from("iso/linux")));
        assert_eq!(p.attr("file_name"), Some(&Dyn::from("x.iso")));
        let root = call(&Parse, &["[ds]"]).unwrap();
        assert_eq!((root.attr("path"), root.attr("file_name")), (Some(&Dyn::from("")), Some(&Dyn::from(""))));
        let top = call(&Parse, &["[ds] x.iso"]).unwrap();
        assert_eq!((top.attr("directory"), top.attr("file_name")), (Some(&Dyn::from("")), Some(&Dyn::from("x.iso"))));
    }

    #[test]
    fn bad_paths_fail_with_the_rules_message() {
        let e = call(&Parse, &["[ds] ../etc/passwd"]).unwrap_err();
        assert_eq!(e.text, DatastorePath::parse("[ds] ../etc/passwd").unwrap_err().to_string());
        assert_eq!(e.argument, Some(0));
        assert!(call(&Parse, &["iso/x.iso"]).unwrap_err().text.contains("datastore name in brackets"));
    }

    #[test]
    fn paths_are_built_and_each_failure_names_its_argument() {
        assert_eq!(call(&Build, &["ds1", "iso", "x.iso"]).unwrap(), Dyn::from("[ds1] iso/x.iso"));
        assert_eq!(call(&Build, &["ds1", "iso/x.iso"]).unwrap(), Dyn::from("[ds1] iso/x.iso"));
        assert_eq!(call(&Build, &["ds1"]).unwrap(), Dyn::from("[ds1]"));
        assert_eq!(call(&Build, &["ds[1]", "x"]).unwrap_err().argument, Some(0));
        let e = call(&Build, &["ds1", "iso", "../x"]).unwrap_err();
        assert_eq!(e.argument, Some(2));
        assert!(e.text.contains("`..` segment"), "{}", e.text);
        assert_eq!(call(&Build, &["ds1", "iso", "", "x"]).unwrap_err().argument, Some(2));
        // What is built parses back to the same parts.
        let built = call(&Build, &["my ds", "a b", "c.iso"]).unwrap();
        let Dyn::String(text) = built else { panic!() };
        let back = call(&Parse, &[&text]).unwrap();
        assert_eq!(back.attr("path"), Some(&Dyn::from("a b/c.iso")));
    }
}
