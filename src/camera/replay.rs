//! The replay camera: plays an MJPEG file (concatenated JPEGs) or a folder of images at a set
//! rate, looping, through the same JPEG decode path as a webcam's MJPEG.
//!
//! Like a webcam it holds about one frame at a time: an MJPEG file is read a frame at a time.
//! A copy of the whole clip would be 9 MB of memory no kiosk with a camera has, in every memory
//! figure measured with the replay (BENCHMARKS.md, "Paint cost").

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{CameraError, FrameSource, RawFrame, StreamInfo, mjpeg};

/// Where the frames are.
enum Clip {
    /// In memory: a folder of images, or a buffer.
    Memory(Vec<Bytes>),
    /// An MJPEG file, each frame (offset, length) read when it is due.
    File {
        file: File,
        index: Vec<(u64, usize)>,
    },
}

impl Clip {
    fn len(&self) -> usize {
        match self {
            Self::Memory(f) => f.len(),
            Self::File { index, .. } => index.len(),
        }
    }

    fn get(&self, i: usize) -> Result<Bytes, CameraError> {
        match self {
            Self::Memory(f) => f
                .get(i)
                .cloned()
                .ok_or_else(|| CameraError::Open(format!("no frame {i}"))),
            Self::File { file, index } => {
                let &(at, len) = index
                    .get(i)
                    .ok_or_else(|| CameraError::Open(format!("no frame {i}")))?;
                let mut buf = vec![0; len];
                // A file changed under the replay reads as a bad frame, as a glitch would.
                file.read_exact_at(&mut buf, at)
                    .map_err(|e| CameraError::Frame(format!("frame {i}: {e}")))?;
                Ok(Bytes::from(buf))
            }
        }
    }
}

pub struct ReplaySource {
    name: String,
    frames: Clip,
    fps: f32,
    looping: bool,
    next: usize,
    due: Option<Instant>,
    size: (u32, u32),
}

impl ReplaySource {
    /// From an MJPEG buffer. Fails when it holds no complete JPEG.
    pub fn from_mjpeg(name: impl Into<String>, data: &[u8], fps: f32) -> Result<Self, CameraError> {
        let frames: Vec<Bytes> = mjpeg::split_frames(data)
            .into_iter()
            .map(Bytes::copy_from_slice)
            .collect();
        Self::new(name.into(), Clip::Memory(frames), fps)
    }

    /// From an `.mjpeg` file or a folder of images (played in name order). Images that are not
    /// JPEG are re-encoded once, so every frame takes the webcam's decode path.
    pub fn from_path(path: &Path, fps: f32) -> Result<Self, CameraError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| CameraError::Open(format!("{}: {e}", path.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            let mut frames = Vec::new();
            for p in entries {
                let Ok(bytes) = std::fs::read(&p) else {
                    continue;
                };
                if mjpeg::frame_len(&bytes).is_some() {
                    frames.push(Bytes::from(bytes));
                } else if let Ok(img) = image::load_from_memory(&bytes) {
                    let jpeg = mjpeg::encode_jpeg(&img.to_rgb8(), 92)
                        .map_err(|e| CameraError::Open(e.to_string()))?;
                    frames.push(Bytes::from(jpeg));
                }
            }
            Self::new(name, Clip::Memory(frames), fps)
        } else {
            let open = |e: std::io::Error| CameraError::Open(format!("{}: {e}", path.display()));
            // Read once to find the frames; then only the frame that is due is read.
            let data = std::fs::read(path).map_err(open)?;
            let index = mjpeg::split_frames(&data)
                .into_iter()
                .map(|f| {
                    (
                        (f.as_ptr() as usize - data.as_ptr() as usize) as u64,
                        f.len(),
                    )
                })
                .collect();
            drop(data);
            let file = File::open(path).map_err(open)?;
            Self::new(name, Clip::File { file, index }, fps)
        }
    }

    fn new(name: String, frames: Clip, fps: f32) -> Result<Self, CameraError> {
        if frames.len() == 0 {
            return Err(CameraError::Open(format!("{name}: no frames")));
        }
        let first = frames.get(0)?;
        let img = mjpeg::decode_jpeg(&first).map_err(|e| CameraError::Open(e.to_string()))?;
        Ok(Self {
            name,
            size: img.dimensions(),
            frames,
            fps: fps.clamp(0.5, 120.0),
            looping: true,
            next: 0,
            due: None,
        })
    }

    /// Stop after one pass (then report the camera as gone) instead of looping.
    pub fn once(mut self) -> Self {
        self.looping = false;
        self
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.len() == 0
    }

    /// Frame `i` of the clip (JPEG), for tests and tools that judge a clip frame by frame.
    pub fn frame(&self, i: usize) -> Result<Bytes, CameraError> {
        self.frames.get(i)
    }
}

impl FrameSource for ReplaySource {
    fn name(&self) -> String {
        format!("replay: {}", self.name)
    }

    fn open(&mut self) -> Result<StreamInfo, CameraError> {
        self.next = 0;
        self.due = None;
        Ok(StreamInfo {
            width: self.size.0,
            height: self.size.1,
            fps: self.fps,
            format: "replay".into(),
        })
    }

    fn next_frame(&mut self) -> Result<RawFrame, CameraError> {
        if self.next >= self.frames.len() {
            if !self.looping {
                return Err(CameraError::Gone("end of clip".into()));
            }
            self.next = 0;
        }
        let period = Duration::from_secs_f32(1.0 / self.fps);
        let now = Instant::now();
        let due = self.due.unwrap_or(now);
        if due > now {
            std::thread::sleep(due - now);
        }
        // Keep a steady rate, but do not race to catch up after a stall.
        let next_due = due + period;
        self.due = Some(if next_due < Instant::now() {
            Instant::now() + period
        } else {
            next_due
        });
        let frame = self.frames.get(self.next);
        self.next += 1;
        Ok(RawFrame::Jpeg(frame?))
    }

    fn close(&mut self) {}
}
