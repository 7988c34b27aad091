//! End-to-end tests of the emulator: a real server on 127.0.0.1:0 and a real HTTP client, so
//! what is asserted is what a client sees on the wire.

mod assistant_writes;
mod assistants;
mod auth_and_routes;
mod campaigns;
mod faults;
mod leads;
mod state;
mod validation;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{start, EmulatorConfig, RunningEmulator, DEFAULT_TOKEN};

/// A running emulator plus a client that authenticates with the default token.
pub(super) struct Emu {
    pub server: RunningEmulator,
    pub client: reqwest::Client,
}

/// What a request came back with.
#[derive(Debug)]
pub(super) struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Emu {
    pub async fn start() -> Emu {
        Emu::with(EmulatorConfig::default()).await
    }

    pub async fn with(config: EmulatorConfig) -> Emu {
        let server = start(config).await.expect("the emulator must start");
        Emu {
            server,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// A request to `/api{path}` with the default token; `None` body sends no body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(DEFAULT_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::read(request.send().await.expect("the emulator must answer")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Creates a campaign on the demo account's outbound assistant 7, plus `extra` fields.
    pub async fn create_campaign(&self, name: &str, extra: Value) -> Reply {
        let mut body = json!({"name": name, "assistant_id": 7});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        self.post("/user/campaign", body).await
    }

    /// The id of a newly created campaign, asserting the create worked.
    pub async fn campaign_id(&self, name: &str) -> u64 {
        let reply = self.create_campaign(name, json!({})).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "creating {name:?} failed: {:?}",
            reply.body
        );
        reply.body["data"]["id"]
            .as_u64()
            .expect("a created campaign has an id")
    }

    pub async fn add_lead(&self, campaign_id: u64, phone: &str) -> Reply {
        self.post(
            "/user/lead",
            json!({"campaign_id": campaign_id, "phone_number": phone}),
        )
        .await
    }

    /// `GET /_emulator/{what}` (no auth).
    pub async fn inspect(&self, what: &str) -> Value {
        let url = format!("http://{}/_emulator/{what}", self.server.addr);
        let response = self
            .client
            .get(url)
            .send()
            .await
            .expect("the inspection endpoint must answer");
        response
            .json()
            .await
            .expect("the inspection endpoint returns JSON")
    }
}

impl Reply {
    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .expect("the response body must be readable");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text:?}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Asserts a 422 and returns its `errors` object.
    pub fn validation_errors(&self) -> &serde_json::Map<String, Value> {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "expected a 422, got {:?}",
            self.body
        );
        self.body["errors"]
            .as_object()
            .expect("a 422 carries an `errors` object")
    }
}
