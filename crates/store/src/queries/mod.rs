//! The queries of the store, written once. This tree is compiled once per
//! backend: `super` is `crate::sqlite` or `crate::pg`, which supply `Db`, `Conn`,
//! `Pools` and the `dialect` module.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod groups;
pub mod incidents;
pub mod meta;
pub mod orgs;
pub mod services;
pub mod users;

use sqlx::AssertSqlSafe;

use super::Db;
use crate::Result;

/// A value bound to a `$n` placeholder of a query built at run time.
#[derive(Debug, Clone)]
pub enum Arg {
    I64(i64),
    Text(String),
    Bool(bool),
}

/// A query assembled from fragments, with its arguments numbered as they are pushed.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Binds `arg` and appends its placeholder.
    pub fn arg(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        let n = self.args.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    pub async fn fetch_all<'c, T, E>(self, executor: E) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
        E: sqlx::Executor<'c, Database = Db>,
    {
        let mut q = sqlx::query_as::<Db, T>(AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        Ok(q.fetch_all(executor).await?)
    }

    pub async fn execute<'c, E>(self, executor: E) -> Result<u64>
    where
        E: sqlx::Executor<'c, Database = Db>,
    {
        let mut q = sqlx::query::<Db>(AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        Ok(q.execute(executor).await?.rows_affected())
    }

    pub async fn fetch_scalar<'c, E>(self, executor: E) -> Result<i64>
    where
        E: sqlx::Executor<'c, Database = Db>,
    {
        let mut q = sqlx::query_scalar::<Db, i64>(AssertSqlSafe(self.text));
        for a in self.args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        Ok(q.fetch_one(executor).await?)
    }
}
