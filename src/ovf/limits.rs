//! Hard limits on what the parser accepts. Real descriptors stay far below
//! all of them (a vSphere export is a few hundred elements, tens of KiB);
//! they exist so hostile input costs bounded time and memory.

/// Largest descriptor accepted, on its own or inside an OVA.
pub const MAX_DESCRIPTOR_BYTES: usize = 16 * 1024 * 1024;
/// Deepest element nesting (an OVF envelope needs fewer than ten levels,
/// plus one per nested VirtualSystemCollection).
pub const MAX_DEPTH: usize = 128;
/// Most elements in one descriptor.
pub const MAX_ELEMENTS: usize = 200_000;
/// Most attributes on one element, namespace declarations included
/// (quick-xml's duplicate check is quadratic in this; a vSphere envelope
/// carries about ten).
pub const MAX_ATTRIBUTES: usize = 64;
/// Most namespace declarations in scope at once (prefix lookup scans them).
pub const MAX_NAMESPACES_IN_SCOPE: usize = 64;
/// Longest raw attribute value. A vApp property value may be 64 Ki
/// characters; escaped UTF-8 can take four times that.
pub const MAX_ATTRIBUTE_BYTES: usize = 256 * 1024;
/// Longest text kept from one element (labels, descriptions, annotations).
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;
