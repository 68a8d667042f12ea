//! Splitting a `vpx://` path into datacenter and compute resource.
//!
//! libvirt's form is `[folder/…/]datacenter/[folder/…/][cluster/]host`:
//! datacenters and clusters may sit in folders, which must be named too, and
//! a host in a cluster is named after its cluster. The text alone cannot say
//! where the datacenter is (`dc1/cluster1/esx1` and `folder1/dc1/esx1` look
//! alike), so the split follows what the inventory holds: leading folders up
//! to the first datacenter, then (under the datacenter's `host` folder)
//! folders up to a cluster or standalone host, then, after a cluster, one host.
//!
//! This provider also accepts a path that stops at the datacenter or at a
//! cluster, since a Terraform configuration targets a whole datacenter or
//! cluster more often than one host.
//!
//! The walk is sans-I/O: [`InventoryWalk::lookup_path`] names the inventory
//! path whose object kind is needed next; the caller looks it up (e.g. with
//! `SearchIndex.FindByInventoryPath`) and feeds the kind to
//! [`InventoryWalk::answer`].

use std::fmt;

/// The kind of managed object found at an inventory path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InventoryKind {
    Folder,
    Datacenter,
    /// A standalone host's compute resource.
    ComputeResource,
    ClusterComputeResource,
    HostSystem,
    /// Anything else (a VM, a network, …).
    Other,
}

impl InventoryKind {
    /// From a managed object reference's type (`"Folder"`, `"Datacenter"`, …).
    pub fn from_type_name(type_name: &str) -> Self {
        match type_name {
            "Folder" => InventoryKind::Folder,
            "Datacenter" => InventoryKind::Datacenter,
            "ComputeResource" => InventoryKind::ComputeResource,
            "ClusterComputeResource" => InventoryKind::ClusterComputeResource,
            "HostSystem" => InventoryKind::HostSystem,
            _ => InventoryKind::Other,
        }
    }
}

impl fmt::Display for InventoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InventoryKind::Folder => "a folder",
            InventoryKind::Datacenter => "a datacenter",
            InventoryKind::ComputeResource => "a standalone host",
            InventoryKind::ClusterComputeResource => "a cluster",
            InventoryKind::HostSystem => "a host",
            InventoryKind::Other => "neither a folder, datacenter, cluster nor host",
        })
    }
}

/// Where a `vpx://` path points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpxTarget {
    /// Folders and datacenter, e.g. `folder1/dc1`.
    pub datacenter_path: String,
    /// The datacenter's name, e.g. `dc1`.
    pub datacenter: String,
    /// Below the datacenter's host folder, e.g. `folder2/cluster1/esx1`;
    /// `None` when the path stops at the datacenter. Its inventory path is
    /// `{datacenter_path}/host/{compute_path}`.
    pub compute_path: Option<String>,
    /// The ESX host named by the path, if it names one.
    pub host: Option<String>,
}

/// Why a `vpx://` path does not fit the inventory. Paths are shown as the
/// elements given in the URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryPathError {
    #[error("the vpx:// path is empty; nothing to look up")]
    EmptyPath,
    #[error("`{path}` in the vpx:// URL was not found in the inventory")]
    NotFound { path: String },
    #[error(
        "`{path}` in the vpx:// URL is {found}, where {expected} was expected \
         (the path is [folder/…/]datacenter[/[folder/…/][cluster/]host])"
    )]
    UnexpectedKind { path: String, found: InventoryKind, expected: &'static str },
    #[error("the vpx:// path `{path}` ends at a folder; it must go on to a {expected}")]
    EndsAtFolder { path: String, expected: &'static str },
    #[error("`{at}` in the vpx:// URL is {kind}, so nothing may follow it, but the path goes on with `{rest}`")]
    TrailingElements { at: String, kind: InventoryKind, rest: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Looking for the datacenter through leading folders.
    Datacenter,
    /// Below datacenter `dc`: folders up to a cluster or standalone host.
    Compute { dc: usize },
    /// The element after cluster: must be a host.
    ClusterHost { dc: usize },
}

/// One step at a time through a `vpx://` path; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryWalk {
    segments: Vec<String>,
    phase: Phase,
    /// The element being looked up.
    index: usize,
}

/// What the walk needs after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkStep {
    /// Look up [`InventoryWalk::lookup_path`] and answer again.
    Lookup(InventoryWalk),
    /// The path is resolved.
    Done(VpxTarget),
}

