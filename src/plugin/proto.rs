//! Code generated at build time from `proto/` (see build.rs).
#![allow(clippy::all, clippy::pedantic, missing_docs)]

pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

pub mod goplugin {
    tonic::include_proto!("plugin");
}

pub mod health {
    tonic::include_proto!("grpc.health.v1");
}
