//! The services go-plugin's client expects beside the provider: health,
//! controller (shutdown), stdio and the connection broker.
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::Notify;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::proto::goplugin as gp;
use super::proto::health as hp;

type Pending<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A stream that stays open and never yields: how we answer the stdio and
/// broker streams, since logs go to stderr and we never dial back.
fn open_forever<T: Send + 'static>() -> Pending<T> {
    Box::pin(tokio_stream::pending())
}

pub struct Health;

#[tonic::async_trait]
impl hp::health_server::Health for Health {
    async fn check(&self, req: Request<hp::HealthCheckRequest>) -> Result<Response<hp::HealthCheckResponse>, Status> {
        let status = match req.get_ref().service.as_str() {
            "" | "plugin" => hp::health_check_response::ServingStatus::Serving,
            _ => hp::health_check_response::ServingStatus::ServiceUnknown,
        };
        Ok(Response::new(hp::HealthCheckResponse { status: status as i32 }))
    }

    type WatchStream = Pending<hp::HealthCheckResponse>;

    async fn watch(&self, req: Request<hp::HealthCheckRequest>) -> Result<Response<Self::WatchStream>, Status> {
        let first = self.check(req).await?.into_inner();
        let s = tokio_stream::once(Ok(first)).chain(tokio_stream::pending());
        Ok(Response::new(Box::pin(s)))
    }
}

use tokio_stream::StreamExt as _;

/// GRPCController: Terraform asks the plugin to exit through it.
pub struct Controller {
    pub shutdown: Arc<Notify>,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<gp::Empty>) -> Result<Response<gp::Empty>, Status> {
        tracing::debug!("shutdown requested by the plugin client");
        // notify_one stores a permit, so a shutdown that arrives before the
        // server waits on it is not lost.
        self.shutdown.notify_one();
        Ok(Response::new(gp::Empty {}))
    }
}

pub struct Stdio;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = Pending<gp::StdioData>;

    async fn stream_stdio(&self, _: Request<gp::Empty>) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(open_forever()))
    }
}

pub struct Broker;

#[tonic::async_trait]
impl gp::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = Pending<gp::ConnInfo>;

    async fn start_stream(
        &self,
        req: Request<Streaming<gp::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        // Drain what the client sends so its side never blocks.
        let mut inbound = req.into_inner();
        tokio::spawn(async move { while let Ok(Some(_)) = inbound.message().await {} });
        Ok(Response::new(open_forever()))
    }
}
