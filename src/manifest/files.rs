//! Which files campaignctl reads, and how: only regular files (a FIFO would block the run forever,
//! a device would feed it endless or secret bytes), and leads files only inside the repository
//! that holds the manifest, so a manifest from a pull request cannot make `validate` or `plan`
//! read `/proc/self/environ` or `~/.ssh` and print it back.

use std::fs::{File, FileType, OpenOptions};
use std::io;
use std::path::{Component, Path, PathBuf};

/// What kind of file system entry `file_type` is, for messages: "a FIFO (named pipe)".
pub fn kind(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The error for an entry that is not a regular file: `is a FIFO (named pipe), not a regular
/// file`.
fn not_regular(file_type: FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {}, not a regular file", kind(file_type)),
    )
}

/// Opens `path` for reading only if it is a regular file (symlinks followed). The type is checked
/// before opening and again on the open file, and the open itself does not wait for a writer, so
/// a FIFO or device put in place between the two is refused too, never read.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let before = std::fs::metadata(path)?;
    if !before.is_file() {
        return Err(not_regular(before.file_type()));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading blocks until a writer comes; O_NONBLOCK makes it return.
        // Regular files ignore the flag.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(not_regular(opened.file_type()));
    }
    Ok(file)
}

/// The file that marks a repository root for campaignctl when there is no `.git`.
pub const ROOT_MARKER: &str = "campaignctl.yaml";

/// The repository holding `dir`, as campaignctl defines it everywhere (leads, discovered
/// manifests, the repository config, excerpts): the nearest directory at or above `dir`, symlinks
/// resolved, that holds `.git` (a directory, or a file in a worktree) or a `campaignctl.yaml`.
/// With a config, that is the config's directory; in a git repository without one, the
/// top-level. `None` when there is no such directory: callers then fall back to the directory
/// campaignctl started from (the working directory, or a directory typed on the command line).
/// A marker can only make the repository smaller, so a file the repository brings in cannot
/// widen it.
pub fn marked_repository(dir: &Path) -> io::Result<Option<PathBuf>> {
    let dir = std::fs::canonicalize(dir)?;
    Ok(dir
        .ancestors()
        .find(|d| {
            [d.join(".git"), d.join(ROOT_MARKER)].iter().any(|marker| {
                super::read_log::note_probe(marker, super::read_log::Probe::Exists);
                marker.symlink_metadata().is_ok()
            })
        })
        .map(Path::to_path_buf))
}

/// The repository root for a manifest file: [`marked_repository`] of its directory, else the
/// current directory.
pub fn repository_root(manifest: &Path) -> io::Result<PathBuf> {
    let dir = match manifest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match marked_repository(dir)? {
        Some(root) => Ok(root),
        None => std::env::current_dir().and_then(std::fs::canonicalize),
    }
}

/// Whether `path` really is (symlinks resolved) inside `root` (a canonical directory), and not a
/// kernel pseudo-file. `false` when it cannot be resolved. Nothing is opened to find out.
pub fn resolves_inside(path: &Path, root: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|real| inside(&real, root))
}

/// Whether `path` resolves (symlinks followed) to somewhere outside `root`; `false` when it does
/// not resolve at all (a dangling link is reported as such, not as outside).
pub fn resolves_outside(path: &Path, root: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|real| !inside(&real, root))
}

