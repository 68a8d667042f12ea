//! Key providers (`CryptoManagerKmip`): which are registered with vCenter,
//! which is the default, keys for encrypting a VM's home files, and the
//! registration calls tests use to set a key provider up.
use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::fault::FaultKind;
use crate::vi::core::types::{ManagedObjectReference, ObjectContent};
use crate::vi::core::xml::{XmlNode, escape};

/// The `CryptoManagerKmip` property listing every key provider.
pub const KMIP_PROPS: &[&str] = &["kmipServers"];

/// `KmipClusterInfo.managementType` of a native key provider.
pub const NATIVE_PROVIDER: &str = "nativeProvider";
/// `KmipClusterInfo.managementType` of a trusted key provider.
pub const TRUST_AUTHORITY: &str = "trustAuthority";

/// `KmipServerInfo`: one KMIP server of a standard key provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmipServerInfo {
    pub name: String,
    pub address: String,
    pub port: i32,
}

/// `KmipClusterInfo`: one key provider (a KMIP cluster, a native key
/// provider or a trusted key provider).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KmipClusterInfo {
    /// `clusterId.id`: the key provider id users name.
    pub cluster_id: String,
    pub servers: Vec<KmipServerInfo>,
    /// The vCenter-wide default.
    pub use_as_default: bool,
    /// `vCenter` (standard KMIP), `trustAuthority`, `nativeProvider` or
    /// `unknown`; unset on vCenter before 7.0.
    pub management_type: Option<String>,
    /// Entities (clusters, hosts, folders) this provider is the default for.
    pub use_as_entity_default: Vec<ManagedObjectReference>,
}

impl KmipClusterInfo {
    pub fn from_node(n: &XmlNode) -> Option<KmipClusterInfo> {
        let cluster_id = n.child("clusterId")?.child_text("id")?.trim().to_owned();
        if cluster_id.is_empty() {
            return None;
        }
        Some(KmipClusterInfo {
            cluster_id,
            servers: n
                .children_named("servers")
                .map(|s| KmipServerInfo {
                    name: s.child_text("name").unwrap_or_default().to_owned(),
                    address: s.child_text("address").unwrap_or_default().to_owned(),
                    port: s.child_text("port").and_then(|p| p.trim().parse().ok()).unwrap_or(0),
                })
                .collect(),
            use_as_default: n.child_text("useAsDefault").is_some_and(|t| t.trim() == "true"),
            management_type: n.child_text("managementType").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            use_as_entity_default: n
                .children_named("useAsEntityDefault")
                .filter_map(ManagedObjectReference::from_node)
                .collect(),
        })
    }

    /// Whether vCenter makes the key itself at encryption time (native and
    /// trusted key providers), so a spec must name the provider with an
    /// empty key id instead of a key generated beforehand.
    pub fn generates_keys_itself(&self) -> bool {
        matches!(self.management_type.as_deref(), Some(NATIVE_PROVIDER | TRUST_AUTHORITY))
    }
}

/// The key providers in a `CryptoManagerKmip` read with [`KMIP_PROPS`].
/// A property the server withheld (e.g. for lack of the
/// Cryptographer.ReadKeyServersInfo privilege) is an error, not an empty list.
pub fn key_providers_from_content(o: &ObjectContent) -> Result<Vec<KmipClusterInfo>, ViError> {
    if let Some((_, fault)) = o.missing.iter().find(|(path, _)| path.is_empty() || path == "kmipServers") {
        return Err(ViError::Fault {
            kind: FaultKind::parse(fault),
            message: format!("the key providers of {} could not be read", o.obj),
        });
    }
    Ok(o.node("kmipServers")
        .map(|n| n.children.iter().filter_map(KmipClusterInfo::from_node).collect())
        .unwrap_or_default())
}

/// `CryptoKeyId`: a key and the provider holding it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CryptoKeyId {
    /// Empty when vCenter is to make the key (native or trusted provider).
    pub key_id: String,
    pub provider_id: Option<String>,
}

impl CryptoKeyId {
    pub fn from_node(n: &XmlNode) -> CryptoKeyId {
        CryptoKeyId {
            key_id: n.child_text("keyId").unwrap_or_default().trim().to_owned(),
            provider_id: n
                .child("providerId")
                .and_then(|p| p.child_text("id"))
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
        }
    }

