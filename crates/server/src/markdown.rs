//! Markdown as people write it in articles, turned into HTML that cannot run:
//! CommonMark (with tables and strikethrough) by `pulldown-cmark`,
//! then every tag, attribute and URL scheme not on `ammonia`'s allow-list
//! removed (no scripts, event handlers, styles, SVG, frames or forms;
//! `javascript:` and `data:` links dropped; links get `rel="noopener
//! noreferrer nofollow"`). The one way the server turns written text into HTML.

use pulldown_cmark::{Options, Parser, html};

/// `markdown` as sanitised HTML, safe to put into a page as it is.
pub fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_becomes_html() {
        let h = to_html(
            "# Reset\n\n1. Open **the portal**\n2. Click `Reset`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(h.contains("<h1>Reset</h1>"), "{h}");
        assert!(h.contains("<strong>the portal</strong>"), "{h}");
        assert!(h.contains("<code>Reset</code>"), "{h}");
        assert!(h.contains("<table>"), "{h}");
    }

    #[test]
    fn nothing_written_runs() {
        for bad in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)><script>alert(1)</script></svg>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<form action=\"https://evil.example\"><input></form>",
        ] {
            let h = to_html(bad).to_lowercase();
            for sign in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "<svg",
                "<iframe",
                "style=",
                "data:",
                "<form",
                "<input",
            ] {
                assert!(!h.contains(sign), "{bad:?} gave {h:?}");
            }
        }
        let h = to_html("[docs](https://example.com/a)");
        assert!(
            h.contains("href=\"https://example.com/a\"") && h.contains("noopener"),
            "{h}"
        );
    }
}
