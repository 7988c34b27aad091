//! Files, paths and output under hostile input (issue 11, parts 5 and 6): leads files stay inside
//! the repository, `plan --out` replaces only a regular file, FIFOs and devices are never read,
//! and nothing from input can inject a terminal sequence or a GitHub workflow command, or flood
//! the output. The real binary, against the emulator where a command needs one.

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use crate::support::{campaignctl, Emulator, Run, Workspace, TOKEN};

/// A campaign document whose leads come from `file`; its `file:` value is at line 5, column 9.
fn with_leads(file: &str) -> String {
    format!(
        "kind: Campaign\nname: Leaky\nassistant_id: 7\nleads:\n  file: {file}\ntimezone: America/New_York\n"
    )
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo {path:?} failed");
}

/// Waits at most `limit` for `child`, killing it and failing the test if it is still running:
/// a read of a FIFO would block forever.
fn finish_within(mut child: Child, limit: Duration, what: &str) -> Run {
    use std::io::Read;
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}: it is blocked reading a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

#[track_caller]
fn assert_no_token(run: &Run, what: &str) {
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{what}: the API token leaked into the output:\n{run}"
    );
}

/// Every way of reading a file outside the repository is refused at the `file:` value, with a
/// hint, without the file being read: the token in the environment and in an outside file never
/// shows, in text, JSON or annotations.
#[test]
fn leads_files_outside_the_repository_are_refused_unread() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    // The repository is `repo/` (marked by its .git); beside it, a secret.
    ws.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    ws.write(
        "secret.csv",
        format!("phone_number,{TOKEN}\n+14155550101,x\n"),
    );
    ws.write("repo/ok/leads.csv", "phone_number\n+14155550102\n");
    let repo = ws.path().join("repo");
    std::fs::create_dir_all(repo.join("c")).expect("mkdir");
    #[cfg(unix)]
    std::os::unix::fs::symlink(ws.path().join("secret.csv"), repo.join("c/link.csv"))
        .expect("symlink");

    let cases = [
        ("/proc/self/environ", "is an absolute path"),
        ("/etc/passwd", "is an absolute path"),
        ("../../secret.csv", "leads outside the repository"),
        (
            "../../../../../../../../proc/self/environ",
            "leads outside the repository",
        ),
        ("link.csv", "leads outside the repository"),
    ];
    for (file, expected) in cases {
        ws.write("repo/c/m.yaml", with_leads(file));
        let at = format!("c/m.yaml:5:9: error: leads.file: \"{file}\" {expected}");
        for args in [
            &["validate", "c"][..],
            &["validate", "c", "--format", "github"],
            &["plan", "c", "--format", "json"],
            &["plan", "c", "--format", "github"],
        ] {
            let run = campaignctl(&repo, Some(&emu))
                .args(args)
                .env("GITHUB_ACTIONS", "true")
                .run();
            let what = format!("{file} with {args:?}");
            run.assert_code(1);
            assert_no_token(&run, &what);
            // /etc/passwd was not read.
            run.assert_nowhere("root:x:0:0");
            if args.contains(&"json") {
                let doc = run.json();
                assert_eq!(
                    doc["diagnostics"][0]["message"]
                        .as_str()
                        .map(|m| m.contains(expected)),
                    Some(true),
                    "{what}: {doc:#}"
                );
            } else if args.contains(&"github") {
                assert!(
                    run.stdout
                        .starts_with("::error file=c/m.yaml,line=5,col=9,"),
                    "{what}: positioned annotation expected:\n{}",
                    run
                );
            } else {
                assert!(
                    run.stderr.contains(&at) && run.stderr.contains("\n  hint: "),
                    "{what}: expected {at:?} and a hint:\n{}",
                    run.stderr
                );
            }
        }
    }

    // A `..` that stays inside the repository is fine.
    ws.write("repo/c/m.yaml", with_leads("../ok/leads.csv"));
    campaignctl(&repo, None)
        .args(["validate", "c"])
        .run()
        .assert_code(0);
}

