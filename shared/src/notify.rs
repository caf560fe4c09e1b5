//! What a notification says outside the app (R-LIVE-6). An e-mail leaves
//! the council's systems, so it carries no child-level text at all: not the
//! case reference, not initials, not the concern or the finding. It says
//! which kind of thing happened and links to it; the person signs in to
//! read it. Each person chooses each e-mail as it happens or one summary a
//! day.

use serde::{Deserialize, Serialize};

/// How a person receives their e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// Each e-mail as it happens.
    #[default]
    Immediate,
    /// One summary each morning.
    DailyDigest,
}

impl Delivery {
    pub fn code(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::DailyDigest => "daily-digest",
        }
    }

    pub fn from_code(code: &str) -> Option<Delivery> {
        [Delivery::Immediate, Delivery::DailyDigest]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// The hour (UTC) the daily summary goes.
pub const DIGEST_HOUR: u32 = 7;

/// An e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// The one sentence that says what happened, by the notification's kind.
/// A kind QALF does not know gets a sentence that names nothing.
fn sentence(kind: &str) -> &'static str {
    match kind {
        "allocation" => "An audit has been allocated that involves you",
        "safety-alert" => "A safety concern has been raised about a case in your service",
        "recognition" => "Good practice of yours has been recognised in an audit",
        "briefing" => "A new 7-minute briefing has been shared",
        "follow-up-due" => "An audit's follow-up is due",
        "follow-up-overdue" => "An audit's follow-up is overdue",
        "action-overdue" => "An action from an audit is overdue",
        "follow-up-contact" => "Recommended actions from an audit are not finished yet",
        "panel-invitation" => "You have been invited to a moderation panel",
        "moderation-feedback" => "An audit you did has been moderated: read the feedback",
        "dispute" => "A disagreement about an audit's grade needs you",
        "report-shared" => "A report has been shared with you",
        "response-due" => {
            "An audit is complete: a support and challenge conversation is yours to hold"
        }
        "reaudit-result" => "A re-audit of a case in your service is complete",
        "iro-peer-due" => "IRO peer audits in your service are yours to allocate",
        _ => "There is something new for you in QALF",
    }
}

/// The path in QALF a notification about `document` opens.
pub fn path_for(kind: &str, document: Option<&str>) -> String {
    match (kind, document) {
        ("briefing", Some(id)) => format!("/briefings/{id}"),
        ("panel-invitation", Some(id)) => format!("/panels/{id}"),
        ("moderation-feedback", Some(id)) => format!("/moderations/{id}"),
        ("report-shared", _) => "/reports".to_string(),
        ("iro-peer-due", _) => "/iro-peer-audits".to_string(),
        (_, Some(id)) => format!("/audits/{id}"),
        (_, None) => "/".to_string(),
    }
}

/// The words of the link to what a notification is about, in the app.
pub fn link_text(kind: &str) -> &'static str {
    match kind {
        "briefing" => "Read the briefing",
        "panel-invitation" => "Open the panel",
        "moderation-feedback" => "Read the feedback",
        "report-shared" => "Open the reports",
        "reaudit-result" => "Open the re-audit",
        "iro-peer-due" => "Allocate the peer audits",
        _ => "Open the audit",
    }
}

/// Lines under 76 characters, so that mail programs show the text as
/// written (no quoted-printable folding).
const FOOTER: &str = "This e-mail holds no details of any child or family: they stay in\n\
QALF, where you sign in to read them. You can choose to receive one\n\
summary a day instead on your QALF home page.";

/// The first word of a name, for a greeting.
fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// One notification's e-mail. `link` is the full address to open.
pub fn email_for(kind: &str, name: &str, link: &str) -> Email {
    let sentence = sentence(kind);
    Email {
        subject: format!("QALF: {}", sentence.to_lowercase()),
        body: format!(
            "Hello {},\n\n{sentence}.\n\nOpen it in QALF:\n{link}\n\n{FOOTER}\n",
            first_name(name)
        ),
    }
}

/// The morning summary of `items` (kind, full link), oldest first.
pub fn digest_for(name: &str, items: &[(String, String)]) -> Email {
    let mut body = format!(
        "Hello {},\n\nSince your last summary from QALF:\n\n",
        first_name(name)
    );
    for (kind, link) in items {
        body.push_str(&format!("- {}:\n  {link}\n", sentence(kind)));
    }
    body.push('\n');
    body.push_str(FOOTER);
    body.push('\n');
    Email {
        subject: format!(
            "QALF: your daily summary ({} new {})",
            items.len(),
            if items.len() == 1 { "item" } else { "items" }
        ),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_live_6_an_email_says_what_happened_and_links_to_it_and_nothing_more() {
        let link = "https://qalf.example.gov.uk/audits/3xYzAbC";
        let email = email_for("safety-alert", "Jordan Hale", link);
        assert_eq!(
            email.subject,
            "QALF: a safety concern has been raised about a case in your service"
        );
        assert!(email.body.starts_with("Hello Jordan,"));
        assert!(email.body.contains(link));
        // The only words are the fixed sentence, the greeting, the link and
        // the footer: whatever the notification's own title and body held
        // (a case reference, initials, the concern) cannot be here.
        let without = email
            .body
            .replace(link, "")
            .replace("Hello Jordan,", "")
            .replace(sentence("safety-alert"), "")
            .replace(FOOTER, "")
            .replace("Open it in QALF:", "");
        assert_eq!(without.trim_matches(|c: char| c == '\n' || c == '.'), "");
    }

    #[test]
    fn r_live_6_every_line_fits_a_mail_program() {
        let email = email_for(
            "allocation",
            "Sam Okafor",
            "https://qalf.example.gov.uk/audits/x",
        );
        assert!(email.body.lines().all(|l| l.len() < 76), "{}", email.body);
    }

    #[test]
    fn r_live_6_every_kind_has_its_own_sentence_and_an_unknown_kind_names_nothing() {
        for kind in [
            "allocation",
            "safety-alert",
            "recognition",
            "briefing",
            "follow-up-due",
            "follow-up-overdue",
            "action-overdue",
            "panel-invitation",
            "dispute",
            "report-shared",
        ] {
            assert_ne!(sentence(kind), sentence("something else"), "{kind}");
        }
        assert_eq!(path_for("briefing", Some("b1")), "/briefings/b1");
        assert_eq!(path_for("allocation", Some("a1")), "/audits/a1");
        assert_eq!(path_for("anything", None), "/");
    }

    #[test]
    fn r_live_6_the_daily_summary_lists_each_item_once() {
        let items = vec![
            ("allocation".to_string(), "https://q/audits/a".to_string()),
            ("recognition".to_string(), "https://q/audits/b".to_string()),
        ];
        let email = digest_for("Sam Okafor", &items);
        assert_eq!(email.subject, "QALF: your daily summary (2 new items)");
        assert_eq!(email.body.matches("https://q/audits/").count(), 2);
        assert_eq!(
            Delivery::from_code("daily-digest"),
            Some(Delivery::DailyDigest)
        );
    }
}
