//! Every hardware, datastore-path and certificate-thumbprint parser, fed odd strings: each must
//! return (and print its error) without panicking.

use super::datastore_path::DatastorePath;
use super::device_models::{NicModel, ScsiType};
use super::hardware::{Firmware, check_firmware};
use super::hardware_version::HardwareVersion;
use super::mac_address::{check_mac, parse_mac};
use super::tls_trust::{ca_source, known_host_thumbprint, parse_thumbprint};

fn feed(input: &str) {
    let _ = DatastorePath::parse(input).map(|p| p.to_string()).map_err(|e| (e.to_string(), e.part()));
    let _ = DatastorePath::new(input, input).map_err(|e| e.to_string());
    let _ = DatastorePath::new("ds", input).map_err(|e| e.to_string());
    let _ = DatastorePath::new(input, "dir/file.iso").map_err(|e| e.to_string());
    let _ = parse_mac(input).map_err(|e| e.to_string());
    let _ = check_mac(input, true).map_err(|e| e.to_string());
    let _ = check_mac(input, false).map_err(|e| e.to_string());
    let _ = HardwareVersion::parse(input).map_err(|e| e.to_string());
    let _ = HardwareVersion::from_vim(input);
    let _ = ScsiType::parse(input).map_err(|e| e.to_string());
    let _ = ScsiType::from_vim_type(input);
    let _ = NicModel::parse(input).map_err(|e| e.to_string());
    let _ = NicModel::from_vim_type(input);
    let _ = Firmware::parse(input).map_err(|e| e.to_string());
    let _ = check_firmware(input, Some(true), Some(4)).map_err(|e| e.to_string());
    let _ = parse_thumbprint(input).map(|t| t.to_string()).map_err(|e| e.to_string());
    let _ = known_host_thumbprint(input, input, 443).map_err(|e| e.to_string());
    let _ = known_host_thumbprint(&format!("{input} {input}\nvc {input}"), "vc", 443).map_err(|e| e.to_string());
    let _ = ca_source(input, true);
}

#[test]
fn odd_strings() {
    let odd = [
        "",
        " ",
        "  ",
        "\0",
        "\t",
        "\n",
        "\r\n",
        "\u{feff}",
        "\u{200b}",
        "\u{7f}",
        "\u{85}",
        "[",
        "]",
        "[]",
        "][",
        "[[",
        "]]",
        "[ ]",
        "[]]",
        "[[]",
        "[ds",
        "ds]",
        "[ds]",
        "[ds] ",
        "[ds]  ",
        "[ds]/",
        "[ds] /",
        "[ds] //",
        "[ds] ..",
        "[ds] .",
        "[ds] ./..",
        "[ds]\0",
        "[\0]",
        "[ds] a\0b",
        "/",
        "//",
        "..",
        ".",
        ":",
        "::",
        ":::::",
        ":::::::",
        "00:50:56:0a:0b:0c",
        "00:50:56:0a:0b:0c:",
        ":00:50:56:0a:0b:0c",
        "00:50:56:0a:0b",
        "0:0:0:0:0:0",
        "000:00:00:00:00:00",
        "gg:gg:gg:gg:gg:gg",
        "é:é:é:é:é:é",
        "éé:éé:éé:éé:éé:éé",
        "０:０:０:０:０:０",
        "00-50-56-0a-0b-0c",
        "00.50.56.0a.0b.0c",
        "vmx",
        "vmx-",
        "vmx-vmx-",
        "vmx-é",
        "vméx-19",
        "vmx-19é",
        "é",
        "ü",
        "😀",
        "😀😀😀😀😀",
        "vmx😀",
        "vm😀-19",
        "19😀",
        "-0",
        "+0",
        "00",
        "0000000000000000000000000000000000019",
        "18446744073709551616",
        "-9223372036854775809",
        "efi\0",
        "EFI",
        "Efi",
        "BIOS",
        "ǅ",
        "İ",
        "ß",
        "ﬁ",
        "ΣΑΣ",
        "lsilogic\0",
        "LSILOGIC",
        "vmxnet3 ",
        "\u{0130}nfo",
        "Virtual",
        "VirtualE1000\0",
    ];
    for input in odd {
        feed(input);
    }

    // long inputs
    for piece in ["a", "[", "]", ":", "/", "..", "00:", "é", "😀", " ", "[a] b/"] {
        feed(&piece.repeat(10_000));
    }

    // every short string over an alphabet of troublesome pieces
    let pieces = ["[", "]", " ", "/", ".", "..", ":", "0", "f", "g", "-", "é", "😀", "vmx-", "\0", "ds"];
    for a in pieces {
        for b in pieces {
            for c in pieces {
                for d in pieces {
                    feed(&format!("{a}{b}{c}{d}"));
                }
            }
        }
    }

    // a deterministic pseudo-random walk over longer strings
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..5_000 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 24) as usize;
        for i in 0..len {
            let idx = ((seed >> (i % 60)) as usize + i * 7) % pieces.len();
            s.push_str(pieces.get(idx).copied().unwrap_or(""));
        }
        feed(&s);
    }
}
