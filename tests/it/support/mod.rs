//! Test harness: runs the real `campaignctl` binary, and the real emulator (`campaignctl
//! emulator` on 127.0.0.1:0) as a child process, in a fresh temporary directory. Every wait is
//! bounded, so a hang fails the test instead of stalling CI.

#![allow(dead_code)] // each test uses a different part of the harness

pub mod debian;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_campaignctl");
/// Distinctive, so a leak anywhere in the output is easy to spot.
pub const TOKEN: &str = "tok_SECRET_7f3a9c1e5b";
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// A running emulator child process; killed on drop.
pub struct Emulator {
    child: Child,
    pub url: String,
    pub addr: String,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// Starts `campaignctl emulator --listen 127.0.0.1:0 --token TOKEN <extra>` and waits for
    /// its `listening on URL` line.
    pub fn start_with(extra: &[&str]) -> Emulator {
        Emulator::start_on("127.0.0.1:0", extra)
    }

    /// Like `start_with`, on a given address: to bring an emulator back on the port a client
    /// already uses (outage tests, with `--state FILE` to keep its campaigns).
    pub fn start_on(listen: &str, extra: &[&str]) -> Emulator {
        Emulator::start_as(listen, TOKEN, extra)
    }

    /// An emulator whose clients must send `token` (a second account's). Requests of this
    /// harness (`api`) send `TOKEN`, so they are refused by it; `campaigns` and `stats` work.
    pub fn start_as(listen: &str, token: &str, extra: &[&str]) -> Emulator {
        let mut child = Command::new(BIN)
            .args(["emulator", "--listen", listen, "--token", token])
            .args(extra)
            .env("RUST_LOG", "off")
            .env_remove("CAMPAIGNCTL_EMULATOR_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the emulator");
        let stdout = child.stdout.take().expect("emulator stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok);
            let _ = tx.send(first);
            for _ in lines {} // keep draining so the child never blocks on a full pipe
        });
        let line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Some(line)) => line,
            other => {
                let _ = child.kill();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("emulator did not report its address ({other:?}); stderr:\n{err}");
            }
        };
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches("/api")
            .to_owned();
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
        }
        Emulator { child, url, addr }
    }

    /// GET an inspection endpoint (`/_emulator/...`) and parse it.
    pub fn inspect(&self, path: &str) -> serde_json::Value {
        self.request("GET", path, None, false)
    }

    /// An authenticated API request (path relative to /api), for setting up remote state.
    pub fn api(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        self.request(method, &format!("/api/{path}"), body, true)
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        auth: bool,
    ) -> serde_json::Value {
        request_at(&self.addr, method, path, body, auth)
    }

    /// All campaigns with every stored field (the inspection endpoint).
    pub fn campaigns(&self) -> Vec<serde_json::Value> {
        self.inspect("/_emulator/campaigns")
            .as_array()
            .cloned()
            .expect("campaign array")
    }

    /// The names of all campaigns, sorted.
    pub fn campaign_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .campaigns()
            .iter()
            .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        v.sort();
        v
    }

    pub fn stats(&self) -> serde_json::Value {
        self.inspect("/_emulator/stats")
    }

    /// Stops the emulator and waits for it to exit.
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary working directory with manifest files.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A workspace holding a copy of the shipped `campaigns/` directory.
    pub fn with_samples() -> Workspace {
        let ws = Workspace::new();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("campaigns"),
            &ws.path().join("campaigns"),
        );
        ws
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write manifest");
        p
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// What a check expects of one stream: present there, or present there and absent from the
/// other (a line that belongs to one stream, such as a diagnostic or the plan's summary, must
/// not be printed on both).
#[derive(Clone, Copy)]
enum Expect {
    On(Stream),
    OnlyOn(Stream),
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }

    fn other(self) -> Stream {
        match self {
            Stream::Stdout => Stream::Stderr,
            Stream::Stderr => Stream::Stdout,
        }
    }
}

