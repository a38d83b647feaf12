-- Business calendars for SLA clocks. The calendar itself (working hours per
-- weekday, holidays, exceptions) is kept as the JSON of
-- steward_domain::calendar::CalendarSpec, checked by the domain on every write.
CREATE TABLE calendars (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX calendars_name_key ON calendars (lower(name));
