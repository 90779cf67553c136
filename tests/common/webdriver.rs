//! Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium through
//! `chromedriver`, over the reqwest the tests already have (a client crate would add a
//! second HTTP stack and minutes of cold build for a dozen calls).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// chromedriver and Chromium there, or why not. In CI (FACEKI_CI=1) a missing one fails.
pub fn available() -> bool {
    let ok = chromedriver().is_some() && Path::new("/usr/bin/chromium").exists();
    if !ok {
        assert!(
            std::env::var("FACEKI_CI").as_deref() != Ok("1"),
            "chromium and chromium-driver are not installed"
        );
        eprintln!("skipped: chromium and chromium-driver are not installed");
    }
    ok
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
    pub downloads: PathBuf,
    _profile: PathBuf,
}

impl Browser {
    pub fn start() -> Self {
        let port = free_port();
        let driver = Command::new(chromedriver().expect("chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        loop {
            let ready = rt.block_on(async {
                let r = http.get(format!("{base}/status")).send().await.ok()?;
                let v: Value = r.json().await.ok()?;
                v["value"]["ready"].as_bool()
            });
            if ready == Some(true) {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver not ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let tmp =
            std::env::temp_dir().join(format!("faceki-browser-{}-{port}", std::process::id()));
        let downloads = tmp.join("downloads");
        let profile = tmp.join("profile");
        std::fs::create_dir_all(&downloads).unwrap();
        std::fs::create_dir_all(&profile).unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--window-size=1280,900",
                         format!("--user-data-dir={}", profile.display())],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true
                }
            }
        }}});
        let v = rt
            .block_on(async {
                http.post(format!("{base}/session"))
                    .json(&caps)
                    .send()
                    .await?
                    .json::<Value>()
                    .await
            })
            .expect("a WebDriver session");
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        Self {
            driver,
            base,
            session,
            http,
            rt,
            downloads,
            _profile: profile,
        }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let v = self
            .rt
            .block_on(async {
                let mut req = self.http.request(method, &url);
                if let Some(b) = body {
                    req = req.json(&b);
                }
                req.send().await?.json::<Value>().await
            })
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        if v["value"].get("error").is_some() {
            return Err(v["value"].clone());
        }
        Ok(v["value"].clone())
    }

    /// Runs `op` on the element `css`, finding it again while a page is being replaced by
    /// the next one (a form just submitted).
    fn on_element(&self, css: &str, op: impl Fn(&str) -> Result<Value, Value>) -> Value {
        let start = Instant::now();
        loop {
            let found = self.try_call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            );
            let result = found.and_then(|v| {
                let id = v[ELEMENT].as_str().unwrap_or_default().to_owned();
                op(&id)
            });
            match result {
                Ok(v) => return v,
                Err(e) if start.elapsed() < Duration::from_secs(10) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("{css}: {e}"),
            }
        }
    }

    pub fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})));
    }

    pub fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn find(&self, css: &str) -> String {
        let v = self.call(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no {css}"))
            .to_owned()
    }

    pub fn count(&self, css: &str) -> usize {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .as_array()
        .map_or(0, Vec::len)
    }

    pub fn text(&self, css: &str) -> String {
        self.on_element(css, |e| {
            self.try_call(reqwest::Method::GET, &format!("/element/{e}/text"), None)
        })
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, |e| {
            self.try_call(
                reqwest::Method::POST,
                &format!("/element/{e}/clear"),
                Some(json!({})),
            )?;
            self.try_call(
                reqwest::Method::POST,
                &format!("/element/{e}/value"),
                Some(json!({"text": text})),
            )
        });
    }

    pub fn click(&self, css: &str) {
        self.on_element(css, |e| {
            self.try_call(
                reqwest::Method::POST,
                &format!("/element/{e}/click"),
                Some(json!({})),
            )
        });
    }

    pub fn delete_cookies(&self) {
        self.call(reqwest::Method::DELETE, "/cookie", None);
    }

    pub fn cookies(&self) -> Value {
        self.call(reqwest::Method::GET, "/cookie", None)
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self, to: &Path) {
        let v = self.call(reqwest::Method::GET, "/screenshot", None);
        let png = base64_decode(v.as_str().unwrap_or_default());
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(to, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = self
            .rt
            .block_on(async { self.http.delete(url).send().await });
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
