//! The oval guide: one geometry for the gate that judges the face against it and the preview
//! that draws it, so what the customer sees and what the gate checks cannot drift apart.
//!
//! The oval is defined on the camera frame (shares of its short side, centred), and the preview
//! maps frame pixels to the screen with [`PreviewFit`]. The preview is mirrored; the oval is
//! symmetric, so mirroring moves nothing of it.

use super::detector::Point;

/// Horizontal and vertical radius of the oval, as shares of the frame's short side.
pub const RADIUS_X: f32 = 0.31;
pub const RADIUS_Y: f32 = 0.42;

/// The preview keeps at least this much room around the oval (a share of its radii), so the
/// oval and its progress ring are never cut off, whatever the screen's shape.
const ROOM: f32 = 1.08;

/// The oval in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Oval {
    pub centre: Point,
    pub rx: f32,
    pub ry: f32,
}

impl Oval {
    pub fn for_frame(width: u32, height: u32) -> Self {
        let (w, h) = (width as f32, height as f32);
        let short = w.min(h);
        Self {
            centre: Point {
                x: w / 2.0,
                y: h / 2.0,
            },
            rx: RADIUS_X * short,
            ry: RADIUS_Y * short,
        }
    }

    pub fn height(&self) -> f32 {
        2.0 * self.ry
    }

    /// How far `p` lies from the centre in oval radii: 1 on the line, under 1 inside.
    pub fn reach(&self, p: Point) -> f32 {
        let (dx, dy) = (
            (p.x - self.centre.x) / self.rx,
            (p.y - self.centre.y) / self.ry,
        );
        (dx * dx + dy * dy).sqrt()
    }

    /// The furthest [`reach`](Self::reach) of the face's outline, taken as the ellipse inside
    /// its box (`x, y, w, h`): a face is inside the drawn oval when this is at most 1.
    pub fn face_reach(&self, bbox: [f32; 4]) -> f32 {
        let (cx, cy) = (bbox[0] + bbox[2] / 2.0, bbox[1] + bbox[3] / 2.0);
        let (ax, ay) = (bbox[2] / 2.0, bbox[3] / 2.0);
        (0..48)
            .map(|i| {
                let t = i as f32 / 48.0 * std::f32::consts::TAU;
                self.reach(Point {
                    x: cx + ax * t.cos(),
                    y: cy + ay * t.sin(),
                })
            })
            .fold(0.0, f32::max)
    }

    /// True when the box (`x, y, w, h`) comes within `margin` oval radii of the oval: a face
    /// next to the oval rather than far off in the room.
    pub fn near(&self, bbox: [f32; 4], margin: f32) -> bool {
        // The box's point nearest the oval's centre.
        let nearest = Point {
            x: self.centre.x.clamp(bbox[0], bbox[0] + bbox[2]),
            y: self.centre.y.clamp(bbox[1], bbox[1] + bbox[3]),
        };
        self.reach(nearest) <= 1.0 + margin
    }
}

/// How the preview shows a frame in a rectangle of the screen: scaled to cover it (the centre
/// kept, the edges cropped), but never so far that the oval would be cut off; then what is not
/// covered stays black. Screen positions are relative to the rectangle's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreviewFit {
    /// Screen pixels per frame pixel.
    pub scale: f32,
    frame: (f32, f32),
    rect: (f32, f32),
}

impl PreviewFit {
    pub fn new(frame_w: f32, frame_h: f32, rect_w: f32, rect_h: f32) -> Self {
        let (fw, fh) = (frame_w.max(1.0), frame_h.max(1.0));
        let (rw, rh) = (rect_w.max(1.0), rect_h.max(1.0));
        let cover = (rw / fw).max(rh / fh);
        let short = fw.min(fh);
        let oval_fits =
            (rw / (2.0 * RADIUS_X * short * ROOM)).min(rh / (2.0 * RADIUS_Y * short * ROOM));
        Self {
            scale: cover.min(oval_fits),
            frame: (fw, fh),
            rect: (rw, rh),
        }
    }

    /// Where frame pixel `p` appears, unmirrored.
    pub fn to_screen(&self, p: Point) -> Point {
        Point {
            x: self.rect.0 / 2.0 + (p.x - self.frame.0 / 2.0) * self.scale,
            y: self.rect.1 / 2.0 + (p.y - self.frame.1 / 2.0) * self.scale,
        }
    }

