//! Placeholder: filled by the issue-11 work on this area.
