//! The vTPM as the resources use it: the rules' facts and diagnostics
//! ([`checks`]), the device and key providers in vSphere ([`device`]), and
//! the TPM policy of templates ([`template_origin`]) and of deploying a
//! catalog item ([`catalog_deploy`]). The rules themselves are in
//! `rules::tpm*`.
pub mod catalog_deploy;
pub mod checks;
pub mod device;
pub mod template_origin;
