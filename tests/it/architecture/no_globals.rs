//! No process-wide state behind the code's back: how a run prints, and the root paths are
//! shown from, are values passed in (the CLI's `Printer`), never a `static` a command sets and
//! another reads. Every `static` with interior mutability (atomics, `OnceLock`, `LazyLock`,
//! `Mutex`, `RwLock`, `Cell`, `RefCell`, `static mut`) in the crates' sources, outside their
//! test modules, must be on the allow-list below with the reason it is not such a setting.

/// (file relative to the repository, static's name, why it may stay).
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "src/manifest/read_log.rs",
        "LOG",
        "a thread-local record of the files one load reads, set and restored by `recording` \
         around that load alone; it carries no setting from one run to another",
    ),
    (
        "src/render/style.rs",
        "PLAIN",
        "a thread-local flag set and restored by `without_styles` around one rendering for a \
         stream that shows no colour (`cli::output` decides from the `Printer`'s choice); it \
         carries no setting from one rendering to another",
    ),
];

/// The type words that make a `static` mutable state.
const MUTABLE: &[&str] = &[
    "Atomic", "OnceLock", "OnceCell", "LazyLock", "Lazy<", "Mutex", "RwLock", "Cell<", "RefCell",
];

/// Every `static` with mutable state in `text` (outside its test module): its name and line.
fn mutable_statics(text: &str) -> Vec<(String, usize)> {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    let mut found = Vec::new();
    for (n, line) in text[..end].lines().enumerate() {
        let code = line.split("//").next().unwrap_or("").trim_start();
        let code = code
            .strip_prefix("pub(crate) ")
            .or_else(|| code.strip_prefix("pub "))
            .unwrap_or(code);
        let Some(rest) = code.strip_prefix("static ") else {
            continue;
        };
        let is_mut = rest.starts_with("mut ");
        let rest = rest.trim_start_matches("mut ");
        let Some((name, ty)) = rest.split_once(':') else {
            continue;
        };
        if is_mut || MUTABLE.iter().any(|m| ty.contains(m)) {
            found.push((name.trim().to_owned(), n + 1));
        }
    }
    found
}

#[test]
fn no_static_holds_mutable_state_outside_the_allow_list() {
    let root = super::root();
    let mut files = Vec::new();
    super::rust_files(&root.join("src"), &mut files);
    for krate in std::fs::read_dir(root.join("crates")).expect("crates/") {
        let src = krate.expect("a crate").path().join("src");
        if src.is_dir() {
            super::rust_files(&src, &mut files);
        }
    }
    let mut unexplained = Vec::new();
    let mut seen = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        let rel = rel.to_string_lossy().replace('\\', "/");
        for (name, line) in mutable_statics(&super::read(file)) {
            if ALLOWED.iter().any(|(f, n, _)| *f == rel && *n == name) {
                seen.push((rel.clone(), name));
            } else {
                unexplained.push(format!("{rel}:{line}: static {name}"));
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "process-wide mutable state; pass the value in (the CLI's `Printer`, an argument) \
         instead, or add it to ALLOWED with the reason it is not a setting:\n{}",
        unexplained.join("\n")
    );
    for (file, name, _) in ALLOWED {
        assert!(
            seen.iter().any(|(f, n)| f == file && n == name),
            "{file}: static {name} is allowed but gone: remove it from ALLOWED"
        );
    }
}

#[test]
fn the_scan_finds_each_kind_of_mutable_static_and_skips_the_rest() {
    let text = "\
static A: AtomicBool = AtomicBool::new(false);
pub(crate) static B: std::sync::OnceLock<u8> = OnceLock::new();
    static C: RefCell<Option<u8>> = const { RefCell::new(None) };
static mut D: u8 = 0;
static NAME: &str = \"fine\";
// static E: Mutex<u8> = Mutex::new(0);
const F: u8 = 1;
#[cfg(test)]
static G: AtomicBool = AtomicBool::new(false);
";
    let names: Vec<String> = mutable_statics(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["A", "B", "C", "D"],
        "atomics, OnceLock, thread-local RefCell and static mut are found; constants, \
         comments and test modules are not"
    );
}
