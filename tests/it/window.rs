//! The real kiosk window: the release path the kittest harness cannot cover (eframe's glow
//! renderer, the preview's own OpenGL program, the window cleared to the background). Runs the
//! binary in demo mode on a private Xvfb and reads the screen back from Xvfb's framebuffer file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::wait_until;

const BIN: &str = env!("CARGO_BIN_EXE_faceki-kiosk");

/// Kills the process when dropped, so a failing assertion leaves nothing running.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Removes the folder when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn xvfb_installed() -> bool {
    Command::new("Xvfb")
        .arg("-help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The pixel at (x, y) of Xvfb's screen file (XWD format, 32 bits per pixel, BGRX).
fn pixel(xwd: &[u8], x: usize, y: usize) -> [u8; 3] {
    let be = |i: usize| u32::from_be_bytes(xwd[i * 4..i * 4 + 4].try_into().unwrap()) as usize;
    let (header, bits_per_pixel, bytes_per_line, ncolors) = (be(0), be(11), be(12), be(19));
    assert_eq!(bits_per_pixel, 32, "Xvfb screen depth");
    let o = header + ncolors * 12 + y * bytes_per_line + x * 4;
    [xwd[o + 2], xwd[o + 1], xwd[o]]
}

#[test]
fn the_window_shows_the_camera_mirrored_through_the_previews_own_gl_program() {
    if !xvfb_installed() {
        assert!(
            std::env::var_os("FACEKI_CI").is_none(),
            "CI installs Xvfb (packaging/dev.sh)"
        );
        eprintln!("skipped: Xvfb is not installed (apt-get install xvfb)");
        return;
    }
    let dir = TempDir(std::env::temp_dir().join(format!("faceki-window-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).unwrap();
    let path = |p: &str| -> PathBuf { dir.0.join(p) };
    for d in ["fb", "cam", "run"] {
        std::fs::create_dir(path(d)).unwrap();
    }
    // The camera sees red on its left and blue on its right; a mirror shows them swapped.
    let frame = image::RgbImage::from_fn(1280, 720, |x, _| {
        image::Rgb(if x < 640 {
            [220, 30, 30]
        } else {
            [30, 30, 220]
        })
    });
    let jpeg = faceki_kiosk::camera::mjpeg::encode_jpeg(&frame, 90).unwrap();
    std::fs::write(path("cam/frame.jpg"), jpeg).unwrap();
    std::fs::write(
        path("config.toml"),
        "[camera]\nreplay_fps = 15.0\n[liveness]\nmode = \"off\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    }

    let display = format!(":{}", 200 + std::process::id() % 500);
    let _xvfb = Killed(
        Command::new("Xvfb")
            .args([
                &display,
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
                "-fbdir",
            ])
            .arg(path("fb"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let screen = path("fb/Xvfb_screen0");
    wait_until("Xvfb", 10, || screen.exists());

    let log = path("kiosk.log");
    let _kiosk = Killed(
        Command::new(BIN)
            .args(["--demo", "--windowed", "--config"])
            .arg(path("config.toml"))
            .arg("--replay")
            .arg(path("cam"))
            .env("DISPLAY", &display)
            .env("XDG_RUNTIME_DIR", path("run"))
            .env("HOME", &dir.0)
            .env("RUST_LOG", "faceki_kiosk=info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let logged = |what: &str| std::fs::read_to_string(&log).is_ok_and(|l| l.contains(what));
    wait_until("the first frame on screen", 60, || {
        logged("first camera frame on screen")
    });
    assert!(
        logged("camera preview on its own OpenGL program"),
        "the glow renderer fell back to egui's texture:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    // A few paints later, the preview fills the window under the banner and above the bar.
    let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 40);
    let (red, blue) = ([220, 30, 30], [30, 30, 220]);
    let read = |p: &Path| std::fs::read(p).unwrap();
    wait_until("the mirrored preview", 20, || {
        let xwd = read(&screen);
        near(pixel(&xwd, 200, 300), blue) && near(pixel(&xwd, 1080, 300), red)
    });
    // Below the preview, the button bar has the page background the window was cleared to.
    let bg = faceki_kiosk::ui::style::BG;
    let xwd = read(&screen);
    assert!(
        near(pixel(&xwd, 640, 760), [bg.r(), bg.g(), bg.b()]),
        "bar: {:?}",
        pixel(&xwd, 640, 760)
    );
}
