//! The store's methods for complaints: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

kind_methods!(
    complaints,
    Complaint,
    ComplaintFields,
    create_complaint,
    complaint,
    list_complaints,
    update_complaint
);
