//! Cargo's build script: link settings for the kiosk's binaries. It lives in `src/` (named in
//! Cargo.toml) so the repository's top level keeps to the folders the README's "Layout" lists.

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // A position-independent binary carries one 24-byte relocation per pointer in its read-only
    // data: ~100,000 for the kiosk, 2.3 MB that the loader reads at every start and that stay
    // resident for the life of the process. Packed (DT_RELR) they take 24 KB. Needs glibc 2.36
    // (Debian 12's; the package asks for it) and lld or binutils 2.38.
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
