use super::*;

/// A descriptor referencing `refs` (`(href, chunked)`).
fn descriptor(refs: &[(&str, bool)]) -> String {
    let files: String = refs
        .iter()
        .enumerate()
        .map(|(i, (href, chunked))| {
            let chunk = if *chunked { r#" ovf:chunkSize="4""# } else { "" };
            format!(r#"<File ovf:id="f{i}" ovf:href="{href}"{chunk}/>"#)
        })
        .collect();
    format!(
        r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>{files}</References>
  <VirtualSystem ovf:id="vm"><Info>x</Info><Name>vm</Name></VirtualSystem>
</Envelope>"#
    )
}

/// A ustar archive of `(name, data)` entries.
fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

fn sha(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn names(p: &OvfPackage) -> Vec<&str> {
    p.files.iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn an_ovf_with_its_files_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.ovf"), descriptor(&[("disk1.vmdk", false), ("big.vmdk", true), ("disk1.vmdk", false)]))
        .unwrap();
    std::fs::write(d.join("disk1.vmdk"), b"disk-one").unwrap();
    std::fs::write(d.join("big.vmdk.000000000"), b"abcd").unwrap();
    std::fs::write(d.join("big.vmdk.000000001"), b"ef").unwrap();
    std::fs::write(d.join("app.mf"), b"SHA256(app.ovf)= 00").unwrap();
    std::fs::write(d.join("unrelated.txt"), b"not part of it").unwrap();

    let p = open_package(&d.join("app.ovf")).unwrap();
    assert_eq!(p.kind, PackageKind::Ovf);
    assert_eq!(p.descriptor_name, "app.ovf");
    assert_eq!(names(&p), ["app.ovf", "disk1.vmdk", "big.vmdk.000000000", "big.vmdk.000000001", "app.mf"]);
    assert!(p.files.iter().all(|f| f.range.is_none()));
    assert_eq!(p.files.get(1).map(|f| (f.size, f.path.clone())), Some((8, d.join("disk1.vmdk"))));
    assert_eq!(p.descriptor.virtual_systems.len(), 1);

    let lines: Vec<(String, String)> =
        p.files.iter().map(|f| (f.name.clone(), sha(&std::fs::read(&f.path).unwrap()))).collect();
    let expected = manifest_sha256(lines.iter().map(|(n, s)| (n.as_str(), s.as_str())));
    assert_eq!(p.sha256().unwrap(), expected);

    // Any file changing changes the digest.
    std::fs::write(d.join("big.vmdk.000000001"), b"eF").unwrap();
    assert_ne!(open_package(&d.join("app.ovf")).unwrap().sha256().unwrap(), expected);
}

#[test]
fn an_ova_is_uploaded_as_ranges_of_the_archive() {
    let ovf = descriptor(&[("disk1.vmdk", false), ("nvram", false)]);
    let disk: Vec<u8> = (0..1300u32).map(|i| (i % 251) as u8).collect();
    let bytes = tar(&[
        ("app.ovf", ovf.as_bytes()),
        ("app.mf", b"manifest"),
        ("disk1.vmdk", &disk),
        ("nvram", b"nv"),
        ("README", b"ignored"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.ova");
    std::fs::write(&path, &bytes).unwrap();

    let p = open_package(&path).unwrap();
    assert_eq!(p.kind, PackageKind::Ova);
    assert_eq!(names(&p), ["app.ovf", "disk1.vmdk", "nvram", "app.mf"]);
    for f in &p.files {
        assert_eq!(f.path, path);
        let r = f.range.unwrap();
        assert_eq!(r.length, f.size);
        let member = &bytes[r.offset as usize..(r.offset + r.length) as usize];
        assert_eq!(f.sha256().unwrap(), sha(member), "{}", f.name);
    }
    let disk_file = p.files.iter().find(|f| f.name == "disk1.vmdk").unwrap();
    assert_eq!(disk_file.sha256().unwrap(), sha(&disk));

    // The same files as a plain .ovf package give the same digest: it
    // depends on the files, not on how they are packed.
    let d = dir.path().join("plain");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("app.ovf"), &ovf).unwrap();
    std::fs::write(d.join("disk1.vmdk"), &disk).unwrap();
    std::fs::write(d.join("nvram"), b"nv").unwrap();
    std::fs::write(d.join("app.mf"), b"manifest").unwrap();
    assert_eq!(open_package(&d.join("app.ovf")).unwrap().sha256().unwrap(), p.sha256().unwrap());
}

#[test]
fn chunked_members_of_an_ova() {
    let ovf = descriptor(&[("big.vmdk", true)]);
    let bytes = tar(&[
        ("a.ovf", ovf.as_bytes()),
        ("big.vmdk.000000000", b"abcd"),
        ("big.vmdk.000000001", b"ef"),
        ("big.vmdk.x", b"not a chunk"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.ova");
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(names(&open_package(&path).unwrap()), ["a.ovf", "big.vmdk.000000000", "big.vmdk.000000001"]);
}

#[test]
fn missing_and_unsafe_references_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |refs: &[(&str, bool)]| {
        let p = d.join("x.ovf");
        std::fs::write(&p, descriptor(refs)).unwrap();
        open_package(&p).map(|_| ()).unwrap_err().to_string()
    };
    let e = write(&[("gone.vmdk", false)]);
    assert!(e.contains("\"gone.vmdk\"") && e.contains("missing"), "{e}");
    let e = write(&[("gone.vmdk", true)]);
    assert!(e.contains("gone.vmdk.000000000"), "{e}");
    std::fs::write(dir.path().join("secret"), b"s").unwrap();
    for href in ["../secret", "/etc/passwd", "sub/disk.vmdk", "..", "http://example.com/disk.vmdk", "c:\\disk"] {
        let e = write(&[(href, false)]);
        assert!(e.contains("file reference"), "{href}: {e}");
    }

    let bytes = tar(&[("a.ovf", descriptor(&[("disk.vmdk", false)]).as_bytes())]);
    let ova = d.join("a.ova");
    std::fs::write(&ova, bytes).unwrap();
    let e = open_package(&ova).unwrap_err().to_string();
    assert!(e.contains("\"disk.vmdk\"") && e.contains("a.ova"), "{e}");

    let e = open_package(&d.join("nothing.ovf")).unwrap_err();
    assert!(matches!(e, OvfError::Io { .. }), "{e}");
}

#[test]
fn a_file_that_shrank_is_an_error_when_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, b"0123456789").unwrap();
    let f = PackageFile {
        name: "f".into(),
        path: path.clone(),
        range: Some(ByteRange { offset: 5, length: 10 }),
        size: 10,
    };
    let e = f.sha256().unwrap_err();
    assert!(e.to_string().contains("5 bytes early"), "{e}");
    let whole = PackageFile { range: None, ..f };
    assert_eq!(whole.sha256().unwrap(), sha(b"0123456789"));
}

#[test]
fn manifest_digest_is_order_and_name_sensitive() {
    let a = manifest_sha256([("a", "11"), ("b", "22")]);
    assert_ne!(a, manifest_sha256([("b", "22"), ("a", "11")]));
    assert_ne!(a, manifest_sha256([("a", "11"), ("c", "22")]));
    assert_eq!(a, manifest_sha256(vec![("a", "11"), ("b", "22")]));
    assert_eq!(manifest_sha256([]), sha(b""));
}