    pub fn to_xml(&self, tag: &str) -> String {
        format!(
            "<{tag}><keyId>{}</keyId>{}</{tag}>",
            escape(&self.key_id),
            self.provider_id.as_ref().map(|p| provider_xml("providerId", p)).unwrap_or_default()
        )
    }
}

/// `VirtualMachineConfigSpec.crypto`: the encryption change a spec makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoSpec {
    /// `CryptoSpecEncrypt`: encrypt the VM's home files with this key.
    Encrypt(CryptoKeyId),
}

impl CryptoSpec {
    pub fn to_xml(&self, tag: &str) -> String {
        match self {
            CryptoSpec::Encrypt(key) => {
                format!("<{tag} xsi:type=\"CryptoSpecEncrypt\">{}</{tag}>", key.to_xml("cryptoKeyId"))
            }
        }
    }
}

fn provider_xml(tag: &str, id: &str) -> String {
    format!("<{tag}><id>{}</id></{tag}>", escape(id))
}

impl Client {
    /// The crypto manager, or a fault naming why there is none (a
    /// standalone ESXi host has no key providers).
    fn crypto_manager(&self) -> Result<&ManagedObjectReference, ViError> {
        self.service_content().crypto_manager.as_ref().ok_or_else(|| ViError::Fault {
            kind: "NotSupported".into(),
            message: "this server has no CryptoManager (key providers need vCenter)".into(),
        })
    }

    /// Every registered key provider; empty when the server has no crypto
    /// manager at all.
    pub async fn key_providers(&self) -> Result<Vec<KmipClusterInfo>, ViError> {
        let Ok(cm) = self.crypto_manager() else { return Ok(Vec::new()) };
        let objs = self.retrieve(std::slice::from_ref(cm), KMIP_PROPS).await?;
        match objs.first() {
            Some(o) => key_providers_from_content(o),
            None => Ok(Vec::new()),
        }
    }

    /// CryptoManagerKmip.GenerateKey: a new key from `provider` (the default
    /// provider when `None`).
    pub async fn generate_key(&self, provider: Option<&str>) -> Result<CryptoKeyId, ViError> {
        let args = provider.map(|p| provider_xml("keyProvider", p)).unwrap_or_default();
        let resp = self.invoke("GenerateKey", self.crypto_manager()?, &args).await?;
        let rv = resp.child("returnval").ok_or_else(|| ViError::Decode("GenerateKey returned nothing".into()))?;
        if rv.child_text("success").map(str::trim) != Some("true") {
            return Err(ViError::Fault {
                kind: "GenerateKeyFailed".into(),
                message: format!(
                    "key provider {} did not generate a key: {}",
                    provider.unwrap_or("(default)"),
                    rv.child_text("reason").unwrap_or("no reason given")
                ),
            });
        }
        let key = rv.child("keyId").map(CryptoKeyId::from_node).unwrap_or_default();
        if key.key_id.is_empty() {
            return Err(ViError::Decode("GenerateKey returned an empty key id".into()));
        }
        Ok(key)
    }

    /// The key to encrypt a VM's home files with, from `provider`: a key
    /// generated now, or (for native and trusted providers, which make keys
    /// at encryption time) the provider with an empty key id.
    pub async fn encryption_key(&self, provider: &KmipClusterInfo) -> Result<CryptoKeyId, ViError> {
        if provider.generates_keys_itself() {
            return Ok(CryptoKeyId { key_id: String::new(), provider_id: Some(provider.cluster_id.clone()) });
        }
        self.generate_key(Some(&provider.cluster_id)).await
    }

    /// CryptoManagerKmip.RegisterKmipServer: adds a KMIP server, creating
    /// the standard key provider `cluster_id` if it does not exist yet.
    pub async fn register_kmip_server(&self, cluster_id: &str, server: &KmipServerInfo) -> Result<(), ViError> {
        let args = format!(
            "<server>{}<info><name>{}</name><address>{}</address><port>{}</port></info></server>",
            provider_xml("clusterId", cluster_id),
            escape(&server.name),
            escape(&server.address),
            server.port
        );
        self.invoke("RegisterKmipServer", self.crypto_manager()?, &args).await.map(|_| ())
    }

