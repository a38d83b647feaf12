-- Complaints (ISO/IEC 20000-1 8.3.2, 10.1), a kind of the work-record kernel
-- (ADR 0010): a complaint is a work record of kind 'complaint' in the
-- complaining customer's organisation; what only complaints have lives here.
-- Kept in step with the other database's 0011_complaints.sql.
CREATE TABLE complaint_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    -- The answer given to the customer, the latest when answered again.
    response TEXT,
    responded_at BIGINT
);
CREATE SEQUENCE number_cmp;
