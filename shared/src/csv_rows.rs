//! Reading CSV files people export from other systems (the cohort list,
//! the staff directory): line numbers people can find in a spreadsheet,
//! and header cells read leniently.

/// A header cell as a column name: any letter case, spaces or hyphens for
/// underscores, a byte order mark ignored.
pub(crate) fn header_name(cell: &str) -> String {
    cell.trim_start_matches('\u{feff}')
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

pub(crate) fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.is_empty())
}

pub(crate) fn error_line(e: &csv::Error) -> u64 {
    e.position().map_or(0, |p| p.line())
}

/// Line numbers worked out from byte offsets. The csv reader's own line
/// count lags behind after blank lines and CRLF endings (a record's
/// position is where the reader stood before skipping line ends), so rows
/// are placed by their first byte instead: counting moves forward only,
/// once over the file.
pub(crate) struct Lines<'a> {
    input: &'a [u8],
    offset: usize,
    /// Line ends before `offset`.
    ends: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Lines<'a> {
        Lines {
            input,
            offset: 0,
            ends: 0,
        }
    }

    /// The 1-based line of the record the reader reports at `position`.
    pub(crate) fn line_of(&mut self, record: &csv::ByteRecord) -> u64 {
        let input = self.input;
        let mut start = record.position().map_or(0, |p| p.byte()) as usize;
        while start < input.len() && matches!(input[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.offset {
            self.offset = 0;
            self.ends = 0;
        }
        for i in self.offset..start {
            // "\r\n", "\n" and a lone "\r" each end a line.
            let ends = match input[i] {
                b'\n' => true,
                b'\r' => input.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            self.ends += u64::from(ends);
        }
        self.offset = start;
        self.ends + 1
    }
}