/// With no `.git` or `campaignctl.yaml` above the manifest, the current directory is the root.
#[test]
fn without_a_marker_the_current_directory_is_the_root() {
    let ws = Workspace::new();
    ws.write("work/c/leads.csv", "phone_number\n+14155550102\n");
    ws.write("work/c/m.yaml", with_leads("leads.csv"));
    let work = ws.path().join("work");
    campaignctl(&work, None)
        .args(["validate", "c"])
        .run()
        .assert_code(0);
    let elsewhere = ws.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    campaignctl(&elsewhere, None)
        .args(["validate", work.join("c").to_str().expect("utf-8 path")])
        .run()
        .assert_code(1)
        .assert_stderr("leads outside the repository");
}

/// A daemon started in `/` with no repository marker has `/` as its root; the kernel's pseudo
/// files (`/proc/self/environ` is a "regular file") are still refused.
#[cfg(target_os = "linux")]
#[test]
fn kernel_pseudo_files_are_refused_even_when_the_root_is_slash() {
    let ws = Workspace::new();
    let depth = ws.path().join("c").components().count();
    let manifest = ws.write(
        "c/m.yaml",
        with_leads(&format!("{}proc/self/environ", "../".repeat(depth + 1))),
    );
    let run = campaignctl(Path::new("/"), None)
        .args(["validate", manifest.to_str().expect("utf-8 path")])
        .env("CAMPAIGNCTL_API_TOKEN", TOKEN)
        .run();
    run.assert_code(1)
        .assert_stderr("proc/self/environ\" leads outside the repository (/)");
    assert_no_token(&run, "validate from /");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_never_read() {
    let ws = Workspace::new();
    mkfifo(&ws.path().join("fifo.csv"));
    let child = campaignctl(ws.path(), None)
        .args(["validate", "fifo.csv"])
        .spawn();
    let run = finish_within(child, Duration::from_secs(15), "validate fifo.csv");
    run.assert_code(1).assert_only_stderr(
        "fifo.csv:1:1: error: this path is a FIFO (named pipe), not a regular file; it was not read",
    );

    ws.write("c/m.yaml", with_leads("../fifo.csv"));
    let child = campaignctl(ws.path(), None).args(["validate", "c"]).spawn();
    let run = finish_within(
        child,
        Duration::from_secs(15),
        "validate with a FIFO leads file",
    );
    run.assert_code(1).assert_only_stderr(
        "c/m.yaml:5:9: error: leads.file: \"../fifo.csv\" is a FIFO (named pipe), not a regular file",
    );

    let child = campaignctl(ws.path(), None)
        .args(["validate", "/dev/zero"])
        .spawn();
    finish_within(child, Duration::from_secs(15), "validate /dev/zero")
        .assert_code(1)
        .assert_stderr("is a character device, not a regular file");
}

/// `plan --out` replaces a regular file or creates one; a symlink, FIFO, device or directory is
/// left as it is, with an error and nothing written.
#[cfg(unix)]
#[test]
fn plan_out_writes_only_regular_files() {
    use std::os::unix::fs::FileTypeExt;
    let emu = Emulator::start();
    let ws = Workspace::with_samples();
    let plan_out = |out: &str| {
        let child = campaignctl(ws.path(), Some(&emu))
            .args(["plan", "--out", out])
            .spawn();
        finish_within(child, Duration::from_secs(30), &format!("plan --out {out}"))
    };

    plan_out("new.plan").assert_code(0);
    assert!(
        std::fs::symlink_metadata(ws.path().join("new.plan")).is_ok_and(|m| m.is_file()),
        "a new plan file is created"
    );
    plan_out("new.plan").assert_code(0);

    ws.write("target.txt", "keep me");
    std::os::unix::fs::symlink(ws.path().join("target.txt"), ws.path().join("link.plan"))
        .expect("symlink");
    plan_out("link.plan")
        .assert_code(1)
        .assert_stderr("cannot write the plan to link.plan: it is a symbolic link");
    assert!(
        std::fs::symlink_metadata(ws.path().join("link.plan")).is_ok_and(|m| m.is_symlink()),
        "the symlink must still be a symlink"
    );
    assert_eq!(
        std::fs::read_to_string(ws.path().join("target.txt"))
            .ok()
            .as_deref(),
        Some("keep me"),
        "its target is untouched"
    );

    mkfifo(&ws.path().join("fifo.plan"));
    plan_out("fifo.plan")
        .assert_code(1)
        .assert_stderr("it is a FIFO (named pipe)");
    assert!(
        std::fs::symlink_metadata(ws.path().join("fifo.plan"))
            .is_ok_and(|m| m.file_type().is_fifo()),
        "the FIFO must still be a FIFO"
    );

    std::fs::create_dir(ws.path().join("dir.plan")).expect("mkdir");
    plan_out("dir.plan")
        .assert_code(1)
        .assert_stderr("it is a directory");

    // A device like /dev/null, made here (mknod needs privileges; /dev itself is never risked).
    let device = ws.path().join("null.plan");
    let made = std::process::Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        plan_out("null.plan")
            .assert_code(1)
            .assert_stderr("it is a character device");
        assert!(
            std::fs::symlink_metadata(&device).is_ok_and(|m| m.file_type().is_char_device()),
            "the device node must still be a device"
        );
    } else {
        eprintln!("mknod is not permitted here: the device case was not run");
    }
    let leftovers: Vec<String> = std::fs::read_dir(ws.path())
        .expect("read_dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A key or a file name holding a newline and `::error::` cannot start a line of output that
/// GitHub Actions would run as a workflow command, in any format.
#[test]
fn input_cannot_inject_workflow_commands() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    ws.write(
        "c/key.yaml",
        "kind: Campaign\nname: Key\nassistant_id: 7\n\"x\\n::error::INJECTED-KEY\": 1\n",
    );
    ws.write(
        "c/evil\n::error::INJECTED-FILE.yaml",
        "kind: Campaign\nname: File\nassistant_id: 7\nmax_retries: 9\n",
    );
    for args in [
        &["validate", "c"][..],
        &["validate", "c", "--format", "github"],
        &["plan", "c"],
        &["plan", "c", "--format", "github"],
        &["plan", "c", "--format", "markdown"],
    ] {
        let run = campaignctl(ws.path(), Some(&emu))
            .args(args)
            .env("GITHUB_ACTIONS", "true")
            .run();
        run.assert_code(1);
        // A runner reads workflow commands from both streams, so both are checked as one.
        let all = format!("{}\n{}", run.stdout, run.stderr);
        for injected in ["INJECTED-KEY", "INJECTED-FILE"] {
            assert!(
                all.contains(injected),
                "{args:?}: the problem with {injected} is not reported at all:\n{all}"
            );
        }
        let hijacked: Vec<&str> = all
            .lines()
            .filter(|l| l.trim_start().starts_with("::error::INJECTED"))
            .collect();
        assert!(
            hijacked.is_empty(),
            "{args:?}: input started a workflow command: {hijacked:?}\n{all}"
        );
    }
}

/// An ESC sequence in a key reaches the output escaped, never raw.
#[test]
fn escape_sequences_from_input_are_escaped() {
    let ws = Workspace::new();
    ws.write(
        "c/m.yaml",
        "kind: Campaign\nname: \"Esc\"\nassistant_id: 7\n\"\\e[2J\\e]0;owned\\a\": 1\n",
    );
    for args in [
        &["validate", "c"][..],
        &["validate", "c", "--format", "github"],
    ] {
        let run = campaignctl(ws.path(), None).args(args).run();
        run.assert_code(1);
        // No stream may carry a raw control character to the terminal.
        let all = format!("{}\n{}", run.stdout, run.stderr);
        assert!(
            !all.contains(['\u{1b}', '\u{7}']),
            "{args:?}: a raw control character reached the output:\n{all:?}"
        );
        assert!(
            all.contains("\\u{1b}[2J\\u{1b}]0;owned\\u{7}"),
            "{args:?}: the key is shown escaped:\n{all}"
        );
    }
}

/// A 30 MB header row (no `phone_number` column) makes a short error, in text and JSON.
#[test]
fn a_huge_csv_header_makes_a_bounded_error() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    let mut header = String::with_capacity(30 * 1024 * 1024 + 1);
    while header.len() < 30 * 1024 * 1024 {
        header.push_str("column_with_a_long_name_");
        header.push_str(&header.len().to_string());
        header.push(',');
    }
    header.push_str("last\n");
    ws.write("c/huge.csv", &header);
    drop(header);
    ws.write("c/m.yaml", with_leads("huge.csv"));
    let validate = campaignctl(ws.path(), None).args(["validate", "c"]).run();
    validate
        .assert_code(1)
        .assert_stderr("the header row has no `phone_number` column");
    let size = validate.stdout.len() + validate.stderr.len();
    assert!(size < 4_000, "the error is {size} bytes");
    let json = campaignctl(ws.path(), Some(&emu))
        .args(["plan", "c", "--format", "json"])
        .run();
    json.assert_code(1);
    let size = json.stdout.len() + json.stderr.len();
    assert!(size < 8_000, "plan --format json printed {size} bytes");
}

