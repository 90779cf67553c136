//! The dashboard's HTML. maud escapes every interpolated value, so a name from FACEKI (an
//! attacker may enrol any name) is text, never markup. Only the chart's SVG, which holds no
//! input, goes in unescaped. No JavaScript: the page refreshes itself with a meta tag.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::light::{Light, assess};
use super::query::{CheckinRow, KioskRow, Search};

/// Latin first, then the embedded Arabic font (served by the dashboard), then system ones.
const CSS: &str = r#"
@font-face { font-family: "Kiosk Arabic"; src: url("/fonts/arabic.ttf") format("truetype"); }
@font-face { font-family: "Kiosk Arabic"; font-weight: bold; src: url("/fonts/arabic-bold.ttf") format("truetype"); }
:root { --green: #2e7d32; --amber: #b26a00; --red: #c62828; --ink: #1c2430; --muted: #5f6b7a; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f4f6f8;
  font: 15px/1.45 "Noto Sans", "Segoe UI", Roboto, "Kiosk Arabic", "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, "DejaVu Sans", sans-serif; }
header { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #1c2430; color: #fff; }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
header nav a { color: #cfd8e3; margin-right: 16px; text-decoration: none; }
header nav a.on { color: #fff; border-bottom: 2px solid #fff; }
header .who { margin-left: auto; color: #cfd8e3; }
header form { display: inline; }
header button { background: none; border: 1px solid #cfd8e3; color: #fff; border-radius: 4px; padding: 2px 10px; cursor: pointer; }
main { padding: 16px 24px 40px; max-width: 1280px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #dde3ea; }
th, td { text-align: start; padding: 6px 10px; border-bottom: 1px solid #e7ecf1; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; font-size: 13px; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.pill { display: inline-block; min-width: 84px; padding: 1px 10px; border-radius: 12px; color: #fff; font-weight: 600; font-size: 13px; text-align: center; }
.pill.green { background: var(--green); } .pill.amber { background: var(--amber); } .pill.red { background: var(--red); }
.why { color: var(--muted); }
.why.red { color: var(--red); } .why.amber { color: var(--amber); }
.summary { display: flex; gap: 12px; margin: 8px 0 0; }
.summary div { background: #fff; border: 1px solid #dde3ea; border-radius: 6px; padding: 8px 16px; }
.summary b { font-size: 22px; display: block; }
.chart { background: #fff; border: 1px solid #dde3ea; padding: 8px; display: inline-block; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; }
form.search { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; background: #fff; border: 1px solid #dde3ea; padding: 12px; }
form.search label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); }
input, select { font: inherit; padding: 4px 6px; border: 1px solid #b9c3ce; border-radius: 4px; }
button.primary { font: inherit; background: #1c5fa8; color: #fff; border: 0; border-radius: 4px; padding: 6px 16px; cursor: pointer; }
.pager { margin: 10px 0; display: flex; gap: 16px; align-items: center; }
.name bdi { unicode-bidi: isolate; }
.local { font-family: "Kiosk Arabic", "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, "DejaVu Sans", sans-serif; font-size: 16px; }
.login { max-width: 360px; margin: 12vh auto; background: #fff; border: 1px solid #dde3ea; border-radius: 8px; padding: 24px; }
.login h1 { font-size: 20px; margin: 0 0 16px; }
.login label { display: block; margin: 10px 0 4px; font-size: 13px; color: var(--muted); }
.login input { width: 100%; }
.login .error { color: var(--red); margin: 8px 0; }
.muted { color: var(--muted); }
"#;

fn page(title: &str, refresh: Option<u32>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(secs) = refresh {
                    meta http-equiv="refresh" content=(secs);
                }
                title { (title) " · FACEKI kiosks" }
                style { (PreEscaped(CSS)) }
            }
            body { (body) }
        }
    }
}

/// The bar at the top of every page behind the login.
fn chrome(user: &str, csrf: &str, on: &str, content: Markup) -> Markup {
    html! {
        header {
            h1 { "FACEKI kiosks" }
            nav {
                a href="/" class=[(on == "overview").then_some("on")] { "Overview" }
                a href="/checkins" class=[(on == "checkins").then_some("on")] { "Check-ins" }
            }
            span.who {
                bdi { (user) } " "
                form method="post" action="/logout" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { "Log out" }
                }
            }
        }
        main { (content) }
    }
}

pub fn login(csrf: &str, message: Option<&str>) -> Markup {
    page(
        "Log in",
        None,
        html! {
            form.login method="post" action="/login" {
                h1 { "FACEKI kiosks · head office" }
                @if let Some(m) = message {
                    p.error role="alert" { (m) }
                }
                input type="hidden" name="csrf" value=(csrf);
                label for="user" { "User name" }
                input #user type="text" name="user" autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                p { button.primary #login type="submit" { "Log in" } }
            }
        },
    )
}

/// Today per site, outcome order.
pub const OUTCOMES: [&str; 7] = [
    "pass",
    "no_match",
    "retake",
    "denied",
    "ambiguous",
    "error",
    "liveness_failed",
];

pub struct Overview<'a> {
    pub user: &'a str,
    pub csrf: &'a str,
    pub kiosks: &'a [KioskRow],
    pub by_site: &'a [(String, String, i64)],
    pub chart_svg: &'a str,
}

pub fn overview(o: &Overview<'_>) -> Markup {
    let mut assessed: Vec<_> = o.kiosks.iter().map(|k| (k, assess(k))).collect();
    // Worst first: with hundreds of kiosks, the ones that need someone are on top.
    assessed.sort_by_key(|k| std::cmp::Reverse((k.1).0));
    let count = |l: Light| assessed.iter().filter(|(_, (x, _))| *x == l).count();
    let mut sites: Vec<&str> = o.by_site.iter().map(|(s, _, _)| s.as_str()).collect();
    sites.dedup();
    let cell = |site: &str, outcome: &str| -> i64 {
        o.by_site
            .iter()
            .filter(|(s, oc, _)| s == site && oc == outcome)
            .map(|(_, _, n)| *n)
            .sum()
    };
    let total: i64 = o.by_site.iter().map(|(_, _, n)| n).sum();
    page(
        "Overview",
        Some(30),
        chrome(
            o.user,
            o.csrf,
            "overview",
            html! {
                div.summary {
                    div { b { (o.kiosks.len()) } "kiosks" }
                    div { b style="color: var(--green)" { (count(Light::Green)) } "OK" }
                    div { b style="color: var(--amber)" { (count(Light::Amber)) } "need attention" }
                    div { b style="color: var(--red)" { (count(Light::Red)) } "faulty or offline" }
                    div { b { (total) } "check-ins today" }
                }
                h2 { "Kiosks" }
                table #kiosks {
                    thead { tr {
                        th { "Site" } th { "Kiosk" } th { "State" } th { "Why" }
                        th { "Last check" } th.num { "Today" } th.num { "Backlog" } th { "Version" }
                    } }
                    tbody {
                        @for (k, (light, why)) in &assessed {
                            tr data-kiosk=(format!("{}/{}", k.site, k.kiosk)) {
                                td { bdi { (k.site) } }
                                td { bdi { (k.kiosk) } }
                                td { span class={"pill " (light.class())} { (light.word()) } }
                                td class={"why " (light.class())} {
                                    @if why.is_empty() { "all well" }
                                    @for (i, w) in why.iter().enumerate() {
                                        @if i > 0 { "; " }
                                        bdi { (w) }
                                    }
                                }
                                td { (k.last_check.as_deref().unwrap_or("—")) }
                                td.num { (k.counts_today.values().filter_map(|v| v.as_i64()).sum::<i64>()) }
                                td.num { (k.backlog) }
                                td { (k.version) }
                            }
                        }
                        @if o.kiosks.is_empty() {
                            tr { td colspan="8" .muted { "No kiosk has reported yet. Point a kiosk's [fleet] database_url here." } }
                        }
                    }
                }
                h2 { "Check-ins today per site" }
                table #today {
                    thead { tr {
                        th { "Site" }
                        @for oc in OUTCOMES { th.num { (oc.replace('_', " ")) } }
                        th.num { "total" }
                    } }
                    tbody {
                        @for site in &sites {
                            tr {
                                td { a href={"/checkins?site=" (urlencode(site)) "&from=" } { bdi { (site) } } }
                                @for oc in OUTCOMES { td.num { (cell(site, oc)) } }
                                td.num { (OUTCOMES.iter().map(|oc| cell(site, oc)).sum::<i64>()) }
                            }
                        }
                        @if sites.is_empty() {
                            tr { td colspan="8" .muted { "No check-ins today yet." } }
                        }
                    }
                }
                h2 { "Check-ins per hour today" }
                div.chart {
                    (PreEscaped(o.chart_svg))
                    div.legend {
                        span style="background:#2e7d32" {} "pass"
                        span style="background:#b0bec5" {} "other outcomes"
                    }
                }
            },
        ),
    )
}

pub struct CheckinsPage<'a> {
    pub user: &'a str,
    pub csrf: &'a str,
    pub search: &'a Search,
    pub sites: &'a [String],
    pub rows: &'a [CheckinRow],
    pub page: i64,
    pub more: bool,
    /// The search as a query string (for paging and CSV links).
    pub query: &'a str,
    pub error: Option<&'a str>,
}

pub fn checkins(p: &CheckinsPage<'_>) -> Markup {
    let s = p.search;
    page(
        "Check-ins",
        None,
        chrome(
            p.user,
            p.csrf,
            "checkins",
            html! {
                form.search method="get" action="/checkins" {
                    label { "Name (Latin or Arabic)"
                        input #q type="search" name="q" dir="auto" value=(s.name.as_deref().unwrap_or(""));
                    }
                    label { "Site"
                        select #site name="site" {
                            option value="" { "all sites" }
                            @for site in p.sites {
                                option value=(site) selected[s.site.as_deref() == Some(site.as_str())] { (site) }
                            }
                        }
                    }
                    label { "Outcome"
                        select #outcome name="outcome" {
                            option value="" { "all" }
                            @for oc in OUTCOMES {
                                option value=(oc) selected[s.outcome.as_deref() == Some(oc)] { (oc.replace('_', " ")) }
                            }
                        }
                    }
                    label { "From" input #from type="date" name="from" value=(s.from.as_deref().unwrap_or("")); }
                    label { "To" input #to type="date" name="to" value=(s.to.as_deref().unwrap_or("")); }
                    button.primary #search type="submit" { "Search" }
                    a #csv href={"/checkins.csv?" (p.query)} { "Export CSV" }
                }
                @if let Some(e) = p.error {
                    p.why.red role="alert" { (e) }
                }
                table #results {
                    thead { tr {
                        th { "Time" } th { "Site" } th { "Kiosk" } th { "Outcome" } th { "Why" }
                        th { "Name" } th { "Local name" } th { "Document" } th.num { "ms" }
                    } }
                    tbody {
                        @for r in p.rows {
                            tr {
                                td { (r.time) }
                                td { bdi { (r.site) } }
                                td { bdi { (r.kiosk) } }
                                td { (r.outcome.replace('_', " ")) }
                                td.why { (r.detail) }
                                td.name dir="auto" { bdi { (r.name.as_deref().unwrap_or("")) } }
                                td.name.local dir="auto" { bdi { (r.local_name.as_deref().unwrap_or("")) } }
                                td { (r.document_masked.as_deref().unwrap_or("")) }
                                td.num { (r.duration_ms) }
                            }
                        }
                        @if p.rows.is_empty() {
                            tr { td colspan="9" .muted { "No check-ins match." } }
                        }
                    }
                }
                div.pager {
                    @if p.page > 1 {
                        a #prev href={"/checkins?" (p.query) "&page=" (p.page - 1)} { "← newer" }
                    }
                    span.muted { "page " (p.page) }
                    @if p.more {
                        a #next href={"/checkins?" (p.query) "&page=" (p.page + 1)} { "older →" }
                    }
                }
            },
        ),
    )
}

/// Percent-encodes a query value (every byte outside unreserved characters).
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_never_markup() {
        let row = CheckinRow {
            time: "2026-12-03 09:30:00".into(),
            site: "<b>Riyadh</b>".into(),
            kiosk: "k1".into(),
            outcome: "pass".into(),
            detail: String::new(),
            code: Some(0),
            duration_ms: 700,
            name: Some("<script>alert(1)</script>".into()),
            local_name: Some("إيلين \"<img src=x onerror=alert(1)>".into()),
            document_masked: Some("•••••1234".into()),
            reference_id: None,
            uuid: "u".into(),
        };
        let search = Search {
            name: Some("\"><script>x</script>".into()),
            ..Search::default()
        };
        let html = checkins(&CheckinsPage {
            user: "<i>me</i>",
            csrf: "t",
            search: &search,
            sites: &["<b>Riyadh</b>".into()],
            rows: &[row],
            page: 1,
            more: false,
            query: "q=%3Cx",
            error: None,
        })
        .into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>Riyadh"), "{html}");
        assert!(!html.contains("<i>me"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("إيلين"));
    }
}
