//! The schema of a customization specification. Names follow the vSphere
//! provider's `clone.customize` so a migrating block carries over.
use crate::plugin::{Attribute as A, Block, NestedBlock, Type};

/// The attributes and blocks of a specification, added to `block`.
pub fn spec_attributes(block: Block) -> Block {
    block
        .attr(
            A::optional(
                "windows_sysprep_text",
                Type::String,
                "A whole sysprep answer file (`unattend.xml`), instead of `windows_options`. For Windows guests.",
            )
            .sensitive(),
        )
        .attr(A::optional(
            "ipv4_gateway",
            Type::String,
            "IPv4 default gateway. Must lie inside the subnet of an interface with a static `ipv4_address` \
             (checked at plan); it is set on that interface.",
        ))
        .attr(A::optional(
            "ipv6_gateway",
            Type::String,
            "IPv6 default gateway, inside the subnet of an interface with a static `ipv6_address`.",
        ))
        .attr(A::optional(
            "dns_server_list",
            Type::list(Type::String),
            "DNS servers for the whole guest (IPv4 or IPv6 addresses). On Windows, set them per interface too.",
        ))
        .attr(A::optional("dns_suffix_list", Type::list(Type::String), "DNS search domains for the whole guest."))
        .block(linux_block())
        .block(windows_block())
        .block(nic_block())
}

fn linux_block() -> NestedBlock {
    NestedBlock::single(
        "linux_options",
        Block::new(
            "Linux guest preparation: host name, domain, time zone. Needs a non-Windows `guest_id` (checked at plan).",
        )
        .attr(A::required(
            "host_name",
            Type::String,
            "Host name: one RFC 1123 label (letters, digits, hyphens; at most 63 characters). The domain goes in \
             `domain`.",
        ))
        .attr(A::required("domain", Type::String, "DNS domain of the guest (`example.com`)."))
        .attr(A::optional(
            "time_zone",
            Type::String,
            "IANA time zone name (`Europe/Berlin`, `UTC`), matched exactly at plan. Default: the guest's own.",
        ))
        .attr(A::optional("hw_clock_utc", Type::Bool, "Whether the hardware clock is in UTC.").default(true))
        .attr(
            A::optional(
                "script_text",
                Type::String,
                "A script run in the guest before and after customization (vSphere passes `precustomization` or \
                 `postcustomization` as its argument).",
            )
            .sensitive(),
        ),
    )
}

/// The version beside a write-only password.
const WO_VERSION: &str = "Any number, kept in state beside the write-only password (required with it): change it to \
     send the password again. vi_customization_spec sends it when created, when this changes, and whenever it \
     overwrites the specification for another change (vCenter replaces a specification whole); vi_vm uses it when \
     the VM is deployed.";

fn windows_block() -> NestedBlock {
    NestedBlock::single(
        "windows_options",
        Block::new(
            "Windows sysprep: computer name, workgroup or domain join, administrator password, auto-logon, \
             run-once commands. Needs a Windows `guest_id` (checked at plan).",
        )
        .attr(A::required(
            "computer_name",
            Type::String,
            "Computer name: at most 15 letters, digits or hyphens, not all digits (NetBIOS rules, checked at plan).",
        ))
        .attr(
            A::optional(
                "admin_password",
                Type::String,
                "Password of the local Administrator. Never logged, but stored in the state (as every value is); \
                 with Terraform 1.11+ or OpenTofu 1.11+ prefer `admin_password_wo`.",
            )
            .sensitive(),
        )
        .attr(
            A::optional(
                "admin_password_wo",
                Type::String,
                "Write-only form of `admin_password` (Terraform 1.11+, OpenTofu 1.11+): never stored in a plan or \
                 the state. Needs `admin_password_wo_version`.",
            )
            .write_only(),
        )
        .attr(A::optional("admin_password_wo_version", Type::Number, WO_VERSION))
        .attr(
            A::optional(
                "auto_logon",
                Type::Bool,
                "Log on as Administrator after customization; needs `admin_password` or `admin_password_wo`.",
            )
            .default(false),
        )
        .attr(A::optional("auto_logon_count", Type::Number, "How many times to log on automatically.").default(1i64))
        .attr(A::optional(
            "join_domain",
            Type::String,
            "Domain to join (`corp.example.com`). Needs `domain_admin_user` and `domain_admin_password` (or its \
             `_wo` form); excludes `workgroup`.",
        ))
        .attr(A::optional("domain_admin_user", Type::String, "User allowed to join computers to `join_domain`."))
        .attr(
            A::optional(
                "domain_admin_password",
                Type::String,
                "Password of `domain_admin_user`. Never logged, but stored in the state (as every value is); with \
                 Terraform 1.11+ or OpenTofu 1.11+ prefer `domain_admin_password_wo`.",
            )
            .sensitive(),
        )
        .attr(
            A::optional(
                "domain_admin_password_wo",
                Type::String,
                "Write-only form of `domain_admin_password` (Terraform 1.11+, OpenTofu 1.11+): never stored in a \
                 plan or the state. Needs `domain_admin_password_wo_version`.",
            )
            .write_only(),
        )
        .attr(A::optional("domain_admin_password_wo_version", Type::Number, WO_VERSION))
        .attr(A::optional(
            "domain_ou",
            Type::String,
            "Organizational unit to put the computer account in (`OU=Desktops,DC=corp,DC=example,DC=com`).",
        ))
        .attr(A::optional(
            "workgroup",
            Type::String,
            "Workgroup to join, instead of `join_domain`. With neither, the computer joins `WORKGROUP`.",
        ))
        .attr(A::optional("full_name", Type::String, "Full name of the owner.").default("Administrator"))
        .attr(
            A::optional("organization_name", Type::String, "Organization of the owner.")
                .default("Managed by Terraform"),
        )
        .attr(
            A::optional(
                "product_key",
                Type::String,
                "Windows product key (`XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`). Never logged.",
            )
            .sensitive(),
        )
        .attr(A::optional(
            "run_once_command_list",
            Type::list(Type::String),
            "Commands run once, in order, at the first logon.",
        ))
        .attr(
            A::optional(
                "time_zone",
                Type::Number,
                "Microsoft time zone index (4 Pacific, 35 Eastern, 85 GMT, 110 W. Europe, …; see the table in this \
                 page), checked at plan.",
            )
            .default(85i64),
        ),
    )
}

fn nic_block() -> NestedBlock {
    NestedBlock::list(
        "network_interface",
        Block::new(
            "IP settings of the VM's network interfaces, in order: one per interface, or none (every interface \
             then uses DHCP). An interface without `ipv4_address` uses DHCP for IPv4.",
        )
        .attr(A::optional("ipv4_address", Type::String, "Static IPv4 address; needs `ipv4_netmask`."))
        .attr(A::optional("ipv4_netmask", Type::Number, "IPv4 prefix length (`24`), 1 to 32."))
        .attr(A::optional("ipv6_address", Type::String, "Static IPv6 address; needs `ipv6_netmask`."))
        .attr(A::optional("ipv6_netmask", Type::Number, "IPv6 prefix length (`64`), 1 to 128."))
        .attr(A::optional("dns_server_list", Type::list(Type::String), "DNS servers of this interface."))
        .attr(A::optional("dns_domain", Type::String, "DNS domain of this interface.")),
    )
}