    /// CryptoManagerKmip.RegisterKmsCluster: registers a key provider of a
    /// management type (`nativeProvider`, `trustAuthority`…) without servers.
    pub async fn register_kms_cluster(&self, cluster_id: &str, management_type: &str) -> Result<(), ViError> {
        let args = format!(
            "{}<managementType>{}</managementType>",
            provider_xml("clusterId", cluster_id),
            escape(management_type)
        );
        self.invoke("RegisterKmsCluster", self.crypto_manager()?, &args).await.map(|_| ())
    }

    /// CryptoManagerKmip.SetDefaultKmsCluster (vSphere 7.0): makes
    /// `cluster_id` vCenter's default key provider. (The older MarkDefault
    /// does the same, but vcsim answers it with the wrong element.)
    pub async fn set_default_key_provider(&self, cluster_id: &str) -> Result<(), ViError> {
        let args = provider_xml("clusterId", cluster_id);
        self.invoke("SetDefaultKmsCluster", self.crypto_manager()?, &args).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::mo_type::MoType;
    use crate::vi::core::xml;

    const KMIP: &[u8] = br#"<objects xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<obj type="CryptoManagerKmip">CryptoManager</obj>
<propSet><name>kmipServers</name><val xsi:type="ArrayOfKmipClusterInfo">
<KmipClusterInfo><clusterId><id>kms-a</id></clusterId><servers><name>s1</name><address>10.0.0.1</address><port>5696</port></servers><useAsDefault>false</useAsDefault><managementType>vCenter</managementType></KmipClusterInfo>
<KmipClusterInfo><clusterId><id>nkp</id></clusterId><useAsDefault>true</useAsDefault><managementType>nativeProvider</managementType><useAsEntityDefault type="ClusterComputeResource">domain-c7</useAsEntityDefault></KmipClusterInfo>
<KmipClusterInfo><clusterId><id></id></clusterId><useAsDefault>true</useAsDefault></KmipClusterInfo>
</val></propSet></objects>"#;

    #[test]
    fn key_providers_are_read_with_their_default() {
        let o = ObjectContent::from_node(&xml::parse(KMIP).unwrap()).unwrap();
        let kps = key_providers_from_content(&o).unwrap();
        assert_eq!(kps.len(), 2, "a provider without an id is dropped: {kps:?}");
        assert_eq!(kps[0].cluster_id, "kms-a");
        assert_eq!(kps[0].servers, vec![KmipServerInfo { name: "s1".into(), address: "10.0.0.1".into(), port: 5696 }]);
        assert!(!kps[0].use_as_default && !kps[0].generates_keys_itself());
        assert!(kps[1].use_as_default && kps[1].generates_keys_itself());
        assert_eq!(kps[1].use_as_entity_default, vec![MoType::ClusterComputeResource.moref("domain-c7")]);
    }

    #[test]
    fn no_property_means_no_providers_but_a_withheld_one_is_an_error() {
        let empty = br#"<objects><obj type="CryptoManagerKmip">CryptoManager</obj></objects>"#;
        let o = ObjectContent::from_node(&xml::parse(empty).unwrap()).unwrap();
        assert_eq!(key_providers_from_content(&o).unwrap(), vec![]);
        let denied = br#"<objects xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><obj type="CryptoManagerKmip">CryptoManager</obj><missingSet><path>kmipServers</path><fault><fault xsi:type="NoPermission"/></fault></missingSet></objects>"#;
        let o = ObjectContent::from_node(&xml::parse(denied).unwrap()).unwrap();
        let err = key_providers_from_content(&o).unwrap_err();
        assert!(err.is_fault(FaultKind::NoPermission), "{err}");
    }

    #[test]
    fn encrypt_spec_in_wsdl_shape() {
        let spec = CryptoSpec::Encrypt(CryptoKeyId { key_id: "k<1".into(), provider_id: Some("kms-a".into()) });
        assert_eq!(
            spec.to_xml("crypto"),
            "<crypto xsi:type=\"CryptoSpecEncrypt\"><cryptoKeyId><keyId>k&lt;1</keyId><providerId><id>kms-a</id></providerId></cryptoKeyId></crypto>"
        );
        let doc =
            format!("<r>{}</r>", CryptoKeyId { key_id: String::new(), provider_id: Some("p".into()) }.to_xml("k"));
        let back = CryptoKeyId::from_node(xml::parse(doc.as_bytes()).unwrap().child("k").unwrap());
        assert_eq!(back, CryptoKeyId { key_id: String::new(), provider_id: Some("p".into()) });
    }
}
