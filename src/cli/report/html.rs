//! The page's markup: escaping of every text that is not ours, the head
//! (inline styles, a Content-Security-Policy that forbids every request),
//! and small builders the sections share.

use crate::cli::output::{sanitize, truncate};

/// Text as HTML: control and invisible characters (bidi overrides,
/// zero-width) dropped or made spaces, cut to `max` characters, then
/// `& < > " '` escaped, so it is safe in element content and in quoted
/// attribute values alike.
pub fn text(raw: &str, max: usize) -> String {
    let clean = truncate(&sanitize(raw), max);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The date of an RFC 3339 instant or a `YYYY-MM-DD` day (its first ten
/// characters), escaped.
pub fn day(raw: &str) -> String {
    text(&raw.chars().take(10).collect::<String>(), 10)
}

/// The styles: system fonts only (no web font is fetched or embedded),
/// one column on a phone, no shadows or backgrounds on paper.
const STYLE: &str = r#"
:root{--fg:#1d1d1f;--muted:#6e6e73;--line:#e2e2e7;--bg:#f5f5f7;--card:#fff;--accent:#0a6ebd;--bad:#b42318;--bad-bg:#fdecea;--star:#f0a500}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1040px;margin:0 auto;padding:28px 20px 48px}
header h1{font-size:2rem;line-height:1.2;margin:0 0 6px;overflow-wrap:anywhere}
.sub{color:var(--muted);margin:0;font-size:.95rem;overflow-wrap:anywhere}
section{background:var(--card);border-radius:16px;padding:22px 24px;margin:20px 0;box-shadow:0 1px 3px rgba(0,0,0,.07)}
h2{font-size:1.3rem;margin:0 0 14px}
h3{font-size:1rem;margin:18px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin:0 0 16px}
.card{background:var(--bg);border-radius:12px;padding:12px 14px}
.card b{display:block;font-size:1.55rem;line-height:1.2;font-variant-numeric:tabular-nums}
.card span{color:var(--muted);font-size:.85rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:16px}
.chart svg{display:block;width:100%;height:auto}
.chart .narrow{display:none}
.empty{color:var(--muted);margin:0}
.note{color:var(--muted);font-size:.85rem;margin:10px 0 0}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.03em}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.dist td{border:0;padding:4px 8px}
.dist .label{width:3.5em;white-space:nowrap;color:var(--star)}
.track{background:var(--bg);border-radius:4px;height:16px;min-width:60px}
.bar{background:var(--star);border-radius:4px;height:16px}
.reviews{display:grid;gap:12px}
.review{border:1px solid var(--line);border-radius:12px;padding:12px 14px}
.review .meta{color:var(--muted);font-size:.85rem}
.review .stars{color:var(--star);letter-spacing:1px}
.review h3{margin:4px 0;overflow-wrap:anywhere}
.review p{margin:4px 0;overflow-wrap:anywhere;white-space:pre-line}
.reason{display:inline-block;background:var(--bad-bg);color:var(--bad);border-radius:999px;padding:1px 10px;font-size:.8rem;margin:4px 6px 0 0;overflow-wrap:anywhere}
.summary{border-left:4px solid var(--accent);padding:6px 14px;margin:12px 0}
.summary p{margin:4px 0;overflow-wrap:anywhere}
.regression{border-left:4px solid var(--bad);background:var(--bad-bg);border-radius:8px;padding:8px 14px;margin:8px 0;overflow-wrap:anywhere}
.impact{font-weight:600;color:var(--bad)}
tr.regressed td{background:var(--bad-bg)}
tr.regressed td:first-child{box-shadow:inset 4px 0 var(--bad)}
footer{color:var(--muted);font-size:.8rem;text-align:center}
@media (max-width:600px){
main{padding:16px 10px 32px}
header h1{font-size:1.5rem}
section{padding:16px 14px;border-radius:12px;margin:14px 0}
.card b{font-size:1.3rem}
.chart .wide{display:none}
.chart .narrow{display:block}
table{font-size:.85rem}
table.perf,table.perf tbody,table.perf tr,table.perf td{display:block}
table.perf tr:first-child{display:none}
table.perf tr{border-bottom:1px solid var(--line);padding:6px 0}
table.perf td{border:0;padding:1px 8px;text-align:left}
table.perf td:empty{display:none}
table.perf td::before{content:attr(data-label) " ";color:var(--muted);font-size:.75rem;text-transform:uppercase;letter-spacing:.03em}
}
@media print{
body{background:#fff;font-size:11pt}
main{max-width:none;padding:0}
section{box-shadow:none;border:1px solid #ccc;border-radius:0;break-inside:avoid;page-break-inside:avoid}
.chart .wide{display:block}
.chart .narrow{display:none}
.charts{display:block}
.review,.regression,tr{break-inside:avoid}
.wrap{overflow:visible}
}
"#;

/// The page around the sections' markup: `title` is already escaped.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"ascvault report\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
}

/// A section: `id` and `heading` are ours, `inner` is markup.
pub fn section(id: &str, heading: &str, inner: &str) -> String {
    format!("<section id=\"{id}\">\n<h2>{heading}</h2>\n{inner}</section>\n")
}

/// The one line a section shows when it has nothing to show; `what` is ours
/// and may hold `<code>`.
pub fn empty(what: &str) -> String {
    format!("<p class=\"empty\">{what}</p>\n")
}

/// A row of figure cards: (figure, caption), both ours or escaped.
pub fn cards(items: &[(String, &str)]) -> String {
    let mut out = String::from("<div class=\"cards\">");
    for (figure, caption) in items {
        out.push_str(&format!(
            "<div class=\"card\"><b>{figure}</b><span>{caption}</span></div>"
        ));
    }
    out.push_str("</div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_cannot_open_a_tag_or_leave_an_attribute() {
        let t = text("<script>alert(\"x\")</script>' onload='x' &amp;", 200);
        assert_eq!(
            t,
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x&#39; &amp;amp;"
        );
    }

    #[test]
    fn bidi_overrides_and_controls_are_gone_and_long_text_is_cut() {
        let t = text("a\u{202E}b\u{0007}c\u{2066}d", 100);
        assert_eq!(t, "ab cd");
        let long = "x".repeat(10_000);
        assert_eq!(text(&long, 50).chars().count(), 50);
    }
}
