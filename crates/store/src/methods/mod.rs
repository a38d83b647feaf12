//! [`Store`](crate::Store)'s methods, one file per process.

/// The methods of a kind built on the kernel alone (`queries::kind_queries!`):
/// `$create`, `$get` by number, `$list` a page, `$update` a versioned change,
/// over its queries module `$q`, its row `$row` and its fields `$fields`.
macro_rules! kind_methods {
    ($q:ident, $row:ty, $fields:ty, $create:ident, $get:ident, $list:ident, $update:ident) => {
        impl crate::Store {
            pub async fn $create(
                &self,
                actor: &crate::AuditActor,
                new: &crate::NewRecord<$fields>,
            ) -> crate::Result<$row> {
                dispatch!(self, $q::create(actor, new))
            }

            pub async fn $get(&self, number: &str) -> crate::Result<$row> {
                dispatch!(self, $q::get(number))
            }

            pub async fn $list(
                &self,
                filter: &crate::RecordFilter,
                after: Option<crate::Cursor>,
                limit: i64,
            ) -> crate::Result<crate::Page<$row>> {
                dispatch!(self, $q::list(filter, after, limit))
            }

            pub async fn $update<F>(
                &self,
                actor: &crate::AuditActor,
                number: &str,
                expected_version: Option<i64>,
                action: &str,
                change: F,
            ) -> crate::Result<$row>
            where
                F: FnOnce(&$row) -> std::result::Result<$fields, steward_domain::RuleError>,
            {
                dispatch!(
                    self,
                    $q::update(actor, number, expected_version, action, change)
                )
            }
        }
    };
}

mod actions;
mod agreements;
mod articles;
mod attachments;
mod audit;
mod bench;
mod calendars;
mod complaints;
mod conformity;
mod improvements;
mod incidents;
mod internal_audits;
mod jobs;
mod mail_in;
mod nonconformities;
mod organisations;
mod problems;
mod records;
mod registers;
mod relationship;
mod requests;
mod reviews;
mod satisfaction;
mod search;
mod service_reports;
mod services;
mod sessions;
mod sla;
mod surveys;
mod users;
