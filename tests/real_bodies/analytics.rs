//! Placeholder: filled by the issue-12 work on this area.
