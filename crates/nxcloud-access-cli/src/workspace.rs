//! The CLI's [`Host`] for the core's workspace discovery
//! ([`nxcloud_access::workspace`]): the real file system (`std::fs`) and
//! `git ls-files`. Everything else about finding a workspace's files (the
//! root, the versions, DOT-1, CLI-1, PATR-1) is the core's, shared with the
//! npm package's `resolveWorkspace`.

use std::io;
use std::path::Path;
use std::process::Command;

pub use nxcloud_access::workspace::{
    gather, normalize, shown, GatherError, Host, Platform, Request, VersionOrigin, Workspace,
    DOT_ENV_FILES,
};

/// The real file system and git.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealHost;

impl Host for RealHost {
    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        use std::io::Read;
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error.to_string()),
        };
        // Never load more than the engine accepts (limits.rs): one byte over
        // the limit is enough to refuse, whatever the file's size.
        let limit = nxcloud_access::limits::MAX_TEXT_BYTES;
        let mut text = String::new();
        file.take(limit as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|error| error.to_string())?;
        if text.len() > limit {
            return Err(nxcloud_access::workspace::too_large());
        }
        Ok(Some(text))
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn tracked_files(&self, root: &Path, names: &[&str]) -> Option<Vec<String>> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["ls-files", "-z", "--"])
            .args(names)
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        let listed = String::from_utf8(output.stdout).ok()?;
        Some(
            listed
                .split('\0')
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("nxcloud-realhost-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_missing_file_is_none_and_a_folder_is_an_error() {
        let dir = scratch("read");
        assert!(RealHost.read(&dir.join("absent")).unwrap().is_none());
        fs::write(dir.join("nx.json"), "{}").unwrap();
        assert_eq!(
            RealHost.read(&dir.join("nx.json")).unwrap().as_deref(),
            Some("{}")
        );
        assert!(RealHost.is_file(&dir.join("nx.json")));
        assert!(!RealHost.is_file(&dir));
        assert!(
            RealHost.read(&dir).is_err(),
            "a folder cannot be read as text"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let dir = scratch("limit");
        let path = dir.join("nx.json");
        let limit = nxcloud_access::limits::MAX_TEXT_BYTES;
        fs::write(&path, vec![b' '; limit + 1]).unwrap();
        let error = RealHost.read(&path).unwrap_err();
        assert_eq!(error, nxcloud_access::workspace::too_large());
        fs::write(&path, vec![b' '; limit]).unwrap();
        assert_eq!(RealHost.read(&path).unwrap().map(|t| t.len()), Some(limit));
        fs::remove_dir_all(&dir).unwrap();
    }
}