    /// The oval on screen: centre and radii.
    pub fn oval(&self) -> (Point, f32, f32) {
        let oval = Oval::for_frame(self.frame.0 as u32, self.frame.1 as u32);
        (
            self.to_screen(oval.centre),
            oval.rx * self.scale,
            oval.ry * self.scale,
        )
    }

    /// The part of the frame that is shown, as texture coordinates (0..1, min and max), and
    /// where on the screen it goes (min and max). The texture is the mirrored frame, which
    /// changes nothing here: the shown part is centred.
    pub fn shown(&self) -> ([f32; 4], [f32; 4]) {
        let (fw, fh) = self.frame;
        let (rw, rh) = self.rect;
        // Shown frame size in frame pixels, at most the whole frame.
        let (sw, sh) = ((rw / self.scale).min(fw), (rh / self.scale).min(fh));
        let uv = [
            (1.0 - sw / fw) / 2.0,
            (1.0 - sh / fh) / 2.0,
            (1.0 + sw / fw) / 2.0,
            (1.0 + sh / fh) / 2.0,
        ];
        let (dw, dh) = (sw * self.scale, sh * self.scale);
        let screen = [
            (rw - dw) / 2.0,
            (rh - dh) / 2.0,
            (rw + dw) / 2.0,
            (rh + dh) / 2.0,
        ];
        (uv, screen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    #[test]
    fn the_oval_sits_in_the_middle_of_the_frame() {
        let o = Oval::for_frame(1280, 720);
        assert_eq!(o.centre, p(640.0, 360.0));
        assert!((o.rx - 223.2).abs() < 0.01 && (o.ry - 302.4).abs() < 0.01);
        assert!((o.reach(p(640.0 + o.rx, 360.0)) - 1.0).abs() < 1e-5);
        assert!((o.reach(p(640.0, 360.0 - o.ry)) - 1.0).abs() < 1e-5);
        // A face box in the middle is well inside; one hanging over the side is not.
        assert!(o.face_reach([540.0, 240.0, 200.0, 230.0]) < 0.6);
        assert!(o.face_reach([800.0, 240.0, 200.0, 230.0]) > 1.0);
        assert!(o.near([870.0, 300.0, 100.0, 100.0], 0.1));
        assert!(!o.near([1100.0, 300.0, 100.0, 100.0], 0.5));
    }

    #[test]
    fn the_preview_covers_a_wide_rect_and_keeps_the_oval_whole() {
        // A 1280x690 preview of a 1280x720 frame: cropped top and bottom, scale 1.
        let fit = PreviewFit::new(1280.0, 720.0, 1280.0, 690.0);
        assert!((fit.scale - 1.0).abs() < 1e-5);
        let (uv, screen) = fit.shown();
        assert!((uv[1] - 15.0 / 720.0).abs() < 1e-4 && uv[0].abs() < 1e-6);
        assert_eq!(screen, [0.0, 0.0, 1280.0, 690.0]);
        let (c, rx, ry) = fit.oval();
        assert_eq!(c, p(640.0, 345.0));
        assert!(ry * 2.0 < 690.0 && (rx - 223.2).abs() < 0.01);
        // A portrait screen: covering would cut the oval's sides, so the frame is shown
        // smaller (black bars) and the oval fits the width.
        let fit = PreviewFit::new(1280.0, 720.0, 1080.0, 1810.0);
        let (_, rx, ry) = fit.oval();
        assert!(2.0 * rx * ROOM <= 1080.0 + 0.01 && 2.0 * ry <= 1810.0);
        let (uv, screen) = fit.shown();
        assert!(uv[1].abs() < 1e-6, "the whole height is shown");
        assert!(screen[1] > 0.0, "with bars above and below");
        // Frame pixels map to the screen through the same scale both ways.
        let o = Oval::for_frame(1280, 720);
        let right = fit.to_screen(p(o.centre.x + o.rx, o.centre.y));
        assert!((right.x - (c_x(&fit) + rx)).abs() < 1e-3);
    }

    fn c_x(fit: &PreviewFit) -> f32 {
        fit.oval().0.x
    }
}
