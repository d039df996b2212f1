//! Untrusted text made safe to print: labels typed by someone else, anything
//! a server or a reviewer sent. A leaf module, so that error messages can use
//! it too.
//!
//! Two kinds of character are dangerous in a terminal. Control characters
//! (C0, DEL and C1, which includes the one-byte CSI `U+009B`) start escape
//! sequences: OSC 52 writes the clipboard, OSC 0 the window title, `ESC[2J`
//! clears the screen. Invisible format characters (bidi overrides, isolates
//! and marks; zero-width spaces and joiners) make text read differently
//! from what it is, e.g. a reversed file name or a hidden word. Controls
//! become a space (a newline in a review still separates words); invisible
//! characters are dropped (they have no width to keep).

/// Makes untrusted text safe for a terminal: controls (tabs excepted)
/// become spaces, invisible and bidi characters are removed.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| if is_control(c) { ' ' } else { c })
        .collect()
}

/// A character that must not reach a terminal as is (tabs are fine).
pub fn is_unsafe(c: char) -> bool {
    is_control(c) || is_invisible(c)
}

/// C0, DEL and C1 (`char::is_control` is Unicode's `Cc`), except the tab.
fn is_control(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// An invisible character that changes how text reads: bidi embeddings,
/// overrides, isolates and marks (the "Trojan Source" characters), zero-width
/// spaces and joiners, the line and paragraph separators and the byte-order
/// mark. `--json` escapes these (and C1) as `\uXXXX`.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'                      // Arabic letter mark
            | '\u{180E}'                // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}'   // zero-width space, non-joiner, joiner; LRM, RLM
            | '\u{2028}'..='\u{2029}'   // line and paragraph separators
            | '\u{202A}'..='\u{202E}'   // LRE, RLE, PDF, LRO, RLO
            | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}'   // LRI, RLI, FSI, PDI
            | '\u{FEFF}' // byte-order mark, zero-width no-break space
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_lose_their_escape_character() {
        // OSC 52 (clipboard), OSC 0 (title), clear screen, C1 CSI.
        let hostile =
            "a\u{1b}]52;c;cm0gLXJm\u{7}b\u{1b}]0;pwned\u{7}c\u{1b}[2Jd\u{9b}31me\u{9d}0;x\u{9c}";
        let clean = sanitize(hostile);
        assert!(!clean.chars().any(|c| c.is_control()), "{clean:?}");
        assert_eq!(clean, "a ]52;c;cm0gLXJm b ]0;pwned c [2Jd 31me 0;x ");
    }

    #[test]
    fn every_c1_control_is_replaced() {
        for c in '\u{80}'..='\u{9f}' {
            assert_eq!(sanitize(&format!("x{c}y")), "x y", "{:#x}", c as u32);
            assert!(is_unsafe(c));
        }
        assert_eq!(sanitize("x\u{7f}y"), "x y");
    }

    #[test]
    fn bidi_and_zero_width_characters_are_removed() {
        // "Trojan Source": U+202E shows "gnp.exe" as "exe.png".
        assert_eq!(sanitize("invoice\u{202E}gnp.exe"), "invoicegnp.exe");
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{200B}', '\u{200C}',
            '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{2028}', '\u{2029}',
        ] {
            assert_eq!(sanitize(&format!("a{c}b")), "ab", "{:#x}", c as u32);
            assert!(is_unsafe(c) && is_invisible(c));
        }
    }

    #[test]
    fn ordinary_text_is_kept() {
        let text = "Großartig! 😀 très bien\tok — 5★ «日本語» עברית";
        assert_eq!(sanitize(text), text);
        assert!(!text.chars().any(is_unsafe));
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
    }
}
