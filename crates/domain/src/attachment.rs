//! Rules for uploaded files: which types are accepted (decided from the
//! bytes, never from the name or the client's claim) and how names are cleaned.

use crate::error::ValidationError;

/// Types accepted, by their detected MIME type.
const ALLOWED: [&str; 12] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// The content type of `bytes`, if it is one we accept: a known binary
/// format, or UTF-8 text (logs, CSV, configuration) served as plain text.
pub fn sniff(bytes: &[u8]) -> Result<&'static str, ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::single("file", "is empty"));
    }
    if let Some(kind) = infer::get(bytes) {
        let mime = kind.mime_type();
        return ALLOWED.iter().find(|a| **a == mime).copied().ok_or_else(|| {
            ValidationError::single(
                "file",
                format!("files of type {mime} are not accepted; send images, PDF, office documents, archives or text"),
            )
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => Ok("text/plain; charset=utf-8"),
        _ => Err(ValidationError::single(
            "file",
            "this kind of file is not accepted; send images, PDF, office documents, archives or text",
        )),
    }
}

/// A file name safe to store and to send back in `Content-Disposition`: the
/// last path component, printable characters only, at most 120 characters.
pub fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control()
                && !is_format(*c)
                && !matches!(c, '"' | ';' | '<' | '>' | '*' | '?' | '|' | ':')
        })
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "attachment".to_owned()
    } else {
        cleaned
    }
}

/// Invisible formatting characters (Unicode category Cf): bidirectional
/// overrides and isolates that make `evil\u{202E}fdp.exe` read as
/// `evilexe.pdf`, zero-width characters, the byte-order mark, tags.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// The extensions a file of an accepted type may carry; the first is added
/// when the name has none of them.
fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "application/pdf" => &["pdf"],
        "application/zip" => &["zip"],
        "application/gzip" => &["gz", "tgz"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => &["pptx"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
        _ => &[
            "txt", "log", "csv", "tsv", "json", "xml", "yaml", "yml", "md", "conf", "cfg", "ini",
            "toml", "sql", "eml", "diff", "patch",
        ],
    }
}

/// The cleaned name of a file whose type was detected as `content_type`,
/// with an extension that matches the type: a text file named `setup.exe`
/// becomes `setup.exe.txt`, so that opening the download never runs it.
pub fn file_name_for(name: &str, content_type: &str) -> String {
    let clean = safe_file_name(name);
    let allowed = extensions(content_type);
    let fits = clean
        .rsplit_once('.')
        .is_some_and(|(_, ext)| allowed.contains(&ext.to_ascii_lowercase().as_str()));
    if fits {
        clean
    } else {
        format!("{clean}.{}", allowed[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
        ];
        assert_eq!(sniff(&png).unwrap(), "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n").unwrap(), "application/pdf");
        assert_eq!(
            sniff(b"error at line 3\n").unwrap(),
            "text/plain; charset=utf-8"
        );
        assert!(
            sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00").is_err(),
            "Windows executable"
        );
        assert!(sniff(b"\x7fELF\x02\x01\x01\x00").is_err(), "ELF executable");
        assert!(sniff(&[0xff, 0xfe, 0x00, 0x01]).is_err(), "binary junk");
        assert!(sniff(b"").is_err());
    }

    #[test]
    fn names_lose_paths_and_dangerous_characters() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(
            safe_file_name("\u{FEFF}a\u{200B}b\u{2066}c\u{2069}.txt"),
            "abc.txt"
        );
        assert_eq!(
            file_name_for("x\u{202E}gnp.exe", "image/png"),
            "xgnp.exe.png"
        );
        assert_eq!(safe_file_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(safe_file_name("a\"b;c\r\n.txt"), "abc.txt");
        assert_eq!(safe_file_name(".htaccess"), "htaccess");
        assert_eq!(safe_file_name("///"), "attachment");
        assert_eq!(safe_file_name(&"x".repeat(500)).len(), 120);
    }

    #[test]
    fn names_carry_the_extension_of_their_detected_type() {
        let text = "text/plain; charset=utf-8";
        assert_eq!(file_name_for("trace.LOG", text), "trace.LOG");
        assert_eq!(file_name_for("setup.exe", text), "setup.exe.txt");
        assert_eq!(file_name_for("page.html", text), "page.html.txt");
        assert_eq!(file_name_for("notes", text), "notes.txt");
        assert_eq!(file_name_for("scan.jpeg", "image/jpeg"), "scan.jpeg");
        assert_eq!(file_name_for("scan.pdf", "image/png"), "scan.pdf.png");
        assert_eq!(file_name_for("///", "application/pdf"), "attachment.pdf");
    }
}
