//! `steward backup` and `steward restore`: one `.tar.gz` archive holding the
//! database (SQLite: a `VACUUM INTO` copy; PostgreSQL: a `pg_dump` custom
//! format dump), the uploaded files, and a manifest naming the database's
//! kind and its SHA-256. A restore checks the whole archive before it touches
//! anything, refuses a database that holds data unless forced, and verifies
//! the audit chain afterwards.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use steward_server::{AppState, Config};
use steward_store::{Store, StoreOptions};

/// The archive's layout version; a restore refuses any other.
const FORMAT: u32 = 1;
const MANIFEST: &str = "steward-backup.json";
const SQLITE_FILE: &str = "steward.db";
const PG_FILE: &str = "steward.pgdump";
const FILES: &str = "files";

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    /// `sqlite` or `postgres`.
    database: String,
    /// The database's file in the archive and its SHA-256.
    file: String,
    sha256: String,
    /// Uploaded files in the archive.
    files: u64,
    created_at: String,
    steward_version: String,
}

/// What a backup or restore did, for the command's last line.
pub struct Summary {
    pub database: String,
    pub bytes: u64,
    pub files: u64,
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// A folder next to `near` that is removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn next_to(near: &Path, what: &str) -> anyhow::Result<Scratch> {
        let parent = near
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = parent.join(format!(
            ".steward-{what}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        // Only inside a folder that exists: a mistyped path creates nothing.
        std::fs::create_dir(&dir)
            .with_context(|| format!("cannot write in {}", parent.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `pg_dump`/`pg_restore` found on PATH, or a clear error.
fn pg_tool(name: &str) -> anyhow::Result<Command> {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    if !found {
        bail!(
            "{name} is not on PATH: install PostgreSQL's client tools (Debian: postgresql-client) \
             of the server's major version or newer"
        );
    }
    Ok(Command::new(name))
}

fn run(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Writes the backup of the configured database and data folder to `out`,
/// safe while Steward serves: the archive appears under its name only once
/// it is complete.
/// A SQLite database kept inside the folder of uploaded files would travel
/// twice: once as the consistent copy, once as a torn live file among the
/// uploads, which a restore would then write over the good one.
fn database_outside_files(db: &Path, data_dir: &str) -> anyhow::Result<()> {
    let dir = Path::new(data_dir);
    let (Ok(db), Ok(dir)) = (db.canonicalize(), dir.canonicalize()) else {
        return Ok(());
    };
    if db.starts_with(&dir) {
        bail!(
            "the SQLite database {} lies inside data_dir {}, the folder of uploaded files: move \
             the database out of it (or set data_dir to a folder of its own), then back up \
             (nothing was written)",
            db.display(),
            dir.display()
        );
    }
    Ok(())
}

pub async fn backup(config: &Config, out: &Path) -> anyhow::Result<Summary> {
    let scratch = Scratch::next_to(out, "backup")
        .with_context(|| format!("cannot write the backup to {}", out.display()))?;
    let (database, file) = if config.database_url.starts_with("sqlite:") {
        let store = Store::connect(&config.database_url, &StoreOptions::default()).await?;
        if let Some(db) = store.sqlite_file() {
            database_outside_files(&db, &config.data_dir)?;
        }
        let copy = scratch.0.join(SQLITE_FILE);
        store
            .sqlite_backup_into(&copy)
            .await
            .context("copying the SQLite database")?;
        store.close().await;
        ("sqlite", copy)
    } else {
        let dump = scratch.0.join(PG_FILE);
        let mut cmd = pg_tool("pg_dump")?;
        cmd.args(["--format=custom", "--no-owner", "--no-acl", "--file"])
            .arg(&dump)
            .arg(&config.database_url);
        run(cmd, "pg_dump")?;
        ("postgres", dump)
    };
    let data = Path::new(&config.data_dir);
    let files = if data.is_dir() { count_files(data)? } else { 0 };
    let manifest = Manifest {
        format: FORMAT,
        database: database.into(),
        file: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: sha256_file(&file)?,
        files,
        created_at: jiff::Timestamp::now().to_string(),
        steward_version: env!("CARGO_PKG_VERSION").into(),
    };
    let partial = scratch.0.join("archive.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(
            File::create(&partial).context("creating the archive")?,
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let json = serde_json::to_vec_pretty(&manifest)?;
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(jiff::Timestamp::now().as_second().max(0) as u64);
        tar.append_data(&mut header, MANIFEST, json.as_slice())?;
        tar.append_path_with_name(&file, &manifest.file)?;
        if data.is_dir() {
            tar.append_dir_all(FILES, data)
                .with_context(|| format!("adding the uploaded files of {}", data.display()))?;
        }
        let gz = tar.into_inner()?;
        let f = gz.finish()?;
        f.sync_all()?;
    }
    let bytes = std::fs::metadata(&partial)?.len();
    std::fs::rename(&partial, out)
        .with_context(|| format!("cannot write the backup to {}", out.display()))?;
    Ok(Summary {
        database: database.into(),
        bytes,
        files,
    })
}

fn count_files(dir: &Path) -> anyhow::Result<u64> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            n += count_files(&entry.path())?;
        } else if kind.is_file() {
            n += 1;
        }
    }
    Ok(n)
}

/// Unpacks and checks the archive into `into`; nothing else is touched.
fn unpack(archive: &Path, into: &Path) -> anyhow::Result<Manifest> {
    let not_ours = |e: &dyn std::fmt::Display| {
        anyhow!(
            "{} is not a complete Steward backup ({e}); nothing was changed",
            archive.display()
        )
    };
    let f = File::open(archive).with_context(|| format!("cannot read {}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    tar.set_preserve_permissions(false);
    // `unpack_in` refuses entries that would land outside `into`.
    for entry in tar.entries().map_err(|e| not_ours(&e))? {
        let mut entry = entry.map_err(|e| not_ours(&e))?;
        entry.unpack_in(into).map_err(|e| not_ours(&e))?;
    }
    let raw = std::fs::read(into.join(MANIFEST)).map_err(|_| not_ours(&"no manifest"))?;
    let m: Manifest = serde_json::from_slice(&raw).map_err(|e| not_ours(&e))?;
    if m.format != FORMAT {
        bail!(
            "{} is a backup of format {}; this Steward restores format {FORMAT}",
            archive.display(),
            m.format
        );
    }
    let expected = match m.database.as_str() {
        "sqlite" => SQLITE_FILE,
        "postgres" => PG_FILE,
        other => return Err(not_ours(&format!("unknown database {other:?}"))),
    };
    if m.file != expected {
        return Err(not_ours(&format!("unexpected database file {:?}", m.file)));
    }
    let db = into.join(&m.file);
    let sum = sha256_file(&db).map_err(|_| not_ours(&"the database file is missing"))?;
    if sum != m.sha256 {
        return Err(not_ours(&"the database file does not match its checksum"));
    }
    Ok(m)
}

/// Restores `archive` into the configured database and data folder; a
/// database that holds data is refused unless `force`. The audit chain is
/// verified afterwards (an error if it is broken).
pub async fn restore(config: Config, archive: &Path, force: bool) -> anyhow::Result<Summary> {
    let sqlite = config.database_url.starts_with("sqlite:");
    let target_kind = if sqlite { "sqlite" } else { "postgres" };
    let store = Store::connect(&config.database_url, &StoreOptions::default())
        .await
        .with_context(|| format!("cannot open the database {}", config.database_url))?;
    let sqlite_file = store.sqlite_file();
    if let Some(db) = &sqlite_file {
        database_outside_files(db, &config.data_dir)?;
    }
    let near = sqlite_file
        .clone()
        .unwrap_or_else(|| Path::new(&config.data_dir).join("x"));
    let scratch = Scratch::next_to(&near, "restore")?;
    let m = unpack(archive, &scratch.0)?;
    if m.database != target_kind {
        bail!(
            "{} is a backup of a {} database; the configured database is {target_kind} \
             (nothing was changed)",
            archive.display(),
            m.database
        );
    }
    if store.holds_data().await? && !force {
        bail!(
            "the database {} already holds data: restore into an empty database, or pass --force \
             to replace it (nothing was changed)",
            config.database_url
        );
    }
    store.close().await;
    let db = scratch.0.join(&m.file);
    let bytes = std::fs::metadata(&db)?.len();
    if let Some(target) = sqlite_file {
        // The copy takes the database's place in one rename; the old
        // write-ahead log must not be applied to it.
        let staged = target.with_extension("restoring");
        std::fs::copy(&db, &staged)?;
        File::open(&staged)?.sync_all()?;
        for suffix in ["-wal", "-shm"] {
            let mut side = target.clone().into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
        std::fs::rename(&staged, &target)?;
    } else {
        // One transaction: a restore that fails leaves the database as it was.
        let mut cmd = pg_tool("pg_restore")?;
        cmd.args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
        ])
        .arg(&config.database_url)
        .arg(&db);
        run(cmd, "pg_restore")?;
    }
    let files_dir = scratch.0.join(FILES);
    let files = if files_dir.is_dir() {
        copy_tree(&files_dir, Path::new(&config.data_dir))?
    } else {
        0
    };
    // Migrations bring an older backup up to this version; the chain must hold.
    let state = AppState::open(config)
        .await
        .map_err(|e| anyhow!("the restored database cannot be opened: {e}"))?;
    while state.store.seal_audit(1_000).await? > 0 {}
    state.store.optimize().await?;
    let v = state.store.verify_audit().await?;
    if let Some(b) = v.broken {
        bail!(
            "restored, but the audit chain is broken at position {}: {} (the backup was altered)",
            b.seq,
            b.reason
        );
    }
    state.store.close().await;
    Ok(Summary {
        database: m.database,
        bytes,
        files,
    })
}

/// Copies every file under `from` into `to`, keeping the layout.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<u64> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let mut n = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            n += copy_tree(&entry.path(), &target)?;
        } else {
            let mut out = File::create(&target)?;
            out.write_all(&std::fs::read(entry.path())?)?;
            out.sync_all()?;
            n += 1;
        }
    }
    Ok(n)
}
