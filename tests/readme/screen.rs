//! What a terminal shows after some output: enough of a terminal to turn
//! what went through the pty into the lines a reader sees. `\r` returns to
//! the start of the line, `ESC [ … K` erases, `ESC [ n A`/`B` move up and
//! down (a progress bar redrawing itself), other escape sequences (colours,
//! cursor visibility) show nothing. Trailing spaces and trailing empty
//! lines are dropped.

/// The lines `output` leaves on the screen.
pub fn render(output: &str) -> Vec<String> {
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                row += 1;
                col = 0;
                if row == rows.len() {
                    rows.push(Vec::new());
                }
            }
            '\r' => col = 0,
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    chars.next();
                    continue;
                }
                chars.next();
                let mut params = String::new();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&c) {
                        last = c;
                        break;
                    }
                    params.push(c);
                }
                let n: usize = params.parse().unwrap_or(1).max(1);
                match last {
                    'K' => match params.as_str() {
                        "" | "0" => rows[row].truncate(col),
                        "1" => {
                            let end = col.min(rows[row].len());
                            rows[row][..end].fill(' ');
                        }
                        _ => rows[row].clear(),
                    },
                    'A' => row = row.saturating_sub(n),
                    'B' => {
                        row += n;
                        while rows.len() <= row {
                            rows.push(Vec::new());
                        }
                    }
                    'G' => col = n - 1,
                    'J' => {
                        rows[row].truncate(col);
                        rows.truncate(row + 1);
                    }
                    _ => {}
                }
            }
            '\x07' | '\x08' => {}
            c => {
                let line = &mut rows[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    let mut lines: Vec<String> = rows
        .into_iter()
        .map(|r| r.into_iter().collect::<String>().trim_end().to_owned())
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

#[test]
fn carriage_returns_and_erasures_leave_what_a_terminal_shows() {
    assert_eq!(render("a\r\nbb\r\n\r\n"), ["a", "bb"]);
    assert_eq!(render("50%\r\x1b[2K100%\r\x1b[2Kdone\r\n"), ["done"]);
    assert_eq!(render("one\r\ntwo\r\n\x1b[1A\x1b[2K\x1b[1A\x1b[2Kx"), ["x"]);
    assert_eq!(render("\x1b[1mbold\x1b[0m  \r\n"), ["bold"]);
}
