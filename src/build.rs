//! Cargo's build script: link settings for the kiosk's binaries. It lives in `src/` (named in
//! Cargo.toml) so the repository's top level keeps to the folders the README's "Layout" lists.

use std::process::Command;

/// Code the kiosk runs, listed so the linker puts it together (see `link_order`).
const ORDER_FILE: &str = "packaging/link-order.txt";

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-changed={ORDER_FILE}");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" {
        return;
    }
    // A position-independent binary carries one 24-byte relocation per pointer in its read-only
    // data: ~100,000 for the kiosk, 2.3 MB that the loader reads at every start and that stay
    // resident for the life of the process. Packed (DT_RELR) they take 24 KB. Needs glibc 2.36
    // (Debian 12's; the package asks for it) and lld or binutils 2.38.
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        link_order();
    }
}

/// The kernel maps a binary's code 64 KB at a time around each page the process touches, and
/// the linker lays functions out crate by crate: the kiosk touched 13 MB of its 44 MB of code
/// but had 28 MB resident. Listing the touched functions first (`--symbol-ordering-file`, lld)
/// puts them side by side. The list names functions by their mangled names, whose hashes are
/// those of one rustc release (with the same Cargo.lock), so it is used only with the rustc it
/// was made with; `packaging/link-order.sh` makes it again. `FACEKI_LINK_ORDER=off` leaves it out.
fn link_order() {
    // For a build with another linker than rustc's lld (GNU ld does not know the option).
    println!("cargo:rerun-if-env-changed=FACEKI_LINK_ORDER");
    if std::env::var("FACEKI_LINK_ORDER").as_deref() == Ok("off") {
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let path = std::path::Path::new(&dir).join(ORDER_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let made_with = text
        .lines()
        .find_map(|l| l.strip_prefix("# rustc "))
        .unwrap_or_default()
        .trim();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let current = Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    let current = current.trim().trim_start_matches("rustc ");
    // Rust 1.90 and later link with lld on this target; an older rustc (GNU ld, which does not
    // know the option) never matches a list made by a newer one.
    if made_with.is_empty() || made_with != current {
        println!(
            "cargo:warning={ORDER_FILE} was made with rustc {made_with}, this is rustc {current}: \
             linking without it (the binary keeps ~13 MB more code resident); \
             run packaging/link-order.sh to make it again"
        );
        return;
    }
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        path.display()
    );
    // Entries for functions this build does not have (inlined, or the code changed since the
    // list was made) are expected: the rest still go first.
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}