/// Both streams under their own headings, with the exit code: what a failing check shows.
impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    /// stdout parsed as one JSON document: anything else on stdout fails the test.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// The plan says there is nothing to apply: "No changes." when every write-once field was
    /// compared with a baseline, or, without one (a workspace outside git), the one line that
    /// says so and which campaigns were not compared.
    #[track_caller]
    pub fn assert_nothing_to_apply(&self) -> &Run {
        assert!(
            self.stdout
                .contains("No changes. The platform matches the manifests.")
                || self.stdout.contains(
                    "Nothing to apply in what could be compared, but the write-once fields"
                ),
            "the plan does not say it has nothing to apply\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// stdout (the plan, results, JSON, annotations, help) contains `needle`.
    #[track_caller]
    pub fn assert_stdout(&self, needle: &str) -> &Run {
        self.expect(needle, Expect::On(Stream::Stdout))
    }

    /// stderr (diagnostics, errors, questions, progress, logs) contains `needle`.
    #[track_caller]
    pub fn assert_stderr(&self, needle: &str) -> &Run {
        self.expect(needle, Expect::On(Stream::Stderr))
    }

    /// stdout contains `needle` and stderr does not: it is said once, on its stream.
    #[track_caller]
    pub fn assert_only_stdout(&self, needle: &str) -> &Run {
        self.expect(needle, Expect::OnlyOn(Stream::Stdout))
    }

    /// stderr contains `needle` and stdout does not: it is said once, on its stream.
    #[track_caller]
    pub fn assert_only_stderr(&self, needle: &str) -> &Run {
        self.expect(needle, Expect::OnlyOn(Stream::Stderr))
    }

    /// Neither stream contains `needle` (a secret, a file's content, a refused action).
    #[track_caller]
    pub fn assert_nowhere(&self, needle: &str) -> &Run {
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            assert!(
                !text.contains(needle),
                "{name} contains {needle:?}, which must appear nowhere\n{self}"
            );
        }
        self
    }

    #[track_caller]
    fn expect(&self, needle: &str, expect: Expect) -> &Run {
        let (stream, only) = match expect {
            Expect::On(s) => (s, false),
            Expect::OnlyOn(s) => (s, true),
        };
        let (here, there) = match stream {
            Stream::Stdout => (&self.stdout, &self.stderr),
            Stream::Stderr => (&self.stderr, &self.stdout),
        };
        if !here.contains(needle) {
            let elsewhere = if there.contains(needle) {
                format!(" (it is on {})", stream.other().name())
            } else {
                String::new()
            };
            panic!("{} lacks {needle:?}{elsewhere}\n{self}", stream.name());
        }
        if only && there.contains(needle) {
            panic!(
                "{needle:?} belongs on {} only, but {} has it too\n{self}",
                stream.name(),
                stream.other().name()
            );
        }
        self
    }
}

/// A builder for one `campaignctl` invocation in `dir`, pointed at `emulator` when given.
pub struct Cmd {
    cmd: Command,
}

pub fn campaignctl(dir: &Path, emulator: Option<&Emulator>) -> Cmd {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("CAMPAIGNCTL_API_URL")
        .env_remove("CAMPAIGNCTL_API_TOKEN")
        .env_remove("RUST_LOG")
        .env_remove("GITHUB_ACTIONS")
        // The write-once baseline reads these (a pull request's target, a push's previous
        // commit): a test run inside a CI job must not inherit that job's.
        .env_remove("CAMPAIGNCTL_BASE")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("GITHUB_EVENT_NAME")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
        .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        .env_remove("CI_COMMIT_BEFORE_SHA")
        .env("NO_COLOR", "1")
        // Account locks live with the workspace: runs in one workspace share them (one
        // machine); runs in different workspaces do not (different machines).
        .env("CAMPAIGNCTL_LOCK_DIR", dir.join(".campaignctl-locks"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(e) = emulator {
        cmd.env("CAMPAIGNCTL_API_URL", &e.url)
            .env("CAMPAIGNCTL_API_TOKEN", TOKEN);
    }
    Cmd { cmd }
}

impl Cmd {
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Cmd {
        self.cmd.args(args);
        self
    }

    pub fn arg_path(mut self, p: &Path) -> Cmd {
        self.cmd.arg(p);
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Cmd {
        self.cmd.env(k, v);
        self
    }

    pub fn env_remove(mut self, k: &str) -> Cmd {
        self.cmd.env_remove(k);
        self
    }

    /// Runs on a pseudo-terminal (stdin and stderr, where questions are asked), answering each
    /// `Enter a value:` prompt with the next of `answers`; stdout stays piped. Returns the run
    /// with what the terminal showed as its stderr. Fails the test when a prompt comes that
    /// there is no answer for, or the run does not end in time.
    pub fn run_on_terminal(self, answers: &[&str]) -> Run {
        self.run_on_terminal_then(answers, |_| {})
    }

    /// [`Cmd::run_on_terminal`], calling `meanwhile` with the question's number (from 0) once
    /// each question is shown and before it is answered: what a person or another tool does
    /// while the question waits.
    pub fn run_on_terminal_then(
        mut self,
        answers: &[&str],
        mut meanwhile: impl FnMut(usize),
    ) -> Run {
        use std::io::Write;
        use std::os::fd::{FromRawFd, OwnedFd};
        let (mut master, slave) = {
            let (mut m, mut s) = (0, 0);
            // SAFETY: openpty writes two new descriptors into m and s; the null arguments ask
            // for no name and default terminal settings.
            let rc = unsafe {
                libc::openpty(
                    &mut m,
                    &mut s,
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    std::ptr::null(),
                )
            };
            assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
            // SAFETY: both descriptors were just opened and are owned by nothing else.
            unsafe { (std::fs::File::from_raw_fd(m), OwnedFd::from_raw_fd(s)) }
        };
        self.cmd
            .stdin(Stdio::from(slave.try_clone().expect("dup pty")))
            .stderr(Stdio::from(slave));
        let mut child = self.cmd.spawn().expect("spawn campaignctl");
        // The command held the only other copies of the slave: now the master reads EOF (EIO)
        // when the child exits.
        drop(self.cmd);
        let mut out = child.stdout.take().expect("stdout");
        let t_out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = out.read_to_end(&mut s);
            s
        });
        let mut reader = master.try_clone().expect("clone pty master");
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + RUN_TIMEOUT;
        let mut shown = Vec::new();
        let mut answers = answers.iter();
        let mut prompts = 0;
        let status = loop {
            while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(50)) {
                shown.extend_from_slice(&chunk);
            }
            let text = String::from_utf8_lossy(&shown);
            if text.matches("Enter a value:").count() > prompts {
                prompts += 1;
                let answer = answers.next().unwrap_or_else(|| {
                    let _ = child.kill();
                    panic!("a question came with no answer left; the terminal showed:\n{text}")
                });
                meanwhile(prompts - 1);
                master
                    .write_all(format!("{answer}\n").as_bytes())
                    .expect("answer on the terminal");
            }
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("campaignctl on a terminal did not finish in time; it showed:\n{text}");
            }
        };
        while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
            shown.extend_from_slice(&chunk);
        }
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&t_out.join().expect("stdout")).into_owned(),
            stderr: String::from_utf8_lossy(&shown).replace("\r\n", "\n"),
        }
    }

    /// Starts the command without waiting (daemons such as `watch`); stdout and stderr are piped.
    pub fn spawn(mut self) -> Child {
        self.cmd.spawn().expect("spawn campaignctl")
    }

    /// Runs to completion (bounded by a timeout that fails the test).
    pub fn run(mut self) -> Run {
        let mut child = self.cmd.spawn().expect("spawn campaignctl");
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let t_out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = out.read_to_end(&mut s);
            s
        });
        let t_err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            s
        });
        let deadline = Instant::now() + RUN_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "campaignctl {:?} did not finish within {RUN_TIMEOUT:?}",
                    self.cmd.get_args().collect::<Vec<_>>()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = String::from_utf8_lossy(&t_out.join().expect("stdout thread")).into_owned();
        let stderr = String::from_utf8_lossy(&t_err.join().expect("stderr thread")).into_owned();
        Run {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }
}

