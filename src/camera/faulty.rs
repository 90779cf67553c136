//! A source wrapper that injects faults on a schedule: failed opens, corrupt frames, and a
//! spell of errors (a camera unplugged for a while). Used by tests and fault-injection runs.

use bytes::Bytes;

use super::{CameraError, FrameSource, RawFrame, StreamInfo};

#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    /// The first N opens fail (no camera yet).
    pub failed_opens: u32,
    /// Every Nth frame is replaced by corrupt JPEG bytes (0 = never).
    pub corrupt_every: u64,
    /// Frames `outage.0 .. outage.0 + outage.1` (counted over the source's life) are errors.
    pub outage: Option<(u64, u64)>,
}

pub struct FaultySource<S> {
    inner: S,
    plan: FaultPlan,
    opens: u32,
    frames: u64,
}

impl<S: FrameSource> FaultySource<S> {
    pub fn new(inner: S, plan: FaultPlan) -> Self {
        Self {
            inner,
            plan,
            opens: 0,
            frames: 0,
        }
    }
}

impl<S: FrameSource> FrameSource for FaultySource<S> {
    fn name(&self) -> String {
        format!("faulty {}", self.inner.name())
    }

    fn open(&mut self) -> Result<StreamInfo, CameraError> {
        self.opens += 1;
        if self.opens <= self.plan.failed_opens {
            return Err(CameraError::Open(format!(
                "injected: open {} fails",
                self.opens
            )));
        }
        self.inner.open()
    }

    fn next_frame(&mut self) -> Result<RawFrame, CameraError> {
        let n = self.frames;
        self.frames += 1;
        let frame = self.inner.next_frame()?;
        if let Some((start, len)) = self.plan.outage {
            if n >= start && n < start + len {
                return Err(CameraError::Frame(format!("injected: no frame {n}")));
            }
        }
        if self.plan.corrupt_every > 0 && n % self.plan.corrupt_every == self.plan.corrupt_every - 1
        {
            return Ok(RawFrame::Jpeg(Bytes::from_static(
                b"\xFF\xD8\xFF\xDB\x00\x04junk\xFF\xD9",
            )));
        }
        Ok(frame)
    }

    fn close(&mut self) {
        self.inner.close();
    }
}