impl InventoryWalk {
    /// Starts a walk over path elements (as in
    /// [`ConnectionUri::inventory_path`](super::connection_uri::ConnectionUri::inventory_path)).
    pub fn new(segments: Vec<String>) -> Result<Self, InventoryPathError> {
        if segments.is_empty() {
            return Err(InventoryPathError::EmptyPath);
        }
        Ok(InventoryWalk { segments, phase: Phase::Datacenter, index: 0 })
    }

    /// The inventory path whose object kind is needed now, e.g. `folder1`,
    /// `folder1/dc1`, then `folder1/dc1/host/cluster1`.
    pub fn lookup_path(&self) -> String {
        match self.phase {
            Phase::Datacenter => self.segments[..=self.index].join("/"),
            Phase::Compute { dc } | Phase::ClusterHost { dc } => {
                format!("{}/host/{}", self.segments[..=dc].join("/"), self.segments[dc + 1..=self.index].join("/"))
            }
        }
    }

    /// Feeds the kind of the object at [`lookup_path`](Self::lookup_path)
    /// (`None`: nothing there).
    pub fn answer(self, kind: Option<InventoryKind>) -> Result<WalkStep, InventoryPathError> {
        let shown = self.segments[..=self.index].join("/");
        let last = self.index + 1 == self.segments.len();
        let Some(kind) = kind else {
            return Err(InventoryPathError::NotFound { path: shown });
        };
        match (self.phase, kind) {
            (Phase::Datacenter, InventoryKind::Folder) => self.next_in(Phase::Datacenter, shown, "datacenter"),
            (Phase::Datacenter, InventoryKind::Datacenter) => {
                if last {
                    Ok(WalkStep::Done(self.target(self.index, None, None)))
                } else {
                    Ok(WalkStep::Lookup(InventoryWalk {
                        phase: Phase::Compute { dc: self.index },
                        index: self.index + 1,
                        segments: self.segments,
                    }))
                }
            }
            (Phase::Datacenter, found) => {
                Err(InventoryPathError::UnexpectedKind { path: shown, found, expected: "a folder or datacenter" })
            }
            (Phase::Compute { dc }, InventoryKind::Folder) => {
                self.next_in(Phase::Compute { dc }, shown, "cluster or host")
            }
            (Phase::Compute { dc }, InventoryKind::ComputeResource | InventoryKind::HostSystem) => {
                self.finish_at(dc, kind, shown)
            }
            (Phase::Compute { dc }, InventoryKind::ClusterComputeResource) => {
                if last {
                    Ok(WalkStep::Done(self.target(dc, Some(self.index), None)))
                } else {
                    Ok(WalkStep::Lookup(InventoryWalk {
                        phase: Phase::ClusterHost { dc },
                        index: self.index + 1,
                        segments: self.segments,
                    }))
                }
            }
            (Phase::Compute { .. }, found) => {
                Err(InventoryPathError::UnexpectedKind { path: shown, found, expected: "a folder, cluster or host" })
            }
            (Phase::ClusterHost { dc }, InventoryKind::HostSystem) => self.finish_at(dc, kind, shown),
            (Phase::ClusterHost { .. }, found) => {
                Err(InventoryPathError::UnexpectedKind { path: shown, found, expected: "a host in the cluster" })
            }
        }
    }

    /// After a folder: go on to the next element, or fail if there is none.
    fn next_in(self, phase: Phase, shown: String, expected: &'static str) -> Result<WalkStep, InventoryPathError> {
        if self.index + 1 == self.segments.len() {
            return Err(InventoryPathError::EndsAtFolder { path: shown, expected });
        }
        Ok(WalkStep::Lookup(InventoryWalk { phase, index: self.index + 1, segments: self.segments }))
    }