/// Runs git in the workspace, with no user or system configuration (no signing, no hooks).
pub fn git(ws: &Workspace, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(ws.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "user.name=campaignctl tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs (the tests of --base need git on PATH)");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn commit_all(ws: &Workspace, message: &str) {
    git(ws, &["add", "-A"]);
    git(ws, &["commit", "-q", "-m", message]);
}

/// GET an inspection endpoint (`/_emulator/...`) of the emulator at `addr` ([`Emulator::addr`]),
/// from a thread that does not own the emulator.
pub fn inspect_at(addr: &str, path: &str) -> serde_json::Value {
    request_at(addr, "GET", path, None, false)
}

fn request_at(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    auth: bool,
) -> serde_json::Value {
    let url = format!("http://{addr}{path}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let client = reqwest::Client::new();
        let mut req = client
            .request(method.parse().expect("method"), &url)
            .timeout(Duration::from_secs(10));
        if auth {
            req = req.bearer_auth(TOKEN);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(
            status.is_success(),
            "{method} {url} answered {status}: {text}"
        );
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {url}: not JSON ({e}): {text}"))
    })
}

/// A campaign to seed: id, name, status, and the phone numbers of its leads.
pub type Seeded<'a> = (u64, &'a str, &'a str, &'a [&'a str]);

/// An emulator whose account holds `campaigns` (assistant 7, a 09:00-17:00 window), each with
/// its leads (lead ids from 100 up), beside the demo seed's assistants and numbers. The seed
/// file lives in its own directory, outside any workspace; keep it while the emulator runs.
pub fn seeded(campaigns: &[Seeded]) -> (Emulator, tempfile::TempDir) {
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/emulator/src/demo_seed.yaml"),
    )
    .expect("the demo seed");
    let mut listed = String::new();
    let mut leads = String::new();
    let mut lead_id = 100;
    for (id, name, status, numbers) in campaigns {
        listed.push_str(&format!("  - {{ id: {id}, name: \"{name}\", status: {status}, assistant_id: 7, allowed_hours_start_time: \"09:00\", allowed_hours_end_time: \"17:00\" }}\n"));
        for number in *numbers {
            leads.push_str(&format!(
                "  - {{ id: {lead_id}, campaign_id: {id}, phone_number: \"{number}\" }}\n"
            ));
            lead_id += 1;
        }
    }
    let seed = demo.replace(
        "campaigns: []\nleads: []\n",
        &format!("campaigns:\n{listed}leads:\n{leads}"),
    );
    assert_ne!(
        seed, demo,
        "the demo seed ends with empty campaigns and leads"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("seed.yaml");
    std::fs::write(&file, seed).expect("write the seed");
    (
        Emulator::start_with(&["--seed", &file.to_string_lossy()]),
        dir,
    )
}

/// Collects a spawned child's stderr, line by line, as it comes (a daemon's log).
pub fn collect_stderr(child: &mut Child) -> std::sync::Arc<std::sync::Mutex<String>> {
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("stderr");
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut log = sink.lock().unwrap_or_else(|e| e.into_inner());
            log.push_str(&line);
            log.push('\n');
        }
    });
    log
}