/// Thousands of problems print a bounded number of lines, and say how many more there were.
#[test]
fn the_number_of_problems_printed_is_bounded() {
    let ws = Workspace::new();
    for f in 0..3 {
        let doc = (0..300)
            .map(|i| format!("kind: Campaign\nname: C{f}-{i}\nassistant_id: 7\nmax_retries: 9\n"))
            .collect::<Vec<_>>()
            .join("---\n");
        ws.write(&format!("c/{f}.yaml"), doc);
    }
    for args in [
        &["validate", "c"][..],
        &["validate", "c", "--format", "github"],
    ] {
        let run = campaignctl(ws.path(), None).args(args).run();
        run.assert_code(1);
        // Text diagnostics go to stderr; annotations are `--format github`'s output, stdout.
        let (problems, other) = if args.contains(&"github") {
            (&run.stdout, &run.stderr)
        } else {
            (&run.stderr, &run.stdout)
        };
        let shown = problems.matches("max_retries must be between").count();
        assert_eq!(shown, 500, "{args:?}: 900 problems, 500 shown\n{run}");
        assert!(
            problems.contains("... and 400 more problem(s), not shown"),
            "{args:?}: the rest is not counted\n{run}"
        );
        assert!(
            !other.contains("max_retries must be between"),
            "{args:?}: problems printed on both streams\n{run}"
        );
    }
}

