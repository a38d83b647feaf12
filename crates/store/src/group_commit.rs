//! Group commit for SQLite's single writer.
//!
//! SQLite allows one writer, and with `synchronous=FULL` every commit waits for
//! the disk. Instead of one transaction per write, concurrent writes share one:
//! each runs inside its own savepoint (so a write that fails is undone alone),
//! and the transaction commits when no other write is waiting for the writer
//! (or after [`MAX_BATCH`] writes). A write's `commit()` returns only after the
//! shared transaction is durably committed, so nothing is acknowledged that a
//! crash could lose; if the commit fails, every write in the batch gets the error.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot, watch};

use crate::{Result, StoreError};

/// Writes committed together at most.
pub const MAX_BATCH: usize = 128;

type Outcome = Option<Result<(), String>>;

#[derive(Default)]
struct State {
    conn: Option<SqliteConnection>,
    /// The open shared transaction, with the channel its outcome is announced on.
    batch: Option<watch::Sender<Outcome>>,
    members: usize,
}

/// The one writer connection and its shared transaction.
#[derive(Clone)]
pub struct Writer {
    state: Arc<Mutex<State>>,
    /// Writes waiting for the writer; the last write of a burst commits.
    waiting: Arc<AtomicUsize>,
    options: SqliteConnectOptions,
}

impl Writer {
    pub fn new(options: SqliteConnectOptions) -> Writer {
        Writer {
            state: Arc::new(Mutex::new(State::default())),
            waiting: Arc::new(AtomicUsize::new(0)),
            options,
        }
    }

    /// Starts a write. The writer's own steps (taking the writer, `BEGIN`,
    /// `SAVEPOINT`) run in a task of their own, so that a request cancelled
    /// half-way never leaves the shared transaction in an unknown state: if
    /// nobody is there to take the write, dropping it undoes it.
    pub async fn begin(&self) -> Result<WriteTx> {
        let writer = self.clone();
        let (sender, receiver) = oneshot::channel();
        tokio::spawn(async move {
            let started = writer.start().await;
            // A refused send hands the write back; dropping it undoes it.
            drop(sender.send(started));
        });
        receiver
            .await
            .map_err(|_| StoreError::Config("the writer task ended unexpectedly".into()))?
    }

    async fn start(&self) -> Result<WriteTx> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.state.clone().lock_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match self.open(&mut guard).await {
            Ok(()) => Ok(WriteTx {
                guard: Some(guard),
                writer: self.clone(),
            }),
            Err(e) => {
                self.settle(&mut guard, false).await;
                Err(e)
            }
        }
    }

    async fn open(&self, st: &mut State) -> Result<()> {
        if st.conn.is_none() {
            st.conn = Some(self.options.connect().await?);
        }
        let conn = st.conn.as_mut().ok_or(StoreError::NotFound)?;
        if st.batch.is_none() {
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
            st.batch = Some(watch::channel(None).0);
            st.members = 0;
        }
        sqlx::query("SAVEPOINT write").execute(&mut *conn).await?;
        Ok(())
    }

    /// Commits the shared transaction when nobody else is waiting for the
    /// writer, the batch is full, or `force`; announces the outcome to its writes.
    async fn settle(&self, st: &mut State, force: bool) {
        if st.batch.is_none() {
            return;
        }
        if !force && self.waiting.load(Ordering::SeqCst) > 0 && st.members < MAX_BATCH {
            return;
        }
        let outcome = match st.conn.as_mut() {
            Some(conn) => match sqlx::query("COMMIT").execute(&mut *conn).await {
                Ok(_) => Ok(()),
                Err(e) => {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    Err(e.to_string())
                }
            },
            None => Err("the writer connection is gone".to_owned()),
        };
        if outcome.is_err() {
            // Start again from a fresh connection rather than trust this one.
            if let Some(c) = st.conn.take() {
                let _ = c.close().await;
            }
        }
        if let Some(batch) = st.batch.take() {
            let _ = batch.send(Some(outcome));
        }
        st.members = 0;
    }

    /// Commits what is pending and closes the writer connection.
    pub async fn close(&self) {
        let mut guard = self.state.lock().await;
        self.settle(&mut guard, true).await;
        if let Some(c) = guard.conn.take() {
            let _ = c.close().await;
        }
    }
}

/// One write inside the shared transaction; dereferences to the connection.
pub struct WriteTx {
    guard: Option<OwnedMutexGuard<State>>,
    writer: Writer,
}

impl WriteTx {
    fn conn(&mut self) -> Option<&mut SqliteConnection> {
        self.guard.as_mut().and_then(|g| g.conn.as_mut())
    }

    /// Keeps this write and returns once it is durably committed. The
    /// writer's part (release the savepoint, commit the batch if this is the
    /// last write waiting) runs in its own task, so a request cancelled here
    /// never leaves the batch open; the write then simply stays unacknowledged.
    pub async fn commit(mut self) -> Result<()> {
        let Some(guard) = self.guard.take() else {
            return Err(StoreError::Config("write already finished".into()));
        };
        let writer = self.writer.clone();
        let mut outcome = tokio::spawn(async move { writer.keep(guard).await })
            .await
            .map_err(|e| StoreError::Config(format!("the writer task failed: {e}")))??;
        loop {
            if let Some(result) = outcome.borrow_and_update().clone() {
                return result.map_err(|e| StoreError::Database(sqlx::Error::Protocol(e)));
            }
            if outcome.changed().await.is_err() {
                return Err(StoreError::Database(sqlx::Error::Protocol(
                    "the write batch ended without an outcome".into(),
                )));
            }
        }
    }
}

impl Writer {
    /// Releases the write's savepoint into the batch and settles the batch;
    /// returns where the batch's outcome will be announced.
    async fn keep(&self, mut guard: OwnedMutexGuard<State>) -> Result<watch::Receiver<Outcome>> {
        let released = match guard.conn.as_mut() {
            Some(conn) => sqlx::query("RELEASE write")
                .execute(&mut *conn)
                .await
                .map(|_| ()),
            None => Err(sqlx::Error::PoolClosed),
        };
        if let Err(e) = released {
            undo(&mut guard).await;
            self.settle(&mut guard, false).await;
            return Err(e.into());
        }
        guard.members += 1;
        let Some(outcome) = guard.batch.as_ref().map(|b| b.subscribe()) else {
            return Err(StoreError::Config("no open write batch".into()));
        };
        self.settle(&mut guard, false).await;
        Ok(outcome)
    }
}

/// Undoes the current write's savepoint, leaving the others in the batch.
async fn undo(st: &mut State) {
    if let Some(conn) = st.conn.as_mut() {
        let _ = sqlx::query("ROLLBACK TO write").execute(&mut *conn).await;
        let _ = sqlx::query("RELEASE write").execute(&mut *conn).await;
    }
}

impl Drop for WriteTx {
    /// A write dropped without `commit()` (an error, or its request went away)
    /// is undone; the batch goes on.
    fn drop(&mut self) {
        if let Some(mut guard) = self.guard.take() {
            let writer = self.writer.clone();
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    undo(&mut guard).await;
                    writer.settle(&mut guard, false).await;
                });
            }
        }
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        // Present from `begin()` until `commit()` or drop, which consume the write.
        self.guard
            .as_ref()
            .and_then(|g| g.conn.as_ref())
            .expect("a write holds the writer connection")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn().expect("a write holds the writer connection")
    }
}
