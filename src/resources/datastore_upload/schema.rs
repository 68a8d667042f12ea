//! The schema of `vi_datastore_upload`.
use crate::plugin::{Attribute as A, Block, Schema, Type};

pub fn schema() -> Schema {
    Schema::new(
        Block::new(
            "A local file (ISO, VMDK, OVA, anything) uploaded to a datastore, streamed over HTTPS with memory \
             staying flat whatever its size. A change of the local file's content plans a replacement (a new \
             upload); destroy deletes the file from the datastore.",
        )
        .attr(A::computed("id", Type::String, "`<datastore_id>:<path>`, e.g. `datastore-17:iso/linuxkit.iso`."))
        .attr(A::required(
            "source_file",
            Type::String,
            "Local file to upload (relative paths are relative to the directory Terraform runs in; \
             `\"${path.module}/linuxkit.iso\"` is the usual form). It is hashed at plan time: new content plans a \
             replacement. Pointing at another file with the same content uploads nothing.",
        ))
        .attr(A::required("datastore_id", Type::String, "Datastore to upload to (`vi_datastore.id`).").force_new())
        .attr(
            A::required(
                "path",
                Type::String,
                "Where the file goes on the datastore, relative to its root: `dir/file.iso`. No `..` or `.` \
                 segments, no leading `/`.",
            )
            .force_new(),
        )
        .attr(
            A::optional(
                "create_directories",
                Type::Bool,
                "Create the directories of `path` that do not exist yet (FileManager `MakeDirectory`). Directories \
                 are left in place on destroy.",
            )
            .default(true),
        )
        .attr(A::computed(
            "datastore_path",
            Type::String,
            "The file as vSphere names it, `[datastore] dir/file.iso`: what `vi_vm`'s `cdrom.datastore_path` takes.",
        ))
        .attr(A::computed("size", Type::Number, "Size of the file in bytes."))
        .attr(A::computed("sha256", Type::String, "Lower-case hex sha256 of the file's content.")),
    )
}