/// `--format github` prints each problem once: as an annotation, not also as text.
#[test]
fn github_format_prints_each_problem_once() {
    let emu = Emulator::start();
    let ws = Workspace::new();
    // A load error, a warning (no timezone) and a plan-time error (unknown assistant).
    ws.write(
        "bad/m.yaml",
        "kind: Campaign\nname: Bad\nassistant_id: 7\nmax_retries: 9\n",
    );
    ws.write(
        "plan/m.yaml",
        "kind: Campaign\nname: Planned\nassistant_id: 404\n",
    );
    // Annotations are `--format github`'s output (stdout); none is repeated on stderr.
    let count = |run: &Run, needle: &str| {
        (
            run.stdout.matches(needle).count(),
            run.stderr.matches(needle).count(),
        )
    };
    for (args, needles) in [
        (
            &["validate", "bad", "--format", "github"][..],
            &["max_retries must be between 1 and 5"][..],
        ),
        (
            &["plan", "bad", "--format", "github"],
            &["max_retries must be between 1 and 5"],
        ),
        (
            &["validate", "plan", "--format", "github"],
            &["no timezone"],
        ),
        (
            &["plan", "plan", "--format", "github"],
            &["no timezone", "assistant_id 404"],
        ),
    ] {
        let run = campaignctl(ws.path(), Some(&emu)).args(args).run();
        for needle in needles {
            assert_eq!(
                count(&run, needle),
                (1, 0),
                "{args:?}: {needle:?} must be printed exactly once:\n{}",
                run
            );
        }
        assert!(
            !run.stderr.contains("error:") && !run.stderr.contains("warning:"),
            "{args:?}: problems also printed as text on stderr:\n{}",
            run.stderr
        );
    }
}
