//! Serving the emulator: its own accept loop instead of `axum::serve`, because dropping a
//! connection without a response (the drop fault) needs a handle on each connection. Shutdown
//! stops accepting, lets requests in flight finish (at most `GRACE`), then closes everything.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use super::app::{router, App};
use super::faults::{ConnectionKill, Faults};
use super::seed::{demo_account, load_account_file};
use super::stats::Stats;
use super::store::Store;
use super::EmulatorConfig;

/// How long shutdown waits for requests in flight.
const GRACE: Duration = Duration::from_secs(5);

/// A started emulator. Dropping it without `shutdown` leaves the server running until the
/// runtime stops (like a detached task), so `let _ = start(..)` does not stop it by accident.
pub struct RunningEmulator {
    pub addr: std::net::SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT/api` (the loopback address when listening on all interfaces).
    pub fn base_url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}/api", SocketAddr::new(ip, self.addr.port()))
    }

    /// Stops accepting, waits for requests in flight (bounded), and returns once the port is
    /// closed.
    pub async fn shutdown(self) {
        // Fails only if the server task already ended, in which case there is nothing to stop.
        let _ = self.shutdown.send(true);
        if let Err(err) = self.task.await {
            tracing::error!("emulator server task failed: {err}");
        }
    }
}

/// Loads the account, binds, and returns once the emulator is listening.
pub async fn start(config: EmulatorConfig) -> anyhow::Result<RunningEmulator> {
    let mut data = match (&config.state, &config.seed) {
        (Some(state), _) if state.exists() => load_account_file(state)?,
        (_, Some(seed)) => load_account_file(seed)?,
        _ => demo_account()?,
    };
    if let Some(limit) = config.campaign_limit {
        data.account.campaign_limit = limit;
    }
    let store = Store::new(data, config.state.clone());
    store.persist_now()?;
    let app = Arc::new(App {
        store,
        stats: Stats::default(),
        faults: Faults::new(config.faults),
        token: config.token,
        older_assistant_api: config.older_assistant_api,
    });
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the emulator's listening address")?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, router(app), shutdown_rx));
    tracing::info!(%addr, "emulator listening");
    Ok(RunningEmulator {
        addr,
        shutdown,
        task,
    })
}

async fn accept_loop(listener: TcpListener, router: Router, shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = shutdown_requested(shutdown.clone()) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, router.clone(), shutdown.clone()));
                }
                Err(err) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Reap finished connections so the set does not grow for the life of the server.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("requests still running after {GRACE:?}; closing their connections");
    }
    connections.shutdown().await;
}

/// Resolves once shutdown is requested; never, if the `RunningEmulator` was dropped instead.
async fn shutdown_requested(mut shutdown: watch::Receiver<bool>) {
    if shutdown.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn serve_connection(stream: TcpStream, router: Router, shutdown: watch::Receiver<bool>) {
    let kill = ConnectionKill::default();
    let handle = kill.clone();
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(handle.clone());
        router.clone().oneshot(request)
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!("connection ended with an error: {err}");
                }
                return;
            }
            // Returning drops the connection future: the socket closes with nothing written.
            () = kill.fired() => return,
            () = shutdown_requested(shutdown.clone()), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}