/// Whether `file` resolves (symlinks followed) inside the repository of the place it was found:
/// [`marked_repository`] of its directory, else that directory itself (a file named on the
/// command line in a directory without a marker is quoted; a link from there to elsewhere is
/// not). A diagnostic quotes lines only of such a file: loading already refuses a file from
/// elsewhere unread, and this is the second net, so that no path to a diagnostic can print a
/// line of a secret file (`~/.config/gh/hosts.yml`) under a caret. A repository config found
/// by searching must be one too.
pub fn inside_its_repository(file: &Path) -> bool {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let root = match marked_repository(dir) {
        Ok(Some(root)) => root,
        Ok(None) => match std::fs::canonicalize(dir) {
            Ok(dir) => dir,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    resolves_inside(file, &root)
}

fn inside(real: &Path, root: &Path) -> bool {
    real.starts_with(root) && !PSEUDO_FILE_SYSTEMS.iter().any(|p| real.starts_with(p))
}

/// Where the kernel's pseudo-files live; nothing there is read as leads.
const PSEUDO_FILE_SYSTEMS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// Why a leads path was refused.
#[derive(Debug)]
pub enum LeadsPathError {
    /// `/etc/passwd`, `C:\x`: a leads path is relative to the manifest.
    Absolute,
    /// The path does not exist (or a directory on the way cannot be read).
    Missing,
    /// The path resolves (symlinks followed) outside the repository root.
    Outside { root: PathBuf },
    /// The path exists but is not a regular file.
    NotRegular(&'static str),
}

/// Where `relative` (a manifest's `leads.file`) really is: its canonical path, when it is a
/// relative path that resolves, symlinks followed, to a regular file inside the manifest's
/// repository root. Nothing is opened to find out.
pub fn resolve_leads(manifest: &Path, relative: &str) -> Result<PathBuf, LeadsPathError> {
    let given = Path::new(relative);
    if given.is_absolute()
        || given
            .components()
            .any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
    {
        return Err(LeadsPathError::Absolute);
    }
    let joined = manifest.parent().unwrap_or(Path::new("")).join(given);
    super::read_log::note_probe(&joined, super::read_log::Probe::State);
    let real = std::fs::canonicalize(&joined).map_err(|_| LeadsPathError::Missing)?;
    let root = repository_root(manifest).map_err(|_| LeadsPathError::Missing)?;
    // The kernel's pseudo-files (`/proc/self/environ` is a "regular file") are never leads, even
    // when the root is `/` (a daemon started in `/` with no repository marker).
    if !inside(&real, &root) {
        return Err(LeadsPathError::Outside { root });
    }
    let meta = std::fs::metadata(&real).map_err(|_| LeadsPathError::Missing)?;
    if !meta.is_file() {
        return Err(LeadsPathError::NotRegular(kind(meta.file_type())));
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Repo {
        dir: tempfile::TempDir,
    }

    impl Repo {
        /// A repository (marked by `campaignctl.yaml`) with `campaigns/m.yaml` and a leads file.
        fn new() -> Repo {
            let dir = tempfile::tempdir().expect("tempdir");
            let root = dir.path();
            std::fs::create_dir_all(root.join("repo/campaigns/leads")).expect("mkdir");
            std::fs::write(root.join("repo").join(ROOT_MARKER), "").expect("marker");
            std::fs::write(root.join("repo/campaigns/m.yaml"), "").expect("manifest");
            std::fs::write(root.join("repo/campaigns/leads/q4.csv"), "phone_number\n")
                .expect("csv");
            std::fs::write(root.join("repo/top.csv"), "phone_number\n").expect("csv");
            std::fs::write(root.join("secret.csv"), "phone_number\n").expect("csv");
            Repo { dir }
        }

        fn manifest(&self) -> PathBuf {
            self.dir.path().join("repo/campaigns/m.yaml")
        }

        fn resolve(&self, relative: &str) -> Result<PathBuf, LeadsPathError> {
            resolve_leads(&self.manifest(), relative)
        }
    }

    #[test]
    fn paths_inside_the_repository_resolve() {
        let repo = Repo::new();
        let inside = repo
            .resolve("leads/q4.csv")
            .expect("a leads file beside it");
        assert!(
            inside.ends_with("repo/campaigns/leads/q4.csv"),
            "{inside:?}"
        );
        let up = repo
            .resolve("../top.csv")
            .expect("`..` that stays inside is fine");
        assert!(up.ends_with("repo/top.csv"), "{up:?}");
    }

    #[test]
    fn paths_outside_the_repository_are_refused() {
        let repo = Repo::new();
        assert!(
            matches!(repo.resolve("/etc/passwd"), Err(LeadsPathError::Absolute)),
            "an absolute path is refused"
        );
        assert!(
            matches!(
                repo.resolve("../../secret.csv"),
                Err(LeadsPathError::Outside { .. })
            ),
            "a `..` escape is refused"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                repo.dir.path().join("secret.csv"),
                repo.dir.path().join("repo/campaigns/leads/link.csv"),
            )
            .expect("symlink");
            assert!(
                matches!(
                    repo.resolve("leads/link.csv"),
                    Err(LeadsPathError::Outside { .. })
                ),
                "a symlink leading out is refused"
            );
        }
        assert!(
            matches!(repo.resolve("leads"), Err(LeadsPathError::NotRegular(_))),
            "a directory is refused"
        );
        assert!(
            matches!(repo.resolve("nope.csv"), Err(LeadsPathError::Missing)),
            "a missing file is missing"
        );
    }

    #[test]
    fn a_git_directory_or_marker_is_the_root() {
        let repo = Repo::new();
        let root = repository_root(&repo.manifest()).expect("root");
        assert!(root.ends_with("repo"), "the marker's directory: {root:?}");
        std::fs::create_dir(repo.dir.path().join("repo/campaigns/.git")).expect("mkdir");
        let root = repository_root(&repo.manifest()).expect("root");
        assert!(
            root.ends_with("campaigns"),
            "the nearest one wins: {root:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo failed");
        let err = open_regular(&fifo).expect_err("a FIFO must be refused");
        assert!(
            err.to_string().contains("FIFO"),
            "the message names the kind: {err}"
        );
        let err = open_regular(Path::new("/dev/null")).expect_err("a device must be refused");
        assert!(err.to_string().contains("character device"), "{err}");
        let file = dir.path().join("f");
        std::fs::write(&file, "x").expect("write");
        assert!(open_regular(&file).is_ok(), "a regular file opens");
    }
}
