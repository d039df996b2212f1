//! Untrusted text made safe to print: labels typed by someone else, anything
//! a server sent. A leaf module, so that error messages can use it too.

/// Removes control characters (terminal escapes) from untrusted text, such
/// as labels typed by someone else or anything a server sent.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { ' ' } else { c })
        .collect()
}

/// A character that must not reach a terminal as is (tabs are fine).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// Cuts text to at most `max` characters, marking the cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}