    /// A host (standalone or in a cluster) ends the path.
    fn finish_at(self, dc: usize, kind: InventoryKind, shown: String) -> Result<WalkStep, InventoryPathError> {
        if self.index + 1 != self.segments.len() {
            return Err(InventoryPathError::TrailingElements {
                at: shown,
                kind,
                rest: self.segments[self.index + 1..].join("/"),
            });
        }
        let host = Some(self.segments[self.index].clone());
        Ok(WalkStep::Done(self.target(dc, Some(self.index), host)))
    }

    fn target(&self, dc: usize, compute_end: Option<usize>, host: Option<String>) -> VpxTarget {
        VpxTarget {
            datacenter_path: self.segments[..=dc].join("/"),
            datacenter: self.segments[dc].clone(),
            compute_path: compute_end.map(|end| self.segments[dc + 1..=end].join("/")),
            host,
        }
    }
}

/// Runs a whole walk with a synchronous `classify` (inventory path → kind).
pub fn walk_inventory_path(
    segments: &[String],
    mut classify: impl FnMut(&str) -> Option<InventoryKind>,
) -> Result<VpxTarget, InventoryPathError> {
    let mut walk = InventoryWalk::new(segments.to_vec())?;
    loop {
        let kind = classify(&walk.lookup_path());
        match walk.answer(kind)? {
            WalkStep::Lookup(next) => walk = next,
            WalkStep::Done(target) => return Ok(target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InventoryKind::*;
    use std::collections::HashMap;

    /// (path, datacenter_path, datacenter, compute_path, host)
    type SplitCase = (&'static str, &'static str, &'static str, Option<&'static str>, Option<&'static str>);
    type ErrorCase = (&'static str, fn(&InventoryPathError) -> bool);

    /// An inventory: inventory path → kind.
    fn inventory() -> HashMap<&'static str, InventoryKind> {
        HashMap::from([
            ("dc1", Datacenter),
            ("dc1/host/srv1", ComputeResource),
            ("dc1/host/srv1/srv1", HostSystem),
            ("dc1/host/cluster1", ClusterComputeResource),
            ("dc1/host/cluster1/example-esx.com", HostSystem),
            ("dc1/host/folder2", Folder),
            ("dc1/host/folder2/cluster2", ClusterComputeResource),
            ("dc1/host/folder2/cluster2/esx2", HostSystem),
            ("dc1/vm", Folder),
            ("folder1", Folder),
            ("folder1/sub", Folder),
            ("folder1/dc1", Datacenter),
            ("folder1/dc1/host/folder2", Folder),
            ("folder1/dc1/host/folder2/example-esx.com", ComputeResource),
            ("folder1/sub/dc9", Datacenter),
            ("folder1/sub/dc9/host/c9", ClusterComputeResource),
            ("folder1/sub/dc9/host/c9/h9", HostSystem),
            ("empty", Folder),
            ("vm1", Other),
        ])
    }

    fn walk(path: &str) -> Result<VpxTarget, InventoryPathError> {
        let inv = inventory();
        let segments: Vec<String> = path.split('/').map(str::to_owned).collect();
        walk_inventory_path(&segments, |p| inv.get(p).copied())
    }

    #[test]
    fn splits_like_the_inventory() {
        let table: &[SplitCase] = &[
            ("dc1", "dc1", "dc1", None, None),
            ("dc1/srv1", "dc1", "dc1", Some("srv1"), Some("srv1")),
            ("dc1/cluster1/example-esx.com", "dc1", "dc1", Some("cluster1/example-esx.com"), Some("example-esx.com")),
            ("dc1/cluster1", "dc1", "dc1", Some("cluster1"), None),
            ("dc1/folder2/cluster2/esx2", "dc1", "dc1", Some("folder2/cluster2/esx2"), Some("esx2")),
            ("folder1/dc1", "folder1/dc1", "dc1", None, None),
            (
                "folder1/dc1/folder2/example-esx.com",
                "folder1/dc1",
                "dc1",
                Some("folder2/example-esx.com"),
                Some("example-esx.com"),
            ),
            ("folder1/sub/dc9/c9/h9", "folder1/sub/dc9", "dc9", Some("c9/h9"), Some("h9")),
        ];
        for (path, dc_path, dc, compute, host) in table {
            let t = walk(path).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(t.datacenter_path, *dc_path, "{path}");
            assert_eq!(t.datacenter, *dc, "{path}");
            assert_eq!(t.compute_path.as_deref(), *compute, "{path}");
            assert_eq!(t.host.as_deref(), *host, "{path}");
        }
    }

    #[test]
    fn walk_errors() {
        use InventoryPathError as E;
        let table: &[ErrorCase] = &[
            ("nope", |e| matches!(e, E::NotFound { path } if path == "nope")),
            ("dc1/nope", |e| matches!(e, E::NotFound { path } if path == "dc1/nope")),
            ("folder1/nope", |e| matches!(e, E::NotFound { .. })),
            ("empty", |e| matches!(e, E::EndsAtFolder { expected: "datacenter", .. })),
            ("folder1/dc1/folder2", |e| matches!(e, E::EndsAtFolder { expected: "cluster or host", .. })),
            ("vm1/x", |e| matches!(e, E::UnexpectedKind { found: Other, .. })),
            ("dc1/srv1/srv1", |e| matches!(e, E::TrailingElements { rest, .. } if rest == "srv1")),
            ("dc1/cluster1/example-esx.com/x/y", |e| matches!(e, E::TrailingElements { rest, .. } if rest == "x/y")),
            ("dc1/cluster1/nope", |e| matches!(e, E::NotFound { .. })),
        ];
        for (path, check) in table {
            let e = walk(path).expect_err(path);
            assert!(check(&e), "{path}: {e:?}");
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(InventoryWalk::new(vec![]), Err(E::EmptyPath));
    }

    #[test]
    fn unexpected_kinds() {
        let seg = |p: &str| p.split('/').map(str::to_owned).collect::<Vec<_>>();
        // a cluster where a datacenter should be
        let e = walk_inventory_path(&seg("c"), |_| Some(ClusterComputeResource)).unwrap_err();
        assert!(matches!(e, InventoryPathError::UnexpectedKind { .. }));
        // a datacenter below a datacenter
        let e = walk_inventory_path(&seg("d/d"), |_| Some(Datacenter)).unwrap_err();
        assert!(matches!(e, InventoryPathError::UnexpectedKind { .. }), "{e}");
        // a folder after a cluster
        let e = walk_inventory_path(&seg("d/c/f"), |p| match p {
            "d" => Some(Datacenter),
            "d/host/c" => Some(ClusterComputeResource),
            _ => Some(Folder),
        })
        .unwrap_err();
        assert!(matches!(e, InventoryPathError::UnexpectedKind { .. }), "{e}");
    }

    #[test]
    fn lookups_are_the_inventory_paths() {
        let inv = inventory();
        let segments: Vec<String> = "folder1/dc1/folder2/example-esx.com".split('/').map(str::to_owned).collect();
        let mut asked = Vec::new();
        walk_inventory_path(&segments, |p| {
            asked.push(p.to_owned());
            inv.get(p).copied()
        })
        .unwrap();
        assert_eq!(
            asked,
            ["folder1", "folder1/dc1", "folder1/dc1/host/folder2", "folder1/dc1/host/folder2/example-esx.com",]
        );
    }

    #[test]
    fn step_by_step() {
        let walk = InventoryWalk::new(vec!["dc1".into(), "srv1".into()]).unwrap();
        assert_eq!(walk.lookup_path(), "dc1");
        let WalkStep::Lookup(walk) = walk.answer(Some(Datacenter)).unwrap() else {
            panic!("expected a lookup");
        };
        assert_eq!(walk.lookup_path(), "dc1/host/srv1");
        let WalkStep::Done(t) = walk.answer(Some(ComputeResource)).unwrap() else {
            panic!("expected the end");
        };
        assert_eq!(t.host.as_deref(), Some("srv1"));
    }

    #[test]
    fn kinds_from_type_names() {
        for (name, kind) in [
            ("Folder", Folder),
            ("Datacenter", Datacenter),
            ("ComputeResource", ComputeResource),
            ("ClusterComputeResource", ClusterComputeResource),
            ("HostSystem", HostSystem),
            ("VirtualMachine", Other),
        ] {
            assert_eq!(InventoryKind::from_type_name(name), kind);
        }
    }
}
