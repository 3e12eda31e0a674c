//! A small gRPC service, `checkout.Inventory/Reserve`, for the
//! `traced::grpc` tests: its messages and routing written by hand (what
//! tonic's codegen would write from a .proto), so no `protoc` is needed.
//!
//! The handler is a `#[traced]` fn, so the tests can check that it is the
//! child of the server span. `lamp` is in stock, `gone` is NOT_FOUND (the
//! client's fault), `broken` is INTERNAL (the server's).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tonic::codegen::{Body, StdError, http};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;
use traced::traced;

/// The gRPC path of the one method.
pub const RESERVE: &str = "/checkout.Inventory/Reserve";
/// Its `rpc.method` and span name.
pub const RESERVE_METHOD: &str = "checkout.Inventory/Reserve";

#[derive(Clone, PartialEq, prost::Message)]
pub struct ReserveRequest {
    #[prost(string, tag = "1")]
    pub sku: String,
    #[prost(uint32, tag = "2")]
    pub qty: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ReserveReply {
    #[prost(uint32, tag = "1")]
    pub left: u32,
}

/// How many are left after reserving `qty` of `sku`.
#[traced(args(sku, qty), err = display)]
pub async fn reserve(sku: &str, qty: u32) -> Result<u32, Status> {
    tokio::task::yield_now().await;
    match sku {
        "lamp" => Ok(12u32.saturating_sub(qty)),
        "gone" => Err(Status::not_found(format!("no sku “{sku}”"))),
        _ => Err(Status::internal("the stock table is broken")),
    }
}

/// The server: routes `Reserve` to [`reserve`], anything else UNIMPLEMENTED.
#[derive(Clone, Debug, Default)]
pub struct InventoryServer;

impl tonic::server::NamedService for InventoryServer {
    const NAME: &'static str = "checkout.Inventory";
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, Infallible>> + Send + 'static>>;

impl<B> tonic::codegen::Service<http::Request<B>> for InventoryServer
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != RESERVE {
            return Box::pin(async { Ok(Status::unimplemented("no such method").into_http()) });
        }
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(ProstCodec::default());
            Ok(grpc.unary(ReserveService, request).await)
        })
    }
}

struct ReserveService;

impl tonic::server::UnaryService<ReserveRequest> for ReserveService {
    type Response = ReserveReply;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ReserveReply>, Status>> + Send>>;

    fn call(&mut self, request: Request<ReserveRequest>) -> Self::Future {
        let ReserveRequest { sku, qty } = request.into_inner();
        Box::pin(async move {
            let left = reserve(&sku, qty).await?;
            Ok(Response::new(ReserveReply { left }))
        })
    }
}

/// Calls `Reserve` through `channel` (any tonic client transport, such as
/// a `Channel` under `traced::grpc::ClientLayer`).
pub async fn call_reserve<T>(channel: T, sku: &str, qty: u32) -> Result<u32, Status>
where
    T: tonic::client::GrpcService<tonic::body::Body>,
    T::Error: Into<StdError>,
    T::ResponseBody: Body<Data = tonic::codegen::Bytes> + Send + 'static,
    <T::ResponseBody as Body>::Error: Into<StdError> + Send,
{
    let mut client = tonic::client::Grpc::new(channel);
    client
        .ready()
        .await
        .map_err(|e| Status::unavailable(format!("not ready: {}", e.into())))?;
    let request = Request::new(ReserveRequest {
        sku: sku.to_owned(),
        qty,
    });
    let path = http::uri::PathAndQuery::from_static(RESERVE);
    let reply: Response<ReserveReply> = client.unary(request, path, ProstCodec::default()).await?;
    Ok(reply.into_inner().left)
}
